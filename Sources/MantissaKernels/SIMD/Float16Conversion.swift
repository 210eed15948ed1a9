// Float16 <-> Float conversions for kernels. Written as our own always-inlined functions because
// the standard initializers are sometimes emitted out of line with the vector split into four xmm
// registers (3x slower, SWIFT-SIMD.md); inlined they become one vcvtph2ps / vcvtps2ph.

@inlinable @inline(__always)
func widen(_ h: SIMD16<Float16>) -> SIMD16<Float> { SIMD16<Float>(h) }

@inlinable @inline(__always)
func widen(_ h: SIMD8<Float16>) -> SIMD8<Float> { SIMD8<Float>(h) }

/// Rounds to nearest even; overflow gives infinity; NaN stays NaN.
@inlinable @inline(__always)
func narrow(_ f: SIMD16<Float>) -> SIMD16<Float16> { SIMD16<Float16>(f) }

@inlinable @inline(__always)
func narrow(_ f: SIMD8<Float>) -> SIMD8<Float16> { SIMD8<Float16>(f) }

@inlinable @inline(__always)
func loadWidened16(_ p: UnsafePointer<Float16>) -> SIMD16<Float> {
  widen(UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float16>.self))
}

@inlinable @inline(__always)
func loadWidened8(_ p: UnsafePointer<Float16>) -> SIMD8<Float> {
  widen(UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float16>.self))
}

@inlinable @inline(__always)
func storeNarrowed(_ v: SIMD16<Float>, to p: UnsafeMutablePointer<Float16>) {
  UnsafeMutableRawPointer(p).storeBytes(of: narrow(v), as: SIMD16<Float16>.self)
}

@inlinable @inline(__always)
func storeNarrowed(_ v: SIMD8<Float>, to p: UnsafeMutablePointer<Float16>) {
  UnsafeMutableRawPointer(p).storeBytes(of: narrow(v), as: SIMD8<Float16>.self)
}
