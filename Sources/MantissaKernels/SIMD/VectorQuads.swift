// Sixteen lanes as four quads of four: the layout of `*-gemm-4x20-simd16quad`, where one
// SIMD16 holds the last four columns of four rows. Each helper is one or a few AVX-512
// instructions (`MANTISSA_AVX512`); elsewhere, lane by lane, for builds that choose the
// AVX-512 forms without the instructions (`MANTISSA_FORMS=avx512`, tests only).

#if MANTISSA_AVX512
  import CMantissaCPU
  import _Builtin_intrinsics.intel
#endif

/// Four rows of up to 16 values, transposed within each quad: quad j of result `q % 4` holds
/// lane `q = 4 j + q % 4` of `r0`, `r1`, `r2` and `r3`, in that order. Eight in-lane unpacks
/// on AVX-512, which Zen 4 runs beside the FMAs.
@inlinable @inline(__always)
func transposedQuads(
  _ r0: SIMD16<Float>, _ r1: SIMD16<Float>, _ r2: SIMD16<Float>, _ r3: SIMD16<Float>
) -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
  #if MANTISSA_AVX512
    let t0 = _mm512_unpacklo_ps(r0, r1)
    let t1 = _mm512_unpackhi_ps(r0, r1)
    let t2 = _mm512_unpacklo_ps(r2, r3)
    let t3 = _mm512_unpackhi_ps(r2, r3)
    @inline(__always) func low(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float> {
      _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(x), _mm512_castps_pd(y)))
    }
    @inline(__always) func high(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float> {
      _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(x), _mm512_castps_pd(y)))
    }
    return (low(t0, t2), high(t0, t2), low(t1, t3), high(t1, t3))
  #else
    @inline(__always) func column(_ c: Int) -> SIMD16<Float> {
      var v = SIMD16<Float>()
      for j in 0..<4 {
        v[4 * j] = r0[4 * j + c]
        v[4 * j + 1] = r1[4 * j + c]
        v[4 * j + 2] = r2[4 * j + c]
        v[4 * j + 3] = r3[4 * j + c]
      }
      return v
    }
    return (column(0), column(1), column(2), column(3))
  #endif
}

/// The four Floats at `p` in every quad: lane l is `p[l % 4]`. One `vbroadcastf32x4` load.
@inlinable @inline(__always)
func repeatingQuad(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
  #if MANTISSA_AVX512
    return _mm512_broadcast_f32x4(_mm_loadu_ps(p))
  #else
    var v = SIMD16<Float>()
    for l in 0..<16 { v[l] = p[l % 4] }
    return v
  #endif
}

/// Lane `4 c + r` of `v` moved to lane `4 r + c`: the quads' 4x4 transpose (one `vpermps`,
/// `permuteLanes`).
@inlinable @inline(__always)
func swappingQuadAxes(_ v: SIMD16<Float>) -> SIMD16<Float> {
  let order = SIMD16<Int32>(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15)
  #if MANTISSA_AVX512
    // A constant index becomes a generic shuffle that LLVM may split up (CMantissaCPU.h).
    let hidden = mantissa_opaque_m512i(unsafeBitCast(order, to: SIMD8<Int64>.self))
    return permuteLanes(v, unsafeBitCast(hidden, to: SIMD16<Int32>.self))
  #else
    return permuteLanes(v, order)
  #endif
}

/// `into` with the lanes set in `mask` loaded from `p + lane`; nothing else is read (lanes
/// outside the mask may lie past the end of memory).
@inlinable @inline(__always)
func loadMasked(_ p: UnsafePointer<Float>, _ mask: UInt16, into: SIMD16<Float>) -> SIMD16<Float> {
  #if MANTISSA_AVX512
    return _mm512_mask_loadu_ps(into, mask, p)
  #else
    var v = into
    for l in 0..<16 where mask & (1 << l) != 0 { v[l] = p[l] }
    return v
  #endif
}

/// ``loadMasked(_:_:into:)`` for Float16 values (not widened).
@inlinable @inline(__always)
func loadMasked(_ p: UnsafePointer<Float16>, _ mask: UInt16, into: SIMD16<Float16>)
  -> SIMD16<Float16>
{
  #if MANTISSA_AVX512
    return unsafeBitCast(
      _mm256_mask_loadu_epi16(unsafeBitCast(into, to: __m256i.self), mask, p),
      to: SIMD16<Float16>.self)
  #else
    var v = into
    for l in 0..<16 where mask & (1 << l) != 0 { v[l] = p[l] }
    return v
  #endif
}

/// Writes the lanes of `v` set in `mask` to `p + lane`; nothing else is touched.
@inlinable @inline(__always)
func storeMasked(_ v: SIMD16<Float>, to p: UnsafeMutablePointer<Float>, _ mask: UInt16) {
  #if MANTISSA_AVX512
    _mm512_mask_storeu_ps(p, mask, v)
  #else
    for l in 0..<16 where mask & (1 << l) != 0 { p[l] = v[l] }
  #endif
}

/// ``storeMasked(_:to:_:)`` for Float16 values.
@inlinable @inline(__always)
func storeMasked(_ v: SIMD16<Float16>, to p: UnsafeMutablePointer<Float16>, _ mask: UInt16) {
  #if MANTISSA_AVX512
    _mm256_mask_storeu_epi16(p, mask, unsafeBitCast(v, to: __m256i.self))
  #else
    for l in 0..<16 where mask & (1 << l) != 0 { p[l] = v[l] }
  #endif
}
