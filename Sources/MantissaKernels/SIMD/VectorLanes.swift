// Lane subsets of the vector types that compile to no instruction at all.

/// Lanes 0-7 of `v`: the ymm half of its zmm register. `SIMD16.lowHalf` can stay an out-of-line
/// call of its specialization (the narrow Float16-C store of a 20-wide row called it for every
/// row: 1000x20x10 8.0 -> 11-15 us); a bit cast to two halves is a plain subregister read.
@inlinable @inline(__always)
func lowEight(_ v: SIMD16<Float>) -> SIMD8<Float> {
  unsafeBitCast(v, to: (SIMD8<Float>, SIMD8<Float>).self).0
}

/// `v` in lanes 0-7 and zeros in lanes 8-15, without `SIMD16(lowHalf:highHalf:)` (for the same
/// reason as ``lowEight(_:)``).
@inlinable @inline(__always)
func lowEightOf(_ v: SIMD8<Float>) -> SIMD16<Float> {
  unsafeBitCast((v, SIMD8<Float>()), to: SIMD16<Float>.self)
}
