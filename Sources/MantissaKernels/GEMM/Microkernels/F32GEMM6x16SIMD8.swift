import CMantissaCPU

// f32-gemm-6x16-simd8: 6x16 tile, 12 SIMD8<Float> accumulators (AVX2, 16 ymm registers:
// 12 accumulators + 2 B vectors + broadcasts). The kernel for builds without AVX-512
// (MANTISSA_CPU=x86-64-v3, Zen 3); same summation order as the 8x32 kernel, so the two agree
// bitwise. Operands: a packed B panel (16 per k) and A either packed (6 per k: `run`) or read in
// place from six rows (`runDirectA`), both Float; the first row of tiles of a block can also
// pack its B panels from B as stored (`runPackingB`).
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
    var tile = Tile(prefetching: c, ldc: ldc, update: update, kc: kc)
    var ap = a
    var bp = b
    let claimAt = tileClaimStep(kc)
    for _ in 0..<claimAt {
      tile.step(bp, ap)
      ap += 6
      bp += 16
    }
    tile.claim(c, ldc: ldc, update: update)
    for _ in claimAt..<kc {
      tile.step(bp, ap)
      ap += 6
      bp += 16
    }
    tile.store(to: c, ldc: ldc, update: update)
  }

  /// The same tile with A read in place: row r of the micro-panel at `a + r * lda`, one value
  /// per k step (a row-major A, or a Float16 A widened into rows). The same FMAs in the same
  /// order as ``run(kc:a:b:c:ldc:update:)``, so both give the same bits; this one skips the
  /// transposing pack of six rows, which cost about 5% of 1024^3 on Zen 3 (NC 256 against 512,
  /// twice the packs, measured 0.945).
  @inline(never)
  static func runDirectA(
    kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate
  ) {
    var tile = Tile(prefetching: c, ldc: ldc, update: update, kc: kc)
    let rows = MicroPanelRows(a, lda: lda)
    var bp = b
    let claimAt = tileClaimStep(kc)
    for p in 0..<claimAt {
      tile.step(bp, rows, offset: p)
      bp += 16
    }
    tile.claim(c, ldc: ldc, update: update)
    for p in claimAt..<kc {
      tile.step(bp, rows, offset: p)
      bp += 16
    }
    tile.store(to: c, ldc: ldc, update: update)
  }

  /// A tile of the first row of tiles of a B block, packing its B panel as it goes, as
  /// ``F32GEMM8x32SIMD16/runPackingB(kc:a:lda:source:ldb:next:b:c:ldc:update:pair:)`` does: B's 16
  /// values of each k step from B as stored (rows `ldb` apart from `source`) feed the FMAs and
  /// are stored into the packed panel at `b`; the next panel's rows (`next`) are asked into L1.
  /// A is packed (`lda` 0) or read in place (rows `lda` apart). Same FMAs in the same order as
  /// ``run`` and ``runDirectA``, so the same bits.
  @inline(never)
  static func runPackingB(
    kc: Int, a: UnsafePointer<Float>, lda: Int, source: UnsafePointer<Float>, ldb: Int,
    next: UnsafePointer<Float>, b: UnsafeMutablePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate
  ) {
    packingB(
      kc: kc, a: a, lda: lda, source: source, ldb: ldb, next: next, b: b, c: c, ldc: ldc,
      update: update)
  }

  /// ``runPackingB(kc:a:lda:source:ldb:next:b:c:ldc:update:)`` widening a Float16 B.
  @inline(never)
  static func runPackingB(
    kc: Int, a: UnsafePointer<Float>, lda: Int, source: UnsafePointer<Float16>, ldb: Int,
    next: UnsafePointer<Float16>, b: UnsafeMutablePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate
  ) {
    packingB(
      kc: kc, a: a, lda: lda, source: source, ldb: ldb, next: next, b: b, c: c, ldc: ldc,
      update: update)
  }

  @_transparent
  static func packingB<T: PackableElement>(
    kc: Int, a: UnsafePointer<Float>, lda: Int, source: UnsafePointer<T>, ldb: Int,
    next: UnsafePointer<T>, b: UnsafeMutablePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate
  ) {
    var tile = Tile(prefetching: c, ldc: ldc, update: update, kc: kc)
    let rows = MicroPanelRows(a, lda: lda)
    // The first and last byte of the next panel's 16 values: every line of an aligned row.
    let lastByte = 16 * MemoryLayout<T>.stride - 1
    var sp = source
    var np = UnsafeRawPointer(next)
    let nextStride = ldb * MemoryLayout<T>.stride
    var bp = b
    var q = 0
    @_transparent
    func step() {
      mantissa_prefetch_read(np)
      mantissa_prefetch_read(np + lastByte)
      let b0 = T.widen8(sp)
      let b1 = T.widen8(sp + 8)
      store(b0, to: bp)
      store(b1, to: bp + 8)
      tile.step(b0, b1, rows, offset: q)
      q &+= rows.kStride
      sp += ldb
      np += nextStride
      bp += 16
    }
    let claimAt = tileClaimStep(kc)
    for _ in 0..<claimAt { step() }
    tile.claim(c, ldc: ldc, update: update)
    for _ in claimAt..<kc { step() }
    tile.store(to: c, ldc: ldc, update: update)
  }

  /// The left 8 columns of a tile, for C's last columns when at most 8 remain past the full
  /// panels (n = 1000): the same FMAs in the same order as the full tile's first 8 columns, so
  /// the same bits, at half the work. `a` is a packed micro-panel (`lda` 0) or six rows `lda`
  /// apart read in place; `b` a 16-wide packed panel. The result goes to `tile`, 16 Floats a
  /// row (the driver's edge scratch), through `update`.
  @inline(never)
  static func runLeftHalf(
    kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    tile: UnsafeMutablePointer<Float>, update: TileUpdate
  ) {
    let rows = MicroPanelRows(a, lda: lda)
    var c0 = SIMD8<Float>()
    var c1 = SIMD8<Float>()
    var c2 = SIMD8<Float>()
    var c3 = SIMD8<Float>()
    var c4 = SIMD8<Float>()
    var c5 = SIMD8<Float>()
    var bp = b
    var q = 0
    for _ in 0..<kc {
      mantissa_prefetch_read(bp + 384)
      let b0 = load8(bp)
      c0 = c0.addingProduct(SIMD8(repeating: rows.r0[q]), b0)
      c1 = c1.addingProduct(SIMD8(repeating: rows.r1[q]), b0)
      c2 = c2.addingProduct(SIMD8(repeating: rows.r2[q]), b0)
      c3 = c3.addingProduct(SIMD8(repeating: rows.r3[q]), b0)
      c4 = c4.addingProduct(SIMD8(repeating: rows.r4[q]), b0)
      c5 = c5.addingProduct(SIMD8(repeating: rows.r5[q]), b0)
      q &+= rows.kStride
      bp += 16
    }
    update.apply(c0, to: tile, column: 0)
    update.apply(c1, to: tile + 16, column: 0)
    update.apply(c2, to: tile + 32, column: 0)
    update.apply(c3, to: tile + 48, column: 0)
    update.apply(c4, to: tile + 64, column: 0)
    update.apply(c5, to: tile + 80, column: 0)
  }

  /// The six rows of an A micro-panel: row r's value at k step p at `r_r[p * kStride]`. Read
  /// in place, rows are `lda` apart with a k stride of 1; packed (`lda` 0), rows are adjacent
  /// with a k stride of 6.
  struct MicroPanelRows {
    let r0: UnsafePointer<Float>, r1: UnsafePointer<Float>, r2: UnsafePointer<Float>
    let r3: UnsafePointer<Float>, r4: UnsafePointer<Float>, r5: UnsafePointer<Float>
    let kStride: Int

    @_transparent
    init(_ a: UnsafePointer<Float>, lda: Int) {
      let rowStride = lda == 0 ? 1 : lda
      kStride = lda == 0 ? 6 : 1
      r0 = a
      r1 = a + rowStride
      r2 = a + 2 * rowStride
      r3 = a + 3 * rowStride
      r4 = a + 4 * rowStride
      r5 = a + 5 * rowStride
    }
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
    init(prefetching c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate, kc: Int) {
      if tileClaimStep(kc) > 0 {
        prefetchTileRows(of: c, rows: 6, ldc: ldc, update: update) { mantissa_prefetch_l2($0) }
      }
    }

    /// Asks for C's tile in L1 with intent to write, for the merge after the loop.
    @_transparent
    func claim(_ c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate) {
      prefetchTileRows(of: c, rows: 6, ldc: ldc, update: update) { mantissa_prefetch_write($0) }
    }

    /// One k step: B's 16 values at `bp` times A's six values at `ap`.
    @_transparent
    mutating func step(_ bp: UnsafePointer<Float>, _ ap: UnsafePointer<Float>) {
      // B 24 steps ahead, as in f32-gemm-8x32-simd16.
      mantissa_prefetch_read(bp + 384)
      step(load8(bp), load8(bp + 8), ap)
    }

    /// One k step on B's 16 values at `bp`, A's values at `offset` (the step times
    /// `rows.kStride`) in `rows`.
    @_transparent
    mutating func step(_ bp: UnsafePointer<Float>, _ rows: MicroPanelRows, offset q: Int) {
      mantissa_prefetch_read(bp + 384)
      step(
        load8(bp), load8(bp + 8), rows.r0[q], rows.r1[q], rows.r2[q], rows.r3[q], rows.r4[q],
        rows.r5[q])
    }

    /// One k step on B's 16 values `b0`, `b1`, A's values at `offset` in `rows`.
    @_transparent
    mutating func step(
      _ b0: SIMD8<Float>, _ b1: SIMD8<Float>, _ rows: MicroPanelRows, offset q: Int
    ) {
      step(b0, b1, rows.r0[q], rows.r1[q], rows.r2[q], rows.r3[q], rows.r4[q], rows.r5[q])
    }

    /// One k step on B's 16 values `b0`, `b1`, A's packed values at `ap`.
    @_transparent
    mutating func step(_ b0: SIMD8<Float>, _ b1: SIMD8<Float>, _ ap: UnsafePointer<Float>) {
      step(b0, b1, ap[0], ap[1], ap[2], ap[3], ap[4], ap[5])
    }

    /// One k step on B's 16 values `b0`, `b1` and A's six values.
    @_transparent
    mutating func step(
      _ b0: SIMD8<Float>, _ b1: SIMD8<Float>, _ x0: Float, _ x1: Float, _ x2: Float,
      _ x3: Float, _ x4: Float, _ x5: Float
    ) {
      var x = SIMD8<Float>(repeating: x0)
      c00 = c00.addingProduct(x, b0)
      c01 = c01.addingProduct(x, b1)
      x = SIMD8<Float>(repeating: x1)
      c10 = c10.addingProduct(x, b0)
      c11 = c11.addingProduct(x, b1)
      x = SIMD8<Float>(repeating: x2)
      c20 = c20.addingProduct(x, b0)
      c21 = c21.addingProduct(x, b1)
      x = SIMD8<Float>(repeating: x3)
      c30 = c30.addingProduct(x, b0)
      c31 = c31.addingProduct(x, b1)
      x = SIMD8<Float>(repeating: x4)
      c40 = c40.addingProduct(x, b0)
      c41 = c41.addingProduct(x, b1)
      x = SIMD8<Float>(repeating: x5)
      c50 = c50.addingProduct(x, b0)
      c51 = c51.addingProduct(x, b1)
    }

    @_transparent
    func store(to c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate) {
      if update.half == nil && update.bias == nil && !update.relu && update.reluMaskDelta == nil
        && update.mode != .scaleAdd
      {
        storePlain(to: c, ldc: ldc, accumulate: update.mode == .accumulate, alpha: update.alpha)
        return
      }
      if let half = update.half, half.beta == 0, half.bias == nil, !half.relu,
        half.reluMaskDelta == nil
      {
        storePlainHalf(to: c, ldc: ldc, alpha: update.alpha)
        return
      }
      storeRow(c00, c01, to: c, row: 0, ldc: ldc, update: update)
      storeRow(c10, c11, to: c, row: 1, ldc: ldc, update: update)
      storeRow(c20, c21, to: c, row: 2, ldc: ldc, update: update)
      storeRow(c30, c31, to: c, row: 3, ldc: ldc, update: update)
      storeRow(c40, c41, to: c, row: 4, ldc: ldc, update: update)
      storeRow(c50, c51, to: c, row: 5, ldc: ldc, update: update)
    }

    /// ``store(to:ldc:update:)`` for a K block with no epilogue: ``TileUpdate``'s overwrite or
    /// accumulate formula, the same bits, with nothing tested per vector (the general merge
    /// tests the mode, bias, ReLU and mask on each of its 12 vectors).
    @_transparent
    func storePlain(
      to c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, alpha: Float
    ) {
      let a = SIMD8<Float>(repeating: alpha)
      @_transparent func put(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        MantissaKernels.store(accumulate ? load8(p).addingProduct(a, v) : v * a, to: p)
      }
      var p = c
      put(c00, p)
      put(c01, p + 8)
      p += ldc
      put(c10, p)
      put(c11, p + 8)
      p += ldc
      put(c20, p)
      put(c21, p + 8)
      p += ldc
      put(c30, p)
      put(c31, p + 8)
      p += ldc
      put(c40, p)
      put(c41, p + 8)
      p += ldc
      put(c50, p)
      put(c51, p + 8)
    }

    /// ``store(to:ldc:update:)`` rounding into Float16 C (``TileUpdate/half``) with nothing but
    /// `alpha`: C not read, no bias, ReLU or mask, so the HalfFinish formula is the rounding of
    /// `alpha * acc`, with nothing tested per vector. Written out like ``storePlain``: one
    /// helper walking the 12 accumulators through a closure for both measured 3-10% slower
    /// (session 14).
    @_transparent
    func storePlainHalf(to c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float) {
      let a = SIMD8<Float>(repeating: alpha)
      var d = UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float16.self)
      storeNarrowed(c00 * a, to: d)
      storeNarrowed(c01 * a, to: d + 8)
      d += ldc
      storeNarrowed(c10 * a, to: d)
      storeNarrowed(c11 * a, to: d + 8)
      d += ldc
      storeNarrowed(c20 * a, to: d)
      storeNarrowed(c21 * a, to: d + 8)
      d += ldc
      storeNarrowed(c30 * a, to: d)
      storeNarrowed(c31 * a, to: d + 8)
      d += ldc
      storeNarrowed(c40 * a, to: d)
      storeNarrowed(c41 * a, to: d + 8)
      d += ldc
      storeNarrowed(c50 * a, to: d)
      storeNarrowed(c51 * a, to: d + 8)
    }
  }

  /// One row of the tile, into Float C or rounded into Float16 C (``TileUpdate/half``).
  @_transparent
  static func storeRow(
    _ v0: SIMD8<Float>, _ v1: SIMD8<Float>, to c: UnsafeMutablePointer<Float>, row r: Int,
    ldc: Int, update: TileUpdate
  ) {
    if let half = update.half {
      let d = UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float16.self) + r * ldc
      half.apply(v0 * update.alpha, to: d, column: 0)
      half.apply(v1 * update.alpha, to: d + 8, column: 8)
    } else {
      let d = c + r * ldc
      update.apply(v0, to: d, column: 0)
      update.apply(v1, to: d + 8, column: 8)
    }
  }
}
