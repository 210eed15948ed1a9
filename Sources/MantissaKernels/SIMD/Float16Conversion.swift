// Float16 <-> Float conversions for kernels. The standard initializers
// (`SIMD16<Float>(SIMD16<Float16>)` and back) are emitted as out-of-line calls even from
// non-generic kernels (finishFloat16 and the masked row-end helpers called one per vector,
// ~1.4% of a mixed-precision seed step). AVX-512 builds use one 512-bit vcvtph2ps / vcvtps2ph
// each way (the narrowing one through a C helper, CMantissaCPU.h), AVX2 builds two 256-bit
// ones; otherwise lane by lane, which LLVM vectorizes as the target allows.

import CMantissaCPU

#if MANTISSA_AVX512
  import _Builtin_intrinsics.intel

  @inlinable @inline(__always)
  func widen(_ h: SIMD16<Float16>) -> SIMD16<Float> {
    _mm512_cvtph_ps(unsafeBitCast(h, to: __m256i.self))
  }

  @inlinable @inline(__always)
  func widen(_ h: SIMD8<Float16>) -> SIMD8<Float> {
    _mm256_cvtph_ps(unsafeBitCast(h, to: __m128i.self))
  }
#elseif MANTISSA_AVX2
  import _Builtin_intrinsics.intel

  // Halves by bit casts: `lowHalf` and `SIMD16(lowHalf:highHalf:)` can stay out-of-line calls
  // (VectorLanes.swift).
  @inlinable @inline(__always)
  func widen(_ h: SIMD16<Float16>) -> SIMD16<Float> {
    let (low, high) = unsafeBitCast(h, to: (__m128i, __m128i).self)
    return unsafeBitCast((_mm256_cvtph_ps(low), _mm256_cvtph_ps(high)), to: SIMD16<Float>.self)
  }

  @inlinable @inline(__always)
  func widen(_ h: SIMD8<Float16>) -> SIMD8<Float> {
    _mm256_cvtph_ps(unsafeBitCast(h, to: __m128i.self))
  }
#else
  @inlinable @inline(__always)
  func widen(_ h: SIMD16<Float16>) -> SIMD16<Float> {
    var r = SIMD16<Float>()
    for j in 0..<16 { r[j] = Float(h[j]) }
    return r
  }

  @inlinable @inline(__always)
  func widen(_ h: SIMD8<Float16>) -> SIMD8<Float> {
    var r = SIMD8<Float>()
    for j in 0..<8 { r[j] = Float(h[j]) }
    return r
  }
#endif

/// Rounds to nearest even; overflow gives infinity; NaN stays NaN.
@inlinable @inline(__always)
func narrow(_ f: SIMD16<Float>) -> SIMD16<Float16> {
  #if MANTISSA_AVX512
    return unsafeBitCast(mantissa_narrow_ps512(f), to: SIMD16<Float16>.self)
  #elseif MANTISSA_AVX2
    let (low, high) = unsafeBitCast(f, to: (SIMD8<Float>, SIMD8<Float>).self)
    return unsafeBitCast(
      (mantissa_narrow_ps256(low), mantissa_narrow_ps256(high)), to: SIMD16<Float16>.self)
  #else
    var r = SIMD16<Float16>()
    for j in 0..<16 { r[j] = Float16(f[j]) }
    return r
  #endif
}

@inlinable @inline(__always)
func narrow(_ f: SIMD8<Float>) -> SIMD8<Float16> {
  #if MANTISSA_AVX512 || MANTISSA_AVX2
    return unsafeBitCast(mantissa_narrow_ps256(f), to: SIMD8<Float16>.self)
  #else
    var r = SIMD8<Float16>()
    for j in 0..<8 { r[j] = Float16(f[j]) }
    return r
  #endif
}

@inlinable @inline(__always)
func loadWidened16(_ p: UnsafePointer<Float16>) -> SIMD16<Float> {
  widen(UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float16>.self))
}

@inlinable @inline(__always)
func loadWidened8(_ p: UnsafePointer<Float16>) -> SIMD8<Float> {
  widen(UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float16>.self))
}

/// ``loadWidened8(_:)`` for a ReLU mask about to be compared with 0, hidden from the compiler
/// (`mantissa_opaque_ps256`): knowing it was widened from Float16, LLVM turned the compare and
/// blend into a compare, an extract, a pack and a sign extension (the flat rank-one loop with
/// a Float16 C 7 cycles per vector, 4.5 with a Float C).
@inlinable @inline(__always)
func loadWidenedMask8(_ p: UnsafePointer<Float16>) -> SIMD8<Float> {
  #if MANTISSA_AVX2 && !MANTISSA_AVX512
    return mantissa_opaque_ps256(loadWidened8(p))
  #else
    return loadWidened8(p)
  #endif
}

@inlinable @inline(__always)
func storeNarrowed(_ v: SIMD16<Float>, to p: UnsafeMutablePointer<Float16>) {
  UnsafeMutableRawPointer(p).storeBytes(of: narrow(v), as: SIMD16<Float16>.self)
}

@inlinable @inline(__always)
func storeNarrowed(_ v: SIMD8<Float>, to p: UnsafeMutablePointer<Float16>) {
  UnsafeMutableRawPointer(p).storeBytes(of: narrow(v), as: SIMD8<Float16>.self)
}
