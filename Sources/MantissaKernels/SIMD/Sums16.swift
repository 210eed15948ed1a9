// Sixteen 16-lane accumulators reduced to their 16 lane sums in one vector: the last step of
// the dot-product forms (`16x1-simd16dot`, `4x4-simd16dot` and its siblings), whose summation
// order (Docs/Kernels.md) fixes the tree below.

#if MANTISSA_AVX512
  import CMantissaCPU
#endif

/// Sixteen rows' (or dot products') 16-lane accumulators.
struct Sums16 {
  var v0 = SIMD16<Float>(), v1 = SIMD16<Float>(), v2 = SIMD16<Float>(), v3 = SIMD16<Float>()
  var v4 = SIMD16<Float>(), v5 = SIMD16<Float>(), v6 = SIMD16<Float>(), v7 = SIMD16<Float>()
  var v8 = SIMD16<Float>(), v9 = SIMD16<Float>(), v10 = SIMD16<Float>(), v11 = SIMD16<Float>()
  var v12 = SIMD16<Float>(), v13 = SIMD16<Float>(), v14 = SIMD16<Float>(), v15 = SIMD16<Float>()

  /// Lane r: the sum of vector r's lanes as the tree ((l0 + l1) + (l2 + l3)) + ... over four
  /// levels, 15 vector additions in all, the sums in row order.
  ///
  /// On AVX-512 each addition takes two vectors x and y and adds two immediate shuffles of
  /// them (`vshufps` within 128-bit quarters for the first two levels, `vshuff32x4` across
  /// them for the last two): one gathers the first of each pair of partial sums, the other the
  /// second, so every sum adds the same two partial sums as the tree, and the bits are those
  /// of ``adjacentLaneSums(_:_:)``'s form elsewhere. Level 1 leaves in each quarter x's two
  /// pair sums, then y's; level 2, the quarter sums of four vectors; levels 3 and 4 put them in
  /// row order. As many shuffles as the two `vpermt2ps` per addition they replace, but with no
  /// index registers or copies of the operand `vpermt2ps` overwrites, and of one cycle within
  /// quarters: Zen 4, 1 thread, `f32-gemm-4x4-simd16dot` 1000x4x64 7.3 -> 6.0 us, 1000x2x32
  /// 2.9 -> 2.4. (Two blends and one swap per addition, the masks hidden from LLVM, measured
  /// 7.2 and 2.6.)
  @inline(__always)
  func pairwiseLaneSums() -> SIMD16<Float> {
    #if MANTISSA_AVX512
      @inline(__always) func pairs(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float> {
        mantissa_even_pairs_ps(x, y) + mantissa_odd_pairs_ps(x, y)
      }
      @inline(__always) func quarters(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float> {
        mantissa_even_quarters_ps(x, y) + mantissa_odd_quarters_ps(x, y)
      }
      // After two levels, quarter j of q0 holds the sums of lanes 4j..<4j + 4 of v0, v1, v2, v3.
      let q0 = pairs(pairs(v0, v1), pairs(v2, v3))
      let q1 = pairs(pairs(v4, v5), pairs(v6, v7))
      let q2 = pairs(pairs(v8, v9), pairs(v10, v11))
      let q3 = pairs(pairs(v12, v13), pairs(v14, v15))
      return quarters(quarters(q0, q1), quarters(q2, q3))
    #else
      @inline(__always) func adjacent(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float> {
        adjacentLaneSums(x, y)
      }
      let p0 = adjacent(v0, v1)
      let p1 = adjacent(v2, v3)
      let p2 = adjacent(v4, v5)
      let p3 = adjacent(v6, v7)
      let p4 = adjacent(v8, v9)
      let p5 = adjacent(v10, v11)
      let p6 = adjacent(v12, v13)
      let p7 = adjacent(v14, v15)
      let q0 = adjacent(p0, p1)
      let q1 = adjacent(p2, p3)
      let q2 = adjacent(p4, p5)
      let q3 = adjacent(p6, p7)
      return adjacent(adjacent(q0, q1), adjacent(q2, q3))
    #endif
  }
}
