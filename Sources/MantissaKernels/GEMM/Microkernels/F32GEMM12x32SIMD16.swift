import CMantissaCPU

// f32-gemm-12x32-simd16: 12x32 tile, 24 SIMD16<Float> accumulators (AVX-512: 24 accumulators
// + 2 B vectors + 1 broadcast of the 32 zmm registers). Per k it loads 2 B vectors for 24 FMAs,
// half again the reuse of 8x32, which keeps B's L2 -> L1 stream below what the FMAs consume.
// Accumulates in Float32, one FMA per element per k, increasing k within a K block (the same order
// as every other GEMM microkernel, so they agree bitwise). Operands: packed Float panels.
// Measured: see Docs/Performance.md (`swift run -c release mantissa-bench gemm`).

enum F32GEMM12x32SIMD16 {
  static let id = "f32-gemm-12x32-simd16"
  static let mr = 12
  static let nr = 32

  @inline(never)
  static func run(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate
  ) {
    var c00 = SIMD16<Float>()
    var c01 = SIMD16<Float>()
    var c10 = SIMD16<Float>()
    var c11 = SIMD16<Float>()
    var c20 = SIMD16<Float>()
    var c21 = SIMD16<Float>()
    var c30 = SIMD16<Float>()
    var c31 = SIMD16<Float>()
    var c40 = SIMD16<Float>()
    var c41 = SIMD16<Float>()
    var c50 = SIMD16<Float>()
    var c51 = SIMD16<Float>()
    var c60 = SIMD16<Float>()
    var c61 = SIMD16<Float>()
    var c70 = SIMD16<Float>()
    var c71 = SIMD16<Float>()
    var c80 = SIMD16<Float>()
    var c81 = SIMD16<Float>()
    var c90 = SIMD16<Float>()
    var c91 = SIMD16<Float>()
    var c100 = SIMD16<Float>()
    var c101 = SIMD16<Float>()
    var c110 = SIMD16<Float>()
    var c111 = SIMD16<Float>()
    // C rows are ldc apart and, for large C, in L3 or DRAM: ask for them now so the merge after
    // the k loop does not stall.
    var prefetchRow = UnsafeRawPointer(c)
    for _ in 0..<12 {
      mantissa_prefetch_write(prefetchRow)
      mantissa_prefetch_write(prefetchRow + 64)
      prefetchRow += ldc * 4
    }
    var ap = a
    var bp = b
    for _ in 0..<kc {
      // B 24 steps ahead, as in f32-gemm-8x32-simd16.
      mantissa_prefetch_read(bp + 768)
      mantissa_prefetch_read(bp + 784)
      let b0 = load16(bp)
      let b1 = load16(bp + 16)
      var x: SIMD16<Float>
      x = SIMD16<Float>(repeating: ap[0])
      c00 = c00.addingProduct(x, b0)
      c01 = c01.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: ap[1])
      c10 = c10.addingProduct(x, b0)
      c11 = c11.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: ap[2])
      c20 = c20.addingProduct(x, b0)
      c21 = c21.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: ap[3])
      c30 = c30.addingProduct(x, b0)
      c31 = c31.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: ap[4])
      c40 = c40.addingProduct(x, b0)
      c41 = c41.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: ap[5])
      c50 = c50.addingProduct(x, b0)
      c51 = c51.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: ap[6])
      c60 = c60.addingProduct(x, b0)
      c61 = c61.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: ap[7])
      c70 = c70.addingProduct(x, b0)
      c71 = c71.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: ap[8])
      c80 = c80.addingProduct(x, b0)
      c81 = c81.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: ap[9])
      c90 = c90.addingProduct(x, b0)
      c91 = c91.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: ap[10])
      c100 = c100.addingProduct(x, b0)
      c101 = c101.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: ap[11])
      c110 = c110.addingProduct(x, b0)
      c111 = c111.addingProduct(x, b1)
      ap += 12
      bp += 32
    }
    var row = c
    update.apply(c00, to: row, column: 0)
    update.apply(c01, to: row + 16, column: 16)
    row += ldc
    update.apply(c10, to: row, column: 0)
    update.apply(c11, to: row + 16, column: 16)
    row += ldc
    update.apply(c20, to: row, column: 0)
    update.apply(c21, to: row + 16, column: 16)
    row += ldc
    update.apply(c30, to: row, column: 0)
    update.apply(c31, to: row + 16, column: 16)
    row += ldc
    update.apply(c40, to: row, column: 0)
    update.apply(c41, to: row + 16, column: 16)
    row += ldc
    update.apply(c50, to: row, column: 0)
    update.apply(c51, to: row + 16, column: 16)
    row += ldc
    update.apply(c60, to: row, column: 0)
    update.apply(c61, to: row + 16, column: 16)
    row += ldc
    update.apply(c70, to: row, column: 0)
    update.apply(c71, to: row + 16, column: 16)
    row += ldc
    update.apply(c80, to: row, column: 0)
    update.apply(c81, to: row + 16, column: 16)
    row += ldc
    update.apply(c90, to: row, column: 0)
    update.apply(c91, to: row + 16, column: 16)
    row += ldc
    update.apply(c100, to: row, column: 0)
    update.apply(c101, to: row + 16, column: 16)
    row += ldc
    update.apply(c110, to: row, column: 0)
    update.apply(c111, to: row + 16, column: 16)
  }
}
