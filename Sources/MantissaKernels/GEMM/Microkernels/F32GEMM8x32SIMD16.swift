import CMantissaCPU

// f32-gemm-8x32-simd16: 8x32 tile, 16 SIMD16<Float> accumulators (AVX-512, 32 zmm registers:
// 16 accumulators + 2 B vectors + broadcasts). Accumulates in Float32, one FMA per element per
// k, in increasing k order within a K block. Operands: a packed B panel (k-major, 32 per k) and
// A either packed (k-major, 8 per k: `run`) or read in place from eight rows (`runDirectA`),
// both Float (Float16 is widened first); the first row of tiles of a block can also pack its B
// panels from B as stored (`runPackingB`).
// Measured: see Docs/Performance.md (`swift run -c release mantissa-bench gemm`).

enum F32GEMM8x32SIMD16 {
  static let id = "f32-gemm-8x32-simd16"
  static let mr = 8
  static let nr = 32

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
      tile.step(bp, ap[0], ap[1], ap[2], ap[3], ap[4], ap[5], ap[6], ap[7])
      ap += 8
      bp += 32
    }
    tile.claim(c, ldc: ldc, update: update)
    for _ in claimAt..<kc {
      tile.step(bp, ap[0], ap[1], ap[2], ap[3], ap[4], ap[5], ap[6], ap[7])
      ap += 8
      bp += 32
    }
    tile.store(to: c, ldc: ldc, update: update)
  }

  /// The same tile with A read in place: row r of the micro-panel at `a + r * lda`, one value
  /// per k step (a row-major A, or a Float16 A widened into rows). The same FMAs in the same
  /// order as ``run(kc:a:b:c:ldc:update:)``, so both give the same bits; this one skips the
  /// transposing pack, a quarter of the call at 64^3.
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
      tile.step(bp, rows, p)
      bp += 32
    }
    tile.claim(c, ldc: ldc, update: update)
    for p in claimAt..<kc {
      tile.step(bp, rows, p)
      bp += 32
    }
    tile.store(to: c, ldc: ldc, update: update)
  }

  /// A tile of the first row of tiles of a B block, packing its B panel as it goes: each k
  /// step's 32 values come from B as stored (row-major, rows `ldb` elements apart from
  /// `source`), feed the FMAs and are stored into the packed panel at `b` for the rows of tiles
  /// after it, while the rows the next panel will read (`next`) are asked into L2. With `pair`
  /// the step also packs the panel to the right (the next 32 values of each row, into `b + 32 *
  /// kc`), whose first tile then runs as ``run`` or ``runDirectA``; `next` is then the panel
  /// after that one. A is packed (`lda` 0) or read in place (rows `lda` apart). Same FMAs in the
  /// same order as ``run`` and ``runDirectA``, so the same bits. Packing B in a pass of its own
  /// before the block waited on B's source for 2-10% of the call at 64-1000^3
  /// (Docs/Kernels.md).
  @inline(never)
  static func runPackingB(
    kc: Int, a: UnsafePointer<Float>, lda: Int, source: UnsafePointer<Float>, ldb: Int,
    next: UnsafePointer<Float>, b: UnsafeMutablePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate, pair: Bool
  ) {
    if pair {
      packingB(
        kc: kc, a: a, lda: lda, source: source, ldb: ldb, next: next, b: b, c: c, ldc: ldc,
        update: update, panels: 2)
    } else {
      packingB(
        kc: kc, a: a, lda: lda, source: source, ldb: ldb, next: next, b: b, c: c, ldc: ldc,
        update: update, panels: 1)
    }
  }

  /// ``runPackingB(kc:a:lda:source:ldb:next:b:c:ldc:update:pair:)`` widening a Float16 B, one
  /// panel per tile (``FusedBPacking/pairs``).
  @inline(never)
  static func runPackingB(
    kc: Int, a: UnsafePointer<Float>, lda: Int, source: UnsafePointer<Float16>, ldb: Int,
    next: UnsafePointer<Float16>, b: UnsafeMutablePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate
  ) {
    packingB(
      kc: kc, a: a, lda: lda, source: source, ldb: ldb, next: next, b: b, c: c, ldc: ldc,
      update: update, panels: 1)
  }

  /// `panels` is a constant at each call (1 or 2), so each form compiles to its own loop.
  @_transparent
  static func packingB<T: PackableElement>(
    kc: Int, a: UnsafePointer<Float>, lda: Int, source: UnsafePointer<T>, ldb: Int,
    next: UnsafePointer<T>, b: UnsafeMutablePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate, panels: Int
  ) {
    var tile = Tile(prefetching: c, ldc: ldc, update: update, kc: kc)
    let rows = MicroPanelRows(a, lda: lda)
    // The first and last byte of the next panel's values in each row, and for a pair every
    // 64 bytes between: every line of an aligned row. Addressed from `sp`, so that the loop
    // keeps one pointer fewer in registers. The next panel's rows go to L2 (a whole panel, 64
    // KiB of Floats at KC 512, does not fit in L1; asked into L1 it pushed out the A rows this
    // tile reads); this panel's rows come into L1 8 steps ahead. Against both into L1 one
    // panel ahead, in-process turns on Zen 4, 1 thread, four runs: 512x3072x768 +1.4 to
    // +2.3%, 1024^3 +0.9 to +1.1%, 1000^3 and 2048^3 -0.7 to +0.1% (session 19).
    let nextDelta = next - source
    let nearDelta = 8 * ldb
    let rowBytes = 32 * panels * MemoryLayout<T>.stride
    let middleLines = panels == 1 ? 0 : (rowBytes - 1) / 64
    let second = 32 * kc
    var sp = source
    var bp = b
    var q = 0
    @_transparent
    func step() {
      let far = UnsafeRawPointer(sp + nextDelta)
      let near = UnsafeRawPointer(sp + nearDelta)
      mantissa_prefetch_l2(far)
      mantissa_prefetch_read(near)
      var line = 1
      while line <= middleLines {
        mantissa_prefetch_l2(far + 64 * line)
        mantissa_prefetch_read(near + 64 * line)
        line += 1
      }
      mantissa_prefetch_l2(far + rowBytes - 1)
      mantissa_prefetch_read(near + rowBytes - 1)
      let b0 = T.widen16(sp)
      let b1 = T.widen16(sp + 16)
      store(b0, to: bp)
      store(b1, to: bp + 16)
      if panels == 2 {
        store(T.widen16(sp + 32), to: bp + second)
        store(T.widen16(sp + 48), to: bp + second + 16)
      }
      tile.step(b0, b1, rows, offset: q)
      sp += ldb
      bp += 32
      q &+= rows.kStride
    }
    let claimAt = tileClaimStep(kc)
    for _ in 0..<claimAt { step() }
    tile.claim(c, ldc: ldc, update: update)
    for _ in claimAt..<kc { step() }
    tile.store(to: c, ldc: ldc, update: update)
  }

  /// The left 16 columns of a tile, for C's last columns when at most 16 remain past the full
  /// panels: the same FMAs in the same order as the full tile's first 16 columns, so the same
  /// bits, at half the work. `a` is either a packed micro-panel (`lda` 0: 8 per k) or eight rows
  /// `lda` apart read in place; `b` a 32-wide packed panel. The result goes to `tile`, 32 Floats
  /// a row (the driver's edge scratch), through `update`.
  @inline(never)
  static func runLeftHalf(
    kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    tile: UnsafeMutablePointer<Float>, update: TileUpdate
  ) {
    var t = NarrowAccumulators()
    // A step of 1 (packed, rows side by side) or lda (rows in place); k moves A by 8 or 1.
    let rowStep = lda == 0 ? 1 : lda
    let kStep = lda == 0 ? 8 : 1
    var ap = a
    var bp = b
    for _ in 0..<kc {
      mantissa_prefetch_read(bp + 768)
      let b0 = load16(bp)
      t.c0 = t.c0.addingProduct(SIMD16(repeating: ap[0]), b0)
      t.c1 = t.c1.addingProduct(SIMD16(repeating: ap[rowStep]), b0)
      t.c2 = t.c2.addingProduct(SIMD16(repeating: ap[2 * rowStep]), b0)
      t.c3 = t.c3.addingProduct(SIMD16(repeating: ap[3 * rowStep]), b0)
      t.c4 = t.c4.addingProduct(SIMD16(repeating: ap[4 * rowStep]), b0)
      t.c5 = t.c5.addingProduct(SIMD16(repeating: ap[5 * rowStep]), b0)
      t.c6 = t.c6.addingProduct(SIMD16(repeating: ap[6 * rowStep]), b0)
      t.c7 = t.c7.addingProduct(SIMD16(repeating: ap[7 * rowStep]), b0)
      ap += kStep
      bp += 32
    }
    update.apply(t.c0, to: tile, column: 0)
    update.apply(t.c1, to: tile + 32, column: 0)
    update.apply(t.c2, to: tile + 64, column: 0)
    update.apply(t.c3, to: tile + 96, column: 0)
    update.apply(t.c4, to: tile + 128, column: 0)
    update.apply(t.c5, to: tile + 160, column: 0)
    update.apply(t.c6, to: tile + 192, column: 0)
    update.apply(t.c7, to: tile + 224, column: 0)
  }

  /// ``runLeftHalf(kc:a:lda:b:tile:update:)`` for a last 1-8 columns: the tile's first 8
  /// columns on 8-lane vectors, the same FMAs in the same order (so the same bits) at half the
  /// FMA cost on Zen 4, which runs a 512-bit FMA as two 256-bit halves. Rows `tileStride`
  /// apart (the scratch tile's 32, or the Float workspace's padded width); lanes 8-15 of each
  /// row are written too (zeros under the update), in the tile's or the padding's columns,
  /// which are never merged into C.
  static func runLeftQuarter(
    kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    tile: UnsafeMutablePointer<Float>, tileStride: Int, update: TileUpdate
  ) {
    var c0 = SIMD8<Float>()
    var c1 = SIMD8<Float>()
    var c2 = SIMD8<Float>()
    var c3 = SIMD8<Float>()
    var c4 = SIMD8<Float>()
    var c5 = SIMD8<Float>()
    var c6 = SIMD8<Float>()
    var c7 = SIMD8<Float>()
    let rowStep = lda == 0 ? 1 : lda
    let kStep = lda == 0 ? 8 : 1
    var ap = a
    var bp = b
    for _ in 0..<kc {
      mantissa_prefetch_read(bp + 768)
      let b0 = load8(bp)
      c0 = c0.addingProduct(SIMD8(repeating: ap[0]), b0)
      c1 = c1.addingProduct(SIMD8(repeating: ap[rowStep]), b0)
      c2 = c2.addingProduct(SIMD8(repeating: ap[2 * rowStep]), b0)
      c3 = c3.addingProduct(SIMD8(repeating: ap[3 * rowStep]), b0)
      c4 = c4.addingProduct(SIMD8(repeating: ap[4 * rowStep]), b0)
      c5 = c5.addingProduct(SIMD8(repeating: ap[5 * rowStep]), b0)
      c6 = c6.addingProduct(SIMD8(repeating: ap[6 * rowStep]), b0)
      c7 = c7.addingProduct(SIMD8(repeating: ap[7 * rowStep]), b0)
      ap += kStep
      bp += 32
    }
    @inline(__always) func put(_ v: SIMD8<Float>, _ row: Int) {
      update.apply(lowEightOf(v), to: tile + tileStride * row, column: 0)
    }
    put(c0, 0)
    put(c1, 1)
    put(c2, 2)
    put(c3, 3)
    put(c4, 4)
    put(c5, 5)
    put(c6, 6)
    put(c7, 7)
  }

  /// The 16 accumulators, one k step, and the merge into C, shared by both entry points. Every
  /// member is transparent, so each kernel's loop keeps the accumulators in registers.
  struct Tile {
    var c00 = SIMD16<Float>(), c01 = SIMD16<Float>(), c10 = SIMD16<Float>()
    var c11 = SIMD16<Float>(), c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
    var c30 = SIMD16<Float>(), c31 = SIMD16<Float>(), c40 = SIMD16<Float>()
    var c41 = SIMD16<Float>(), c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
    var c60 = SIMD16<Float>(), c61 = SIMD16<Float>(), c70 = SIMD16<Float>()
    var c71 = SIMD16<Float>()

    /// Zero accumulators, with C's tile asked into L2 when the loop is long enough to claim
    /// it later (TilePrefetch.swift).
    @_transparent
    init(prefetching c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate, kc: Int) {
      if tileClaimStep(kc) > 0 {
        prefetchTileRows(of: c, rows: 8, ldc: ldc, update: update) { mantissa_prefetch_l2($0) }
      }
    }

    /// Asks for C's tile in L1 with intent to write, for the merge after the loop.
    @_transparent
    func claim(_ c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate) {
      prefetchTileRows(of: c, rows: 8, ldc: ldc, update: update) { mantissa_prefetch_write($0) }
    }

    /// One k step: B's 32 values at `bp` times A's eight values of that step.
    @_transparent
    mutating func step(
      _ bp: UnsafePointer<Float>, _ x0: Float, _ x1: Float, _ x2: Float, _ x3: Float,
      _ x4: Float, _ x5: Float, _ x6: Float, _ x7: Float
    ) {
      // B comes from L2 at 128 bytes a step: fetch it 24 steps ahead (the hardware prefetchers
      // alone left 2048^3 at 82-83% of peak, 85-87% with this; 6, 12, 32 and 48 steps measured).
      mantissa_prefetch_read(bp + 768)
      mantissa_prefetch_read(bp + 784)
      step(load16(bp), load16(bp + 16), x0, x1, x2, x3, x4, x5, x6, x7)
    }

    /// One k step on B's 32 values at `bp`, A's values at step `p` of `rows`.
    @_transparent
    mutating func step(_ bp: UnsafePointer<Float>, _ rows: MicroPanelRows, _ p: Int) {
      let q = p * rows.kStride
      step(
        bp, rows.r0[q], rows.r1[q], rows.r2[q], rows.r3[q], rows.r4[q], rows.r5[q],
        rows.r6[q], rows.r7[q])
    }

    /// One k step on B's 32 values `b0`, `b1`, A's values at `offset` (the step times
    /// `rows.kStride`) in `rows`.
    @_transparent
    mutating func step(
      _ b0: SIMD16<Float>, _ b1: SIMD16<Float>, _ rows: MicroPanelRows, offset q: Int
    ) {
      step(
        b0, b1, rows.r0[q], rows.r1[q], rows.r2[q], rows.r3[q], rows.r4[q], rows.r5[q],
        rows.r6[q], rows.r7[q])
    }

    /// One k step on B's 32 values `b0`, `b1`.
    @_transparent
    mutating func step(
      _ b0: SIMD16<Float>, _ b1: SIMD16<Float>, _ x0: Float, _ x1: Float, _ x2: Float,
      _ x3: Float, _ x4: Float, _ x5: Float, _ x6: Float, _ x7: Float
    ) {
      var x = SIMD16<Float>(repeating: x0)
      c00 = c00.addingProduct(x, b0)
      c01 = c01.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: x1)
      c10 = c10.addingProduct(x, b0)
      c11 = c11.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: x2)
      c20 = c20.addingProduct(x, b0)
      c21 = c21.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: x3)
      c30 = c30.addingProduct(x, b0)
      c31 = c31.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: x4)
      c40 = c40.addingProduct(x, b0)
      c41 = c41.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: x5)
      c50 = c50.addingProduct(x, b0)
      c51 = c51.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: x6)
      c60 = c60.addingProduct(x, b0)
      c61 = c61.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: x7)
      c70 = c70.addingProduct(x, b0)
      c71 = c71.addingProduct(x, b1)
    }

    @_transparent
    func store(to c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate) {
      storeRow(c00, c01, to: c, row: 0, ldc: ldc, update: update)
      storeRow(c10, c11, to: c, row: 1, ldc: ldc, update: update)
      storeRow(c20, c21, to: c, row: 2, ldc: ldc, update: update)
      storeRow(c30, c31, to: c, row: 3, ldc: ldc, update: update)
      storeRow(c40, c41, to: c, row: 4, ldc: ldc, update: update)
      storeRow(c50, c51, to: c, row: 5, ldc: ldc, update: update)
      storeRow(c60, c61, to: c, row: 6, ldc: ldc, update: update)
      storeRow(c70, c71, to: c, row: 7, ldc: ldc, update: update)
    }
  }

  /// The eight rows of an A micro-panel: row r's value at k step p at `r_r[p * kStride]`. Read
  /// in place, rows are `lda` apart with a k stride of 1; packed (`lda` 0), rows are adjacent
  /// with a k stride of 8.
  struct MicroPanelRows {
    let r0: UnsafePointer<Float>, r1: UnsafePointer<Float>, r2: UnsafePointer<Float>
    let r3: UnsafePointer<Float>, r4: UnsafePointer<Float>, r5: UnsafePointer<Float>
    let r6: UnsafePointer<Float>, r7: UnsafePointer<Float>
    let kStride: Int

    @_transparent
    init(_ a: UnsafePointer<Float>, lda: Int) {
      let rowStride = lda == 0 ? 1 : lda
      kStride = lda == 0 ? 8 : 1
      r0 = a
      r1 = a + rowStride
      r2 = a + 2 * rowStride
      r3 = a + 3 * rowStride
      r4 = a + 4 * rowStride
      r5 = a + 5 * rowStride
      r6 = a + 6 * rowStride
      r7 = a + 7 * rowStride
    }
  }

  /// One row of the tile, into Float C or rounded into Float16 C (``TileUpdate/half``).
  /// Transparent: as a nested `@inline(__always)` function it stayed an out-of-line call.
  @_transparent
  static func storeRow(
    _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, to c: UnsafeMutablePointer<Float>, row r: Int,
    ldc: Int, update: TileUpdate
  ) {
    if let half = update.half {
      let d = UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float16.self) + r * ldc
      half.apply(v0 * update.alpha, to: d, column: 0)
      half.apply(v1 * update.alpha, to: d + 16, column: 16)
    } else {
      let d = c + r * ldc
      update.apply(v0, to: d, column: 0)
      update.apply(v1, to: d + 16, column: 16)
    }
  }
}
