import CMantissaCPU

// f32-gemm-6x16-simd8: 6x16 tile, 12 SIMD8<Float> accumulators (AVX2, 16 ymm registers:
// 12 accumulators + 2 B vectors + broadcasts). The kernel for builds without AVX-512
// (MANTISSA_CPU=x86-64-v3); same summation order as the 8x32 kernel, so the two agree bitwise.
// Operands: packed A panel (6 per k) and packed B panel (16 per k), both Float.
// Measured: see Docs/Performance.md (`swift run -c release mantissa-bench gemm`).

enum F32GEMM6x16SIMD8 {
  static let id = "f32-gemm-6x16-simd8"
  static let mr = 6
  static let nr = 16

  @inline(never)
  static func run(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate
  ) {
    var c00 = SIMD8<Float>()
    var c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>()
    var c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>()
    var c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>()
    var c31 = SIMD8<Float>()
    var c40 = SIMD8<Float>()
    var c41 = SIMD8<Float>()
    var c50 = SIMD8<Float>()
    var c51 = SIMD8<Float>()
    // C's tile into L2 now, into L1 near the end of the loop (TilePrefetch.swift).
    @_transparent func prefetchC(_ prefetch: (UnsafeRawPointer) -> Void) {
      prefetchTile(c, rows: 6, lines: 2, strideBytes: ldc * 4, prefetch)
    }
    let claimAt = tileClaimStep(kc)
    if claimAt > 0 { prefetchC { mantissa_prefetch_l2($0) } }
    var ap = a
    var bp = b
    @inline(__always) func step() {
      // B 24 steps ahead, as in f32-gemm-8x32-simd16.
      mantissa_prefetch_read(bp + 384)
      let b0 = load8(bp)
      let b1 = load8(bp + 8)
      var x = SIMD8<Float>(repeating: ap[0])
      c00 = c00.addingProduct(x, b0)
      c01 = c01.addingProduct(x, b1)
      x = SIMD8<Float>(repeating: ap[1])
      c10 = c10.addingProduct(x, b0)
      c11 = c11.addingProduct(x, b1)
      x = SIMD8<Float>(repeating: ap[2])
      c20 = c20.addingProduct(x, b0)
      c21 = c21.addingProduct(x, b1)
      x = SIMD8<Float>(repeating: ap[3])
      c30 = c30.addingProduct(x, b0)
      c31 = c31.addingProduct(x, b1)
      x = SIMD8<Float>(repeating: ap[4])
      c40 = c40.addingProduct(x, b0)
      c41 = c41.addingProduct(x, b1)
      x = SIMD8<Float>(repeating: ap[5])
      c50 = c50.addingProduct(x, b0)
      c51 = c51.addingProduct(x, b1)
      ap += 6
      bp += 16
    }
    for _ in 0..<claimAt { step() }
    prefetchC { mantissa_prefetch_write($0) }
    for _ in claimAt..<kc { step() }
    var row = c
    update.apply(c00, to: row, column: 0)
    update.apply(c01, to: row + 8, column: 8)
    row += ldc
    update.apply(c10, to: row, column: 0)
    update.apply(c11, to: row + 8, column: 8)
    row += ldc
    update.apply(c20, to: row, column: 0)
    update.apply(c21, to: row + 8, column: 8)
    row += ldc
    update.apply(c30, to: row, column: 0)
    update.apply(c31, to: row + 8, column: 8)
    row += ldc
    update.apply(c40, to: row, column: 0)
    update.apply(c41, to: row + 8, column: 8)
    row += ldc
    update.apply(c50, to: row, column: 0)
    update.apply(c51, to: row + 8, column: 8)
  }
}
