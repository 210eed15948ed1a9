// The BLIS-style GEMM driver behind every public gemm entry point: argument-free of types (the
// operands arrive as views), it splits C over threads, then runs the NC / KC / MC loops with
// packing around the NR x MR microkernel loops.

/// Where op(B) comes from: a matrix to pack on the fly, or panels packed ahead of time.
enum BSource {
  case view(OperandView)
  case packed(GEMMPackedB)
}

/// One GEMM call, after argument checks, with C described by storage type.
struct GEMMProblem {
  enum CStorage { case float32, float16 }

  var m: Int
  var n: Int
  var k: Int
  var alpha: Float
  var beta: Float
  var a: OperandView
  var b: BSource
  var c: UnsafeMutableRawPointer
  var cStorage: CStorage
  var ldc: Int
  var bias: UnsafePointer<Float>?
  var relu: Bool
  /// A ReLU's forward values laid out like C (its storage type, row stride `ldc`): results are
  /// kept where they are > 0 and multiplied by 0 elsewhere, after bias and ReLU.
  var reluMask: UnsafeRawPointer? = nil

  /// Bytes from an element of C to its element of ``reluMask``, which every epilogue reads as
  /// `destination + delta` (C and the mask share the layout).
  var reluMaskDelta: Int? {
    reluMask.map { Int(bitPattern: $0) - Int(bitPattern: UnsafeRawPointer(c)) }
  }
}

extension GEMMProblem {
  /// How K block `kBlock` of `kBlocks` merges into C (columns from `column` on): the first
  /// block applies beta, later ones accumulate, the last adds bias and ReLU. With
  /// `intoFloatWorkspace` (a Float16 C), blocks only accumulate `alpha * A B` into the Float
  /// workspace; `finishFloat16` applies beta, bias and ReLU when it rounds. Every GEMM path
  /// builds its updates here, so they all give the same bits.
  func tileUpdate(kBlock: Int, of kBlocks: Int, column: Int, intoFloatWorkspace: Bool)
    -> TileUpdate
  {
    if intoFloatWorkspace {
      return TileUpdate(
        mode: kBlock > 0 ? .accumulate : .overwrite, alpha: alpha, beta: 0, bias: nil,
        relu: false)
    }
    let last = kBlock == kBlocks - 1
    return TileUpdate(
      mode: kBlock > 0 ? .accumulate : (beta == 0 ? .overwrite : .scaleAdd), alpha: alpha,
      beta: beta, bias: last ? bias.map { $0 + column } : nil, relu: last && relu,
      reluMaskDelta: last ? reluMaskDelta : nil)
  }
}

/// Work (m * n * k multiply-adds) below which one thread finishes before a second could help.
/// With the ``WorkerPool``'s worker still polling (calls less than 100 us apart, as in a
/// training loop) two threads measured 1.25x at 48^3, 1.43x at 64^3, 1.74x at 96^3, 1.67x at
/// 1000x20x10 (Zen 4, medians, session 11); a worker that has gone to sleep wakes too late to
/// help a call this small, which then pays for waking it (after 1 ms idle: 64^3 0.67x, 96^3
/// 0.80x, 1000x20x64 0.92x). From 80^3 on the warm gain outweighs the cold loss.
let gemmParallelWork = 500_000

func runGEMM(_ problem: GEMMProblem, threads: Int) {
  let overrides = KernelOverrides.current
  var kernel = overrides.gemmMicrokernel ?? .preferred
  if case .packed(let packed) = problem.b { kernel = packed.kernel }
  var p = problem
  if p.m == 0 || p.n == 0 { return }
  if p.k == 0 || p.alpha == 0 {
    scaleOnly(p)
    return
  }
  let blocking =
    overrides.gemmBlocking ?? .defaults(for: kernel, transposedA: p.a.isTransposed)
  let kc: Int
  if case .packed(let packed) = p.b {
    kc = packed.kc
  } else {
    kc = evenBlock(p.k, maximum: blocking.kc, multiple: 1)
  }

  if usesNarrowPath(p, overrides) {
    runNarrowGEMM(p, kc: kc, threads: threads, forceParallel: overrides.forceParallel)
    return
  }

  // Split C into per-thread regions along M when it is tall enough, else along N. The regions
  // cover `p` without its narrow edge, which each thread computes for rows of its own after its
  // region (on the same rows when the split is along M, so A's rows are still in cache).
  var parts = 1
  if threads > 1 && (overrides.forceParallel || p.m * p.n * p.k >= gemmParallelWork) {
    parts = threads
  }
  let edge = narrowEdge(p, kernel: kernel, overrides: overrides)
  if let edge { p.n -= edge.n }
  let rowTiles = (p.m + kernel.mr - 1) / kernel.mr
  let columnTiles = (p.n + kernel.nr - 1) / kernel.nr
  let splitRows: Bool
  if rowTiles >= parts * 2 && columnTiles >= parts * 2 {
    splitRows =
      packedElements(p, blocking: blocking, rowParts: parts, columnParts: 1)
      <= packedElements(p, blocking: blocking, rowParts: 1, columnParts: parts)
  } else {
    splitRows = rowTiles >= parts * 2 || rowTiles >= columnTiles
  }
  parts = min(parts, splitRows ? rowTiles : columnTiles)
  let chunk =
    splitRows
    ? (rowTiles + parts - 1) / parts * kernel.mr : (columnTiles + parts - 1) / parts * kernel.nr
  parts = splitRows ? (p.m + chunk - 1) / chunk : (p.n + chunk - 1) / chunk

  let edgeRows = splitRows ? chunk : roundUp((p.m + parts - 1) / parts, kernel.mr)
  runParallel(parts) { part in
    let start = part * chunk
    if splitRows {
      runRegion(
        p, kernel: kernel, blocking: blocking, kc: kc, rows: start..<min(p.m, start + chunk),
        columns: 0..<p.n)
    } else {
      runRegion(
        p, kernel: kernel, blocking: blocking, kc: kc, rows: 0..<p.m,
        columns: start..<min(p.n, start + chunk))
    }
    let edgeStart = part * edgeRows
    if let edge, edgeStart < p.m {
      runNarrowGEMM(
        edge.rows(edgeStart..<min(p.m, edgeStart + edgeRows)), kc: kc, threads: 1,
        forceParallel: false)
    }
  }
}

/// C's last column as a problem of its own when it is alone past the 32-wide panels (n = 257):
/// the packed kernels would compute at least half a panel for it, the narrow path computes it
/// as dot products (257^3 79 -> 86% of peak, 129^3 64 -> 76%). Two to 16 columns go to the
/// kernel's left half instead (``computeBlock``): the narrow path reads all of A again, which
/// cost 2-3% at n = 1000 and 520 (session 8), while the one-column form stays 3-8% ahead of
/// half a tile at 129-1025. The split depends on the shape alone, so every thread count still
/// gives the same bits. Taken where the narrow path would be: not when a test forces a
/// microkernel without it (the kernel's edge tiles are what it covers), nor with B prepacked
/// (its panels are 32 wide).
private func narrowEdge(
  _ p: GEMMProblem, kernel: GEMMMicrokernel, overrides: KernelOverrides
) -> GEMMProblem? {
  guard kernel.nr == 32, overrides.narrowGEMM ?? (overrides.gemmMicrokernel == nil),
    case .view(let b) = p.b
  else { return nil }
  let edgeColumns = p.n % kernel.nr
  guard p.n > kernel.nr, edgeColumns == 1 else { return nil }
  let first = p.n - edgeColumns
  var edge = p
  edge.n = edgeColumns
  var edgeB = b
  edgeB.base += first * b.columnStride * b.elementBytes
  edge.b = .view(edgeB)
  let cBytes = first * p.cElementBytes
  edge.c += cBytes
  edge.bias = p.bias.map { $0 + first }
  edge.reluMask = p.reluMask.map { $0 + cBytes }
  return edge
}

extension GEMMProblem {
  var cElementBytes: Int { cStorage == .float32 ? 4 : 2 }

  /// The same product restricted to rows `range` of C (and of op(A)).
  func rows(_ range: Range<Int>) -> GEMMProblem {
    var q = self
    q.m = range.count
    q.a.base += range.lowerBound * a.rowStride * a.elementBytes
    let cBytes = range.lowerBound * ldc * cElementBytes
    q.c += cBytes
    q.reluMask = reluMask.map { $0 + cBytes }
    return q
  }

  /// The problem restricted to columns `range` of C (its bias and ReLU mask with it). B is
  /// left as it is: callers that use this pass B's columns themselves.
  func columns(_ range: Range<Int>) -> GEMMProblem {
    var q = self
    q.n = range.count
    let cBytes = range.lowerBound * cElementBytes
    q.c += cBytes
    q.bias = bias.map { $0 + range.lowerBound }
    q.reluMask = reluMask.map { $0 + cBytes }
    return q
  }
}

/// Elements all threads pack together when C is split into `rowParts` x `columnParts` regions:
/// each region packs its own B block for every KC x NC step (so a split along M packs all of B
/// once per region) and its own A block once per NC block of its columns.
private func packedElements(
  _ p: GEMMProblem, blocking: GEMMBlocking, rowParts: Int, columnParts: Int
) -> Int {
  let columns = (p.n + columnParts - 1) / columnParts
  let columnBlocks = (columns + blocking.nc - 1) / blocking.nc
  var bPacked = 0
  if case .view = p.b { bPacked = p.k * p.n * rowParts }
  return p.m * p.k * columnBlocks * columnParts + bPacked
}

/// One thread's rectangle of C, computed with buffers of its own.
private func runRegion(
  _ p: GEMMProblem, kernel: GEMMMicrokernel, blocking: GEMMBlocking, kc: Int, rows: Range<Int>,
  columns: Range<Int>
) {
  let mr = kernel.mr
  let nr = kernel.nr
  let kBlocks = (p.k + kc - 1) / kc
  let mc = evenBlock(rows.count, maximum: blocking.mc, multiple: mr)
  let nc = evenBlock(columns.count, maximum: blocking.nc, multiple: nr)
  let kcMax = min(kc, p.k)

  // Float16 C is accumulated in a Float workspace and rounded once after the last K block. With
  // one K block the workspace only needs the current MC block; otherwise all rows of the region.
  let workspaceRows = kBlocks == 1 ? mc : roundUp(rows.count, mr)
  var packedBPanelsNeeded = true
  if case .packed = p.b { packedBPanelsNeeded = false }
  // A is packed one micro-panel at a time, just before its row of microkernel calls.
  // Each part starts on a cache line (counts rounded to 16 Floats): with an odd KC (k = 193,
  // 257) an unrounded A panel left every B panel 32 bytes off, so each of the microkernel's
  // 64-byte B loads straddled two lines.
  // Room for two A micro-panels (a transposed A is packed in pairs, ``computeBlock``), or for
  // the whole MC block of a transposed A packed at once for the 6-row kernel.
  let aCount =
    packsTransposedABlock(kernel, p.a)
    ? roundUp(roundUp(mc, mr) * kcMax, 16)
    : roundUp(2 * mr * kcMax, 16)
  let bCount = packedBPanelsNeeded ? roundUp(kcMax * nc, 16) : 0
  let tileCount = roundUp(mr * nr, 16)
  let workspaceCount =
    p.cStorage == .float16 && !roundsFloat16InKernel(kBlocks, kernel) ? workspaceRows * nc : 0
  PackBufferPool.withBuffer(count: aCount + bCount + tileCount + workspaceCount + 16) { scratch in
    runRegion(
      p, kernel: kernel, blocking: blocking, kc: kc, rows: rows, columns: columns, mc: mc, nc: nc,
      scratch: scratch, aCount: aCount, bCount: bCount, tileCount: tileCount)
  }
}

/// ``runRegion(_:kernel:blocking:kc:rows:columns:)`` with its scratch laid out.
@inline(__always)
private func runRegion(
  _ p: GEMMProblem, kernel: GEMMMicrokernel, blocking: GEMMBlocking, kc: Int, rows: Range<Int>,
  columns: Range<Int>, mc: Int, nc: Int, scratch: UnsafeMutablePointer<Float>, aCount: Int,
  bCount: Int, tileCount: Int
) {
  let nr = kernel.nr
  let kBlocks = (p.k + kc - 1) / kc
  let aPack = scratch
  let bPack = aPack + aCount
  let tile = bPack + bCount
  let workspace = tile + tileCount
  var jc = columns.lowerBound
  while jc < columns.upperBound {
    let ncur = min(nc, columns.upperBound - jc)
    let ncPadded = roundUp(ncur, nr)
    for kb in 0..<kBlocks {
      let p0 = kb * kc
      let kcur = min(kc, p.k - p0)
      let lastK = kb == kBlocks - 1
      let bPanels: UnsafePointer<Float>
      var packing: FusedBPacking? = nil
      switch p.b {
      case .view(let view):
        if kernel.packsBInKernel && view.columnStride == 1 {
          // The full panels are packed by the first row of tiles, the last partial one here.
          let full = ncur / nr
          var source = view
          source.base += (p0 * view.rowStride + jc) * view.elementBytes
          packing = FusedBPacking(
            source: source, panels: full, destination: bPack,
            pairs: kernel.packsBPanelPairs && view.storage == .float32
              && view.rowStride * view.elementBytes >= FusedBPacking.pairedRowBytes)
          if full * nr < ncur {
            packB(
              view, depth0: p0, column0: jc + full * nr, depth: kcur, columns: ncur - full * nr,
              nr: nr, into: bPack + full * nr * kcur)
          }
        } else {
          packB(view, depth0: p0, column0: jc, depth: kcur, columns: ncur, nr: nr, into: bPack)
        }
        bPanels = UnsafePointer(bPack)
      case .packed(let packed):
        bPanels = packed.panels(kBlock: kb, column: jc)
      }
      var ic = rows.lowerBound
      while ic < rows.upperBound {
        let mcur = min(mc, rows.upperBound - ic)
        let a = PanelSource(
          view: p.a, row0: ic, depth0: p0, panel: aPack,
          packingB: ic == rows.lowerBound ? packing : nil)
        switch p.cStorage {
        case .float32:
          let update = p.tileUpdate(
            kBlock: kb, of: kBlocks, column: jc, intoFloatWorkspace: false)
          let c = p.c.assumingMemoryBound(to: Float.self) + ic * p.ldc + jc
          computeBlock(
            kernel, kc: kcur, a: a, bPanels: bPanels, rows: mcur, columns: ncur,
            c: c, ldc: p.ldc, update: update, tile: tile, padded: false)
        case .float16 where roundsFloat16InKernel(kBlocks, kernel):
          var update = p.tileUpdate(kBlock: 0, of: 1, column: jc, intoFloatWorkspace: true)
          update.half = HalfFinish(
            beta: p.beta, bias: p.bias.map { $0 + jc }, relu: p.relu,
            reluMaskDelta: p.reluMaskDelta)
          let c = p.c.assumingMemoryBound(to: Float16.self) + ic * p.ldc + jc
          computeBlock(
            kernel, kc: kcur, a: a, bPanels: bPanels, rows: mcur, columns: ncur,
            c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc: p.ldc,
            update: update, tile: tile, padded: false)
        case .float16:
          let update = p.tileUpdate(
            kBlock: kb, of: kBlocks, column: jc, intoFloatWorkspace: true)
          let rowBase = kBlocks == 1 ? 0 : ic - rows.lowerBound
          let w = workspace + rowBase * ncPadded
          computeBlock(
            kernel, kc: kcur, a: a, bPanels: bPanels, rows: mcur, columns: ncur,
            c: w, ldc: ncPadded, update: update, tile: tile, padded: true)
          if lastK {
            let c = p.c.assumingMemoryBound(to: Float16.self) + ic * p.ldc + jc
            finishFloat16(
              workspace: w, workspaceStride: ncPadded, c: c, ldc: p.ldc, rows: mcur,
              columns: ncur, beta: p.beta, bias: p.bias.map { $0 + jc }, relu: p.relu,
              reluMaskDelta: p.reluMaskDelta)
          }
        }
        ic += mcur
      }
    }
    jc += ncur
  }
}

/// Whether the macro-kernel packs a transposed A's whole MC block before its first row of tiles
/// (``packTransposedABlock6``) rather than a micro-panel or a pair at a time.
private func packsTransposedABlock(_ kernel: GEMMMicrokernel, _ a: OperandView) -> Bool {
  kernel.mr == 6 && a.isTransposed
}

/// Whether a Float16 C is rounded in the microkernel's registers (``TileUpdate/half``) rather
/// than through the Float workspace: one decision for sizing the scratch and for the loop.
private func roundsFloat16InKernel(_ kBlocks: Int, _ kernel: GEMMMicrokernel) -> Bool {
  kBlocks == 1 && kernel.roundsToFloat16
}

/// Where the macro-kernel's A micro-panels come from: op(A) from (`row0`, `depth0`) on, read in
/// place or packed into `panel` as they are needed. Nothing asks for the next micro-panel's
/// rows ahead: without the prefetcher that did (into L2, spread over the row's calls) the call
/// ran 1.00-1.04x as fast at 128-2048^3 once B was packed in the kernel (session 9); with few
/// calls per row its bursts of prefetches waited on the fill buffers.
private struct PanelSource {
  var view: OperandView
  var row0: Int
  var depth0: Int
  var panel: UnsafeMutablePointer<Float>
  /// B's full panels still to pack, by the first row of tiles (``FusedBPacking``).
  var packingB: FusedBPacking?
}

/// The full B panels of a block that the first row of microkernel calls packs as it computes
/// (``GEMMMicrokernel/packsBInKernel``): `panels` panels of row-major B as stored, from the
/// block's first depth and column at `source.base`, into `destination` in the layout ``packB``
/// writes. A pass of its own before the block waited on B's source: 2-5% of the call at
/// 128-1000^3 (Docs/Performance.md, session 9).
struct FusedBPacking {
  var source: OperandView
  var panels: Int
  var destination: UnsafeMutablePointer<Float>
  /// Whether each packing tile packs two panels (its own and the next), so that every source
  /// row it touches is visited once per two panels: for a Float B whose rows are at least
  /// ``pairedRowBytes`` apart. A panel's KC rows then lie on about KC / 2 to KC distinct 4 KiB
  /// pages, more than the L1 TLB holds, and the first row of tiles waited on translations once
  /// per panel (it ran at about a fifth of the FMA rate at 1000^3; Docs/Performance.md, session
  /// 19). In-process turns against one panel per tile on Zen 4, 1 thread, f32 (session 20):
  /// 1000^3 +1.9 to +3.0% in seven rounds, 1000^3:tn +1.1 to +3.1%, 512x3072x768 +0.3 to
  /// +1.4%, 1024^3 -0.2 to +0.6%, 2048^3 and 4096x4096x1024 -0.1 to +0.5%, 384^3 -0.3 to
  /// +0.2%; rows 1 KiB apart (256^3) -0.3 to -0.4%, so not there. A Float16 B gained nothing
  /// (1000^3, 1024^3, 2048^3, 512x3072x768: 0.986-1.009), so it keeps one panel per tile. Four
  /// panels per tile measured no better than two, and pairs for `f32-gemm-6x16-simd8` (the
  /// x86-64-v3 build on the same Zen 4) 0.993-1.006.
  var pairs: Bool

  /// The row distance from which tiles pack pairs (half a page: at most two rows per page).
  static let pairedRowBytes = 2048

  /// Whether the first row's tile on `panel` packs; the second panel of a pair was packed by
  /// the tile to its left.
  func packs(panel: Int) -> Bool { panel < panels && !(pairs && panel % 2 == 1) }
}

/// The macro-kernel: every MR x NR tile of one MC x NC block of C, against the packed B block.
/// Each A micro-panel is read in place (row-major A: skipping the transposing pack was worth
/// 17% at 64^3, 5% at 256^3, 1% at 1024^3) or packed into an L1-sized buffer just before its
/// row of tiles (two at a time for a transposed A). The first row of tiles packs B's full
/// panels as it goes when `source.packingB` says so. `padded` says the
/// destination has room for whole tiles past `rows` x `columns` (the Float16 workspace), so edge
/// tiles can be stored directly too.
@inline(__always)
private func computeBlock(
  _ kernel: GEMMMicrokernel, kc: Int, a source: PanelSource, bPanels: UnsafePointer<Float>,
  rows: Int, columns: Int, c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate,
  tile: UnsafeMutablePointer<Float>, padded: Bool
) {
  let mr = kernel.mr
  let nr = kernel.nr
  // With `update.half`, `c` is Float16 C's address (``TileUpdate/half``).
  let cSize = update.half == nil ? 4 : 2
  let panel0 = UnsafePointer(source.panel)
  // A transposed A (op(A)'s rows adjacent in memory) is packed two micro-panels at a time
  // into `source.panel` (room for two) by the 8-row kernels.
  let pairsTransposedA = mr == 8 && source.view.isTransposed
  var pairPacked = false
  let blockPacked = packsTransposedABlock(kernel, source.view)
  if blockPacked {
    packTransposedABlock6(
      source.view, row0: source.row0, depth0: source.depth0, rows: rows, depth: kc,
      into: source.panel)
  }
  var ir = 0
  while ir < rows {
    var a = panel0
    let mrCur = min(mr, rows - ir)
    // A row-major A is read in place by a kernel that can (a Float16 one widened into rows
    // first); a transposed A packs as plain copies, and a short last panel packs with zeros.
    let inPlace = kernel.readsAInPlace && mrCur == mr && source.view.columnStride == 1
    var aRows = a
    var lda = 0
    if inPlace {
      let first = source.view.base
      switch source.view.storage {
      case .float32:
        aRows =
          first.assumingMemoryBound(to: Float.self) + (source.row0 + ir) * source.view.rowStride
          + source.depth0
        lda = source.view.rowStride
      case .float16:
        let rowsStart =
          first.assumingMemoryBound(to: Float16.self) + (source.row0 + ir)
          * source.view.rowStride + source.depth0
        for r in 0..<mr {
          Float16.copyWidened(
            rowsStart + r * source.view.rowStride, to: source.panel + r * kc, count: kc)
        }
        lda = kc
      }
    } else if blockPacked {
      a = panel0 + ir * kc
    } else if pairsTransposedA && ir % 16 == 0 && ir + 16 <= rows {
      // Micro-panels in pairs: the pair's 16 values of each k step are one 64-byte line of a
      // transposed A, so one pass reads each line once (packing the panels one at a time read
      // every line twice, the second time most likely from L2: a panel's lines, `lda` apart,
      // share an L1 set when lda is a multiple of 1024). 1024^3 with A transposed +5%.
      packTransposedAPair(
        source.view, row0: source.row0 + ir, depth0: source.depth0, depth: kc,
        into: source.panel)
      pairPacked = true
    } else if pairPacked && ir % 16 == 8 {
      a = panel0 + 8 * kc
    } else {
      pairPacked = false
      packA(
        source.view, row0: source.row0 + ir, depth0: source.depth0, rows: mrCur, depth: kc,
        mr: mr, into: source.panel)
    }
    var jr = 0
    while jr < columns {
      let nrCur = min(nr, columns - jr)
      let b = bPanels + jr * kc
      let cTile = (UnsafeMutableRawPointer(c) + (ir * ldc + jr) * cSize)
        .assumingMemoryBound(to: Float.self)
      var tileUpdate = update
      tileUpdate.bias = update.bias.map { $0 + jr }
      tileUpdate.half?.bias = update.half?.bias.map { $0 + jr }
      @inline(__always)
      func runTile(_ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ update: TileUpdate) {
        if ir == 0, let packing = source.packingB, packing.packs(panel: jr / nr) {
          kernel.runPackingB(
            kc: kc, a: inPlace ? aRows : a, lda: inPlace ? lda : 0, packing: packing,
            panel: jr / nr, c: c, ldc: ldc, update: update)
        } else if inPlace {
          kernel.runDirectA(kc: kc, a: aRows, lda: lda, b: b, c: c, ldc: ldc, update: update)
        } else {
          kernel.run(kc: kc, a: a, b: b, c: c, ldc: ldc, update: update)
        }
      }
      // An edge tile into the scratch tile (rows `nr` apart), by the kernel's left half when
      // at most half a panel of columns is left: C's last columns at n = 1000 or 520 (8 past
      // the panels) in half a tile's time, A's rows still in L1 (+2-3%; through the narrow
      // path, which reads A again, or as a whole tile, it cost 3-4%).
      @inline(__always)
      func runLeftQuarter(
        _ c: UnsafeMutablePointer<Float>, _ stride: Int, _ update: TileUpdate
      ) {
        kernel.runLeftQuarter(
          kc: kc, a: inPlace ? aRows : a, lda: inPlace ? lda : 0, b: b, tile: c,
          tileStride: stride, update: update)
      }
      @inline(__always)
      func runEdgeTile(_ update: TileUpdate) {
        if nrCur <= 8 && kernel.hasLeftQuarter {
          runLeftQuarter(tile, nr, update)
        } else if nrCur <= nr / 2 && kernel.hasLeftHalf {
          kernel.runLeftHalf(
            kc: kc, a: inPlace ? aRows : a, lda: inPlace ? lda : 0, b: b, tile: tile,
            update: update)
        } else {
          runTile(tile, nr, update)
        }
      }
      if padded && nrCur <= 8 && kernel.hasLeftQuarter {
        // The Float workspace has room for a whole tile, but a last 1-8 columns need only the
        // left quarter (Zen 4, 1 thread, Float16 C with two K blocks: 1000x40x1000 1176 -> 830
        // us, 256x40x1000 301 -> 213).
        runLeftQuarter(cTile, ldc, tileUpdate)
      } else if padded || (mrCur == mr && nrCur == nr) {
        runTile(cTile, ldc, tileUpdate)
      } else if let half = tileUpdate.half {
        // The workspace's value in the scratch tile, then the workspace's rounding.
        var scratchUpdate = tileUpdate
        scratchUpdate.half = nil
        runEdgeTile(scratchUpdate)
        finishFloat16(
          workspace: tile, workspaceStride: nr,
          c: UnsafeMutableRawPointer(cTile).assumingMemoryBound(to: Float16.self), ldc: ldc,
          rows: mrCur, columns: nrCur, beta: half.beta, bias: half.bias, relu: half.relu,
          reluMaskDelta: half.reluMaskDelta)
      } else {
        runEdgeTile(.raw)
        tileUpdate.merge(
          tile: tile, tileStride: nr, into: cTile, ldc: ldc, rows: mrCur, columns: nrCur)
      }
      jr += nr
    }
    ir += mr
  }
}

/// Rounds a finished block of the Float workspace into Float16 C:
/// `c = relu(fma(beta, c, w) + bias)`, reading C only when beta != 0, then masked by the ReLU
/// mask at `c + reluMaskDelta` bytes when given (``GEMMProblem/reluMask``).
func finishFloat16(
  workspace: UnsafePointer<Float>, workspaceStride: Int, c: UnsafeMutablePointer<Float16>,
  ldc: Int, rows: Int, columns: Int, beta: Float, bias: UnsafePointer<Float>?, relu: Bool,
  reluMaskDelta: Int? = nil
) {
  for r in 0..<rows {
    let w = workspace + r * workspaceStride
    let d = c + r * ldc
    let finish = HalfFinish(beta: beta, bias: bias, relu: relu, reluMaskDelta: reluMaskDelta)
    var j = 0
    while j + 16 <= columns {
      finish.apply(load16(w + j), to: d + j, column: j)
      j += 16
    }
    // The row end with the same vector arithmetic on its low lanes (masked on AVX-512).
    if j < columns {
      let n = columns - j
      var v = loadPartial16(w + j, n)
      if beta != 0 { v = v.addingProduct(beta, loadPartialWidened16(d + j, n)) }
      if let bias { v += loadPartial16(bias + j, n) }
      if relu { v = rectified(v) }
      if let reluMaskDelta {
        v = maskedByReLU(v, loadPartialWidened16(halfMask(d + j, reluMaskDelta), n))
      }
      storePartialNarrowed16(v, to: d + j, n)
    }
  }
}

/// `C := beta * C` (then bias and ReLU) for k == 0 or alpha == 0, where A and B are not read;
/// beta == 0 writes zeros without reading C.
private func scaleOnly(_ p: GEMMProblem) {
  for i in 0..<p.m {
    for j in 0..<p.n {
      switch p.cStorage {
      case .float32:
        let c = p.c.assumingMemoryBound(to: Float.self) + i * p.ldc + j
        var v = p.beta == 0 ? 0 : p.beta * c.pointee
        if let bias = p.bias { v += bias[j] }
        if p.relu, v < 0 { v = 0 }
        if let delta = p.reluMaskDelta { v = maskedByReLU(v, floatMask(c, delta).pointee) }
        c.pointee = v
      case .float16:
        let c = p.c.assumingMemoryBound(to: Float16.self) + i * p.ldc + j
        var v = p.beta == 0 ? 0 : p.beta * Float(c.pointee)
        if let bias = p.bias { v += bias[j] }
        if p.relu, v < 0 { v = 0 }
        if let delta = p.reluMaskDelta { v = maskedByReLU(v, Float(halfMask(c, delta).pointee)) }
        c.pointee = Float16(v)
      }
    }
  }
}
