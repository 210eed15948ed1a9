import CMantissaCPU

// f32-gemm-6x16-simd8: 6x16 tile, 12 SIMD8<Float> accumulators (AVX2, 16 ymm registers:
// 12 accumulators + 2 B vectors + broadcasts). The kernel for builds without AVX-512
// (MANTISSA_CPU=x86-64-v3); same summation order as the 8x32 kernel, so the two agree bitwise.
// Operands: packed A panel (6 per k) and packed B panel (16 per k), both Float; the first row
// of tiles of a block can also pack its B panels from B as stored (`runPackingB`).
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
    var tile = Tile(prefetching: c, ldc: ldc, kc: kc)
    var ap = a
    var bp = b
    let claimAt = tileClaimStep(kc)
    for _ in 0..<claimAt {
      tile.step(bp, ap)
      ap += 6
      bp += 16
    }
    tile.claim(c, ldc: ldc)
    for _ in claimAt..<kc {
      tile.step(bp, ap)
      ap += 6
      bp += 16
    }
    tile.store(to: c, ldc: ldc, update: update)
  }

  /// A tile of the first row of tiles of a B block, packing its B panel as it goes, as
  /// ``F32GEMM8x32SIMD16/runPackingB(kc:a:lda:source:ldb:next:b:c:ldc:update:)`` does: B's 16
  /// values of each k step from B as stored (rows `ldb` apart from `source`) feed the FMAs and
  /// are stored into the packed panel at `b`; the next panel's rows (`next`) are asked into L1.
  /// A is a packed micro-panel. Same FMAs in the same order as ``run``, so the same bits.
  @inline(never)
  static func runPackingB(
    kc: Int, a: UnsafePointer<Float>, source: UnsafePointer<Float>, ldb: Int,
    next: UnsafePointer<Float>, b: UnsafeMutablePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate
  ) {
    packingB(
      kc: kc, a: a, source: source, ldb: ldb, next: next, b: b, c: c, ldc: ldc, update: update)
  }

  /// ``runPackingB(kc:a:source:ldb:next:b:c:ldc:update:)`` widening a Float16 B.
  @inline(never)
  static func runPackingB(
    kc: Int, a: UnsafePointer<Float>, source: UnsafePointer<Float16>, ldb: Int,
    next: UnsafePointer<Float16>, b: UnsafeMutablePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate
  ) {
    packingB(
      kc: kc, a: a, source: source, ldb: ldb, next: next, b: b, c: c, ldc: ldc, update: update)
  }

  @_transparent
  static func packingB<T: PackableElement>(
    kc: Int, a: UnsafePointer<Float>, source: UnsafePointer<T>, ldb: Int,
    next: UnsafePointer<T>, b: UnsafeMutablePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate
  ) {
    var tile = Tile(prefetching: c, ldc: ldc, kc: kc)
    // The first and last byte of the next panel's 16 values: every line of an aligned row.
    let lastByte = 16 * MemoryLayout<T>.stride - 1
    var ap = a
    var sp = source
    var np = UnsafeRawPointer(next)
    let nextStride = ldb * MemoryLayout<T>.stride
    var bp = b
    @_transparent
    func step() {
      mantissa_prefetch_read(np)
      mantissa_prefetch_read(np + lastByte)
      let b0 = T.widen8(sp)
      let b1 = T.widen8(sp + 8)
      store(b0, to: bp)
      store(b1, to: bp + 8)
      tile.step(b0, b1, ap)
      ap += 6
      sp += ldb
      np += nextStride
      bp += 16
    }
    let claimAt = tileClaimStep(kc)
    for _ in 0..<claimAt { step() }
    tile.claim(c, ldc: ldc)
    for _ in claimAt..<kc { step() }
    tile.store(to: c, ldc: ldc, update: update)
  }

  /// The 12 accumulators, one k step, and the merge into C, shared by the entry points; every
  /// member is transparent, so each kernel's loop keeps the accumulators in registers.
  struct Tile {
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>()
    var c11 = SIMD8<Float>(), c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>(), c40 = SIMD8<Float>()
    var c41 = SIMD8<Float>(), c50 = SIMD8<Float>(), c51 = SIMD8<Float>()

    /// Zero accumulators, with C's tile asked into L2 when the loop is long enough to claim
    /// it later (TilePrefetch.swift).
    @_transparent
    init(prefetching c: UnsafeMutablePointer<Float>, ldc: Int, kc: Int) {
      if tileClaimStep(kc) > 0 {
        prefetchTile(c, rows: 6, lines: 2, strideBytes: ldc * 4) { mantissa_prefetch_l2($0) }
      }
    }

    /// Asks for C's tile in L1 with intent to write, for the merge after the loop.
    @_transparent
    func claim(_ c: UnsafeMutablePointer<Float>, ldc: Int) {
      prefetchTile(c, rows: 6, lines: 2, strideBytes: ldc * 4) { mantissa_prefetch_write($0) }
    }

    /// One k step: B's 16 values at `bp` times A's six values at `ap`.
    @_transparent
    mutating func step(_ bp: UnsafePointer<Float>, _ ap: UnsafePointer<Float>) {
      // B 24 steps ahead, as in f32-gemm-8x32-simd16.
      mantissa_prefetch_read(bp + 384)
      step(load8(bp), load8(bp + 8), ap)
    }

    /// One k step on B's 16 values `b0`, `b1`.
    @_transparent
    mutating func step(_ b0: SIMD8<Float>, _ b1: SIMD8<Float>, _ ap: UnsafePointer<Float>) {
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
    }

    @_transparent
    func store(to c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate) {
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
}
