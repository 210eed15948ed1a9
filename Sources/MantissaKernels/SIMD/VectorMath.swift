#if MANTISSA_AVX512
  import _Builtin_intrinsics.intel

  /// Lane-wise square root: one `vsqrtps`. (`SIMD16.squareRoot()` and `Float.squareRoot()` in
  /// a loop both compile to 16 scalar square roots with errno fallbacks here; the intrinsic is
  /// reachable only in builds for AVX-512 CPUs, `MANTISSA_AVX512` from the manifest.)
  @inlinable @inline(__always)
  func squareRoot(_ v: SIMD16<Float>) -> SIMD16<Float> { _mm512_sqrt_ps(v) }
#elseif MANTISSA_AVX2
  import _Builtin_intrinsics.intel

  /// Lane-wise square root: two 256-bit `vsqrtps` (builds for AVX2 CPUs without AVX-512).
  @inlinable @inline(__always)
  func squareRoot(_ v: SIMD16<Float>) -> SIMD16<Float> {
    SIMD16(lowHalf: _mm256_sqrt_ps(v.lowHalf), highHalf: _mm256_sqrt_ps(v.highHalf))
  }
#else
  /// Lane-wise square root, lane by lane (correctly rounded; 16 scalar square roots; baseline
  /// builds only).
  @inlinable @inline(__always)
  func squareRoot(_ v: SIMD16<Float>) -> SIMD16<Float> {
    var r = SIMD16<Float>()
    for j in 0..<16 { r[j] = v[j].squareRoot() }
    return r
  }
#endif
