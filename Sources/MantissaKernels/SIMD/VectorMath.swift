import CMantissaCPU

#if MANTISSA_AVX512
  import _Builtin_intrinsics.intel

  /// Lane-wise square root: one `vsqrtps`. (`SIMD16.squareRoot()` and `Float.squareRoot()` in
  /// a loop both compile to 16 scalar square roots with errno fallbacks here; the intrinsic is
  /// reachable only in builds for AVX-512 CPUs, `MANTISSA_AVX512` from the manifest.)
  @inlinable @inline(__always)
  func squareRoot(_ v: SIMD16<Float>) -> SIMD16<Float> { _mm512_sqrt_ps(v) }
#elseif MANTISSA_AVX2
  import _Builtin_intrinsics.intel

  /// Lane-wise square root: two 256-bit `vsqrtps` (builds for AVX2 CPUs without AVX-512). The
  /// halves by bit casts: `lowHalf` and `SIMD16(lowHalf:highHalf:)` can stay out-of-line calls
  /// (VectorLanes.swift).
  @inlinable @inline(__always)
  func squareRoot(_ v: SIMD16<Float>) -> SIMD16<Float> {
    let (low, high) = unsafeBitCast(v, to: (SIMD8<Float>, SIMD8<Float>).self)
    return unsafeBitCast((_mm256_sqrt_ps(low), _mm256_sqrt_ps(high)), to: SIMD16<Float>.self)
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

/// Sums of adjacent lanes: lanes 0-7 are `x[2j] + x[2j + 1]`, lanes 8-15 the same of `y`. One
/// level of a pairwise reduction tree over two vectors at once. Written with intrinsics where
/// there are some: LLVM breaks the portable form (a SIMD32's even and odd halves), and a tree
/// of constant-index permutes too, into 128-bit extracts and inserts, about 60 instructions
/// instead of three; the AVX-512 form hides its indices from the optimizer for that reason.
@inlinable @inline(__always)
func adjacentLaneSums(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float> {
  #if MANTISSA_AVX512
    let even = unsafeBitCast(
      SIMD16<Int32>(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30),
      to: SIMD8<Int64>.self)
    let odd = unsafeBitCast(
      SIMD16<Int32>(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31),
      to: SIMD8<Int64>.self)
    return _mm512_permutex2var_ps(x, mantissa_opaque_m512i(even), y)
      + _mm512_permutex2var_ps(x, mantissa_opaque_m512i(odd), y)
  #elseif MANTISSA_AVX2
    // hadd works within 128-bit halves; the permute puts the pairs back in order.
    @inline(__always) func half(_ v: SIMD16<Float>) -> SIMD8<Float> {
      let order = unsafeBitCast(SIMD8<Int32>(0, 1, 4, 5, 2, 3, 6, 7), to: SIMD4<Int64>.self)
      return _mm256_permutevar8x32_ps(
        _mm256_hadd_ps(v.lowHalf, v.highHalf), mantissa_opaque_m256i(order))
    }
    return SIMD16(lowHalf: half(x), highHalf: half(y))
  #else
    let both = SIMD32(lowHalf: x, highHalf: y)
    return both.evenHalf + both.oddHalf
  #endif
}

/// Lane l of the result is `v[index[l]]` (indices 0...15). One `vpermps` on AVX-512 (the
/// index is a run-time value, so LLVM leaves it alone); lane by lane elsewhere.
@inlinable @inline(__always)
func permuteLanes(_ v: SIMD16<Float>, _ index: SIMD16<Int32>) -> SIMD16<Float> {
  #if MANTISSA_AVX512
    return _mm512_permutexvar_ps(unsafeBitCast(index, to: SIMD8<Int64>.self), v)
  #else
    var r = SIMD16<Float>()
    for l in 0..<16 { r[l] = v[Int(index[l] & 15)] }
    return r
  #endif
}

/// Lane l of the result is lane `index[l]` (0...7) of `v`: one `vpermps` on AVX2.
@inlinable @inline(__always)
func permuteLanes(_ v: SIMD8<Float>, _ index: SIMD8<Int32>) -> SIMD8<Float> {
  #if MANTISSA_AVX512 || MANTISSA_AVX2
    return _mm256_permutevar8x32_ps(v, unsafeBitCast(index, to: __m256i.self))
  #else
    var r = SIMD8<Float>()
    for l in 0..<8 { r[l] = v[Int(index[l] & 7)] }
    return r
  #endif
}

#if MANTISSA_AVX2
  /// Each of four rows' 16 lanes (as two 8-lane halves) summed as the pairwise tree
  /// ``Sums16/pairwiseLaneSums()`` uses, ((l0 + l1) + (l2 + l3)) + ... over four levels, the four
  /// sums in row order: the same additions of the same pairs, so the same bits. For AVX2 builds,
  /// where the sixteen-row form's SIMD16 accumulators spill: hadd pairs lanes within 128-bit
  /// halves, and the pairs it forms at the first two levels are the tree's, in a scrambled order
  /// that the third level's add of the two halves and the fourth's 128-bit hadd put right.
  @inlinable @inline(__always)
  func pairwiseLaneSums(
    _ r0: (SIMD8<Float>, SIMD8<Float>), _ r1: (SIMD8<Float>, SIMD8<Float>),
    _ r2: (SIMD8<Float>, SIMD8<Float>), _ r3: (SIMD8<Float>, SIMD8<Float>)
  ) -> SIMD4<Float> {
    // Level 1, per row: pair sums 0, 1, 4, 5 | 2, 3, 6, 7 of lanes (2j, 2j + 1).
    let h0 = _mm256_hadd_ps(r0.0, r0.1)
    let h1 = _mm256_hadd_ps(r1.0, r1.1)
    let h2 = _mm256_hadd_ps(r2.0, r2.1)
    let h3 = _mm256_hadd_ps(r3.0, r3.1)
    // Level 2, two rows each: quads 0, 2 of each row | quads 1, 3 of each row.
    let g01 = unsafeBitCast(_mm256_hadd_ps(h0, h1), to: (SIMD4<Float>, SIMD4<Float>).self)
    let g23 = unsafeBitCast(_mm256_hadd_ps(h2, h3), to: (SIMD4<Float>, SIMD4<Float>).self)
    // Level 3: quad 0 + quad 1 and quad 2 + quad 3 of each row; level 4: those two.
    return _mm_hadd_ps(g01.0 + g01.1, g23.0 + g23.1)
  }
#endif

/// A ReLU of each lane: `v < 0 ? 0 : v`, so negative lanes become +0 and NaN and -0 lanes stay
/// as they are. One `vmaxps` per register with 0 as the first operand: where the operands are
/// unordered or both zeros it returns the second, `v`, which gives the select's bits exactly.
/// The portable select compiled to a compare, an integer compare and an and-not per 256 bits
/// (the mask's lanes tested again for their sign; Zen 3, session 16).
@inlinable @inline(__always)
func rectified(_ v: SIMD16<Float>) -> SIMD16<Float> {
  #if MANTISSA_AVX512
    return _mm512_max_ps(SIMD16<Float>(), v)
  #elseif MANTISSA_AVX2
    let (low, high) = unsafeBitCast(v, to: (SIMD8<Float>, SIMD8<Float>).self)
    return unsafeBitCast(
      (_mm256_max_ps(SIMD8<Float>(), low), _mm256_max_ps(SIMD8<Float>(), high)),
      to: SIMD16<Float>.self)
  #else
    return v.replacing(with: 0, where: v .< 0)
  #endif
}

/// ``rectified(_:)-(SIMD16<Float>)`` on 8 lanes.
@inlinable @inline(__always)
func rectified(_ v: SIMD8<Float>) -> SIMD8<Float> {
  #if MANTISSA_AVX512 || MANTISSA_AVX2
    return _mm256_max_ps(SIMD8<Float>(), v)
  #else
    return v.replacing(with: 0, where: v .< 0)
  #endif
}
