// f32-gemm-8x16-simd16direct and f32-gemm-4x32-simd16direct (and every other type combination):
// the path for narrow C (n <= 32), the shape of small layers (n = 1, 10, 20). A 32-wide register
// tile would waste most of its lanes there and merge every tile through scratch memory; instead
// A is read in place, B too where its rows are contiguous (else packed into rows of 16 or 32
// Floats), and 8 rows of 16 columns (n <= 16) or 4 rows of 32 are computed at a time in 8
// SIMD16<Float> accumulators, enough FMA chains to hide the FMA latency (4 rows of 16 left it
// latency-bound). Row ends use masked loads and stores. Same summation order and update formulas as
// the packed microkernels (one FMA per term in increasing k within each K block, TileUpdate),
// so results are bitwise identical to theirs. Forms of their own, same arithmetic: k = 1
// (`1x16`/`1x32-simd16direct`, row by row), k <= 16 with n > 16 (`narrowShallow32`), weight
// gradients (`32x12-simd16columns`, NarrowColumnsGEMM.swift), n = 1 (SingleColumnGEMM.swift),
// and in AVX-512 builds 17-20 or 2-4 columns in one K block (`4x20-simd16quad`,
// `16x4-simd16quad`, NarrowQuadGEMM.swift).
// Measured: see Docs/Performance.md (`mantissa-bench gemm --shapes small`, `--shapes seed`).

/// Whether a problem takes the narrow path: B not prepacked, n <= 32, and not
/// disabled by a forced microkernel (tests force each kernel to cover it) unless forced on.
func usesNarrowPath(_ p: GEMMProblem, _ overrides: KernelOverrides) -> Bool {
  guard p.n <= 32, case .view = p.b else { return false }
  if let forced = overrides.narrowGEMM { return forced }
  return overrides.gemmMicrokernel == nil
}

func runNarrowGEMM(_ p: GEMMProblem, kc: Int, threads: Int, forceParallel: Bool) {
  guard case .view(let bView) = p.b else { return }
  if usesNarrowDots(m: p.m, n: p.n, k: p.k, transA: p.a.columnStride != 1) {
    // op(B)'s columns as rows of their own (NarrowDotGEMM.swift), for all rows of C.
    let packed = UnsafeMutablePointer<Float>.allocate(
      capacity: p.n * packedColumnStride(k: p.k) + 16)
    defer { packed.deallocate() }
    let columns = alignedToCacheLine(packed)
    packColumnsOfB(bView, k: p.k, n: p.n, into: columns)
    // 10-12 columns as the first 8 and the rest, a part's rows of A read twice while in cache.
    let first = min(p.n, 8)
    let stride = packedColumnStride(k: p.k)
    let (parts, rowsPerPart) = narrowParts(p, threads: threads, forceParallel: forceParallel)
    runParallel(parts) { part in
      let rows = (part * rowsPerPart)..<min(p.m, (part + 1) * rowsPerPart)
      @inline(__always) func dots(_ piece: GEMMProblem, _ b: UnsafePointer<Float>) {
        switch p.a.storage {
        case .float32:
          narrowDots(piece, a: p.a.base.assumingMemoryBound(to: Float.self), b: b, rows: rows)
        case .float16:
          narrowDots(piece, a: p.a.base.assumingMemoryBound(to: Float16.self), b: b, rows: rows)
        }
      }
      dots(p.columns(0..<first), columns)
      if first < p.n { dots(p.columns(first..<p.n), columns + first * stride) }
    }
    return
  }
  // n == 1 reads B one value at a time (SingleColumnGEMM.swift): rows of one, not 16.
  let width = p.n == 1 ? 1 : p.n <= 16 ? 16 : 32
  // A B with contiguous rows is read in place (lanes past n compute values that are never
  // stored), except its last rows, where a full-width load would run past the end of B: those,
  // and a transposed B, are packed into rows of `width` (packing B cost 18% of a seed-example
  // step).
  // Float16 rows are widened as they are loaded.
  // Shallow and wide: all of op(B) in rows of 32 (below), A read by groups of 4 rows.
  let shallow32 = width == 32 && p.k >= 2 && p.k <= 16
  // Shallow and narrow with a Float A read by rows (1000x10x20 8.5 -> 6.0 us; a Float16 A,
  // one conversion per broadcast, lost at k = 32 and keeps the general form).
  // A Float16 A is widened 128 rows at a time and run as a Float A
  // (`narrowShallow16WideningA`).
  let shallow16 = width == 16 && p.n > 1 && p.k >= 2 && p.k <= 32 && p.a.columnStride == 1
  // 17-20 or 2-4 columns in one K block (AVX-512 builds): op(B) packed too, its last columns
  // as quads (NarrowQuadGEMM.swift).
  let quads =
    !usesSingleRow(m: p.m, n: p.n, k: p.k)
    && usesNarrowQuads(m: p.m, n: p.n, k: p.k, transA: p.a.columnStride != 1, kBlock: kc)
  let packsAllOfB = shallow32 || shallow16 || quads
  // A Float16 B read in place is converted again in every group of rows: from 64 rows of C it
  // is widened once (1000x20x64 f16-f16-f32: 44.6 -> 37.3 us, Float 30.7). Contiguous rows go
  // to a Float copy with rows n apart, read in place like a Float B (a vector of zeros after
  // it, so that every row can be loaded whole): packed into rows of 32 instead, a deep B
  // outgrew L1 (128x20x512: 64 KiB against Float's 40; 40 us against 28).
  let widensB = bView.storage == .float16 && p.m >= 64
  let widensBInPlace = widensB && bView.columnStride == 1 && p.k > 0 && !packsAllOfB
  let widenedB = UnsafeMutablePointer<Float>.allocate(
    capacity: widensBInPlace ? p.k * p.n + width : 0)
  defer { widenedB.deallocate() }
  var direct = bView.base
  var directStride = width
  var directRows = 0
  if widensBInPlace {
    let source = bView.base.assumingMemoryBound(to: Float16.self)
    if bView.rowStride == p.n {
      // Rows back to back (a layer's weights): one flat copy, not a 16-lane vector and a
      // scalar tail per row of 20 (128x20x512 f32-f16-f32 0.94 -> 0.98 of Float's speed).
      Float16.copyWidened(source, to: widenedB, count: p.k * p.n)
    } else {
      for q in 0..<p.k {
        Float16.copyWidened(source + q * bView.rowStride, to: widenedB + q * p.n, count: p.n)
      }
    }
    (widenedB + p.k * p.n).initialize(repeating: 0, count: width)
    direct = UnsafeRawPointer(widenedB)
    directStride = p.n
    directRows = p.k
  } else if bView.columnStride == 1 && p.k > 0 && !packsAllOfB && !widensB {
    let rs = bView.rowStride
    let lastSafeStart = (p.k - 1) * rs + p.n - width
    directRows = lastSafeStart < 0 ? 0 : min(p.k, lastSafeStart / rs + 1)
    directStride = rs
  }
  let packedRows = p.k - directRows
  // Rows of 16 or 32 Floats loaded whole: on a cache line, none of those loads straddles two
  // (a 512-deep B packed into rows of 32: 0.72 -> 0.90 of the speed it has read in place).
  let packedBuffer = UnsafeMutablePointer<Float>.allocate(
    capacity: max(1, packedRows * width) + 16)
  defer { packedBuffer.deallocate() }
  let packed = alignedToCacheLine(packedBuffer)
  if packedRows > 0 {
    packB(
      bView, depth0: directRows, column0: 0, depth: packedRows, columns: p.n, nr: width,
      into: packed)
    if quads {
      expandColumnsIntoQuads(packed, rows: packedRows, width: width, column: p.n > 16 ? 16 : 0)
    }
  }
  let rowsOfB = BRows(
    direct: direct, directIsHalf: bView.storage == .float16 && !widensBInPlace,
    directStride: directStride,
    directRows: directRows, packed: UnsafePointer(packed), width: width)
  if usesNarrowColumns(p) {
    switch p.a.storage {
    case .float32:
      narrowColumns(p, a: p.a.base.assumingMemoryBound(to: Float.self), b: rowsOfB, kc: kc)
    case .float16:
      narrowColumns(p, a: p.a.base.assumingMemoryBound(to: Float16.self), b: rowsOfB, kc: kc)
    }
    return
  }
  if usesSingleRow(m: p.m, n: p.n, k: p.k) {
    switch p.a.storage {
    case .float32: singleRowSums(p, a: p.a.base.assumingMemoryBound(to: Float.self), b: rowsOfB)
    case .float16:
      singleRowSums(p, a: p.a.base.assumingMemoryBound(to: Float16.self), b: rowsOfB)
    }
    return
  }
  let (parts, rowsPerPart) = narrowParts(p, threads: threads, forceParallel: forceParallel)
  nonisolated(unsafe) let b = rowsOfB
  runParallel(parts) { part in
    let rows = (part * rowsPerPart)..<min(p.m, (part + 1) * rowsPerPart)
    if p.n == 1 {
      switch p.a.storage {
      case .float32:
        singleColumnRows(
          p, a: p.a.base.assumingMemoryBound(to: Float.self), b: b, kc: kc, rows: rows)
      case .float16:
        singleColumnRows(
          p, a: p.a.base.assumingMemoryBound(to: Float16.self), b: b, kc: kc, rows: rows)
      }
      return
    }
    if quads {
      switch p.a.storage {
      case .float32:
        narrowQuadForms(p, a: p.a.base.assumingMemoryBound(to: Float.self), b: b.packed, rows: rows)
      case .float16:
        narrowQuadForms(
          p, a: p.a.base.assumingMemoryBound(to: Float16.self), b: b.packed, rows: rows)
      }
      return
    }
    if shallow16 {
      switch p.a.storage {
      case .float32:
        narrowShallow16(
          p, a: p.a.base.assumingMemoryBound(to: Float.self), b: b.packed, rows: rows)
      case .float16:
        narrowShallow16WideningA(
          p, a: p.a.base.assumingMemoryBound(to: Float16.self), b: b.packed, rows: rows)
      }
      return
    }
    if shallow32 {
      switch p.a.storage {
      case .float32:
        narrowShallow32(
          p, a: p.a.base.assumingMemoryBound(to: Float.self), rowStride: p.a.rowStride,
          columnStride: p.a.columnStride, firstRowOfA: 0, b: b.packed, rows: rows)
      case .float16 where p.a.columnStride == 1:
        narrowShallow32WideningA(
          p, a: p.a.base.assumingMemoryBound(to: Float16.self), b: b.packed, rows: rows)
      case .float16:
        narrowShallow32(
          p, a: p.a.base.assumingMemoryBound(to: Float16.self), rowStride: p.a.rowStride,
          columnStride: p.a.columnStride, firstRowOfA: 0, b: b.packed, rows: rows)
      }
      return
    }
    if usesFlatRankOne(p) {
      switch p.a.storage {
      case .float32:
        narrowRankOneFlat(p, a: p.a.base.assumingMemoryBound(to: Float.self), b: b, rows: rows)
      case .float16:
        narrowRankOneFlat(
          p, a: p.a.base.assumingMemoryBound(to: Float16.self), b: b, rows: rows)
      }
      return
    }
    if p.k == 1 {
      switch p.a.storage {
      case .float32:
        narrowRankOne(p, a: p.a.base.assumingMemoryBound(to: Float.self), b: b, rows: rows)
      case .float16:
        narrowRankOne(p, a: p.a.base.assumingMemoryBound(to: Float16.self), b: b, rows: rows)
      }
      return
    }
    switch (p.a.storage, width) {
    case (.float16, _) where p.a.columnStride == 1:
      narrowRowsWideningA(
        p, a: p.a.base.assumingMemoryBound(to: Float16.self), b: b, width: width, kc: kc,
        rows: rows)
    case (.float16, _) where p.a.rowStride == 1 && !NarrowAccumulators.fullGroups:
      narrowRowsWideningTransposedA(
        p, a: p.a.base.assumingMemoryBound(to: Float16.self), b: b, width: width, kc: kc,
        rows: rows)
    case (.float32, 16):
      narrowRows16(p, a: p.a.base.assumingMemoryBound(to: Float.self), b: b, kc: kc, rows: rows)
    case (.float32, _):
      narrowRows32(p, a: p.a.base.assumingMemoryBound(to: Float.self), b: b, kc: kc, rows: rows)
    case (.float16, 16):
      narrowRows16(
        p, a: p.a.base.assumingMemoryBound(to: Float16.self), b: b, kc: kc, rows: rows)
    case (.float16, _):
      narrowRows32(
        p, a: p.a.base.assumingMemoryBound(to: Float16.self), b: b, kc: kc, rows: rows)
    }
  }
}

/// How many threads share C's rows, and how many rows each takes (whole groups of 4 but the
/// last part's): one part unless the product is worth a parallel region
/// (``gemmParallelWork``) or a test forces it. (Taking the parts' work as a closure instead
/// changed how the optimizer split the quad forms: 1000x20x10 4.9 -> 6.1 us.)
private func narrowParts(_ p: GEMMProblem, threads: Int, forceParallel: Bool) -> (Int, Int) {
  let groups = (p.m + 3) / 4
  var parts = 1
  if threads > 1 && (forceParallel || p.m * p.n * p.k >= gemmParallelWork) {
    parts = min(threads, groups)
  }
  let groupsPerPart = (groups + parts - 1) / parts
  return ((groups + groupsPerPart - 1) / groupsPerPart, groupsPerPart * 4)
}

// One function per tile width, so that each holds only its own loop and the register
// allocator sees one k loop's values at a time.
@inline(never)
private func narrowRows16<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, firstRowOfA: Int = 0, b: BRows, kc: Int,
  rows: Range<Int>
) {
  narrowRows(p, a: a, firstRowOfA: firstRowOfA, b: b, width: 16, kc: kc, rows: rows)
}

@inline(never)
private func narrowRows32<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, firstRowOfA: Int = 0, b: BRows, kc: Int,
  rows: Range<Int>
) {
  narrowRows(p, a: a, firstRowOfA: firstRowOfA, b: b, width: 32, kc: kc, rows: rows)
}

/// ``narrowRows16`` / ``narrowRows32`` for a row-major Float16 A (depths beyond the shallow
/// forms'). Up to moderate depths, blocks of up to 256 rows, all of k, are widened (one flat
/// array when the rows are back to back) and run as a Float A, as
/// ``narrowShallow32WideningA`` does: widened group by group, 1000x10x20 f16-f16-f32 ran 12.7 us
/// against Float's 6.0 (the conversions' stores still in flight when the broadcasts read them).
@inline(never)
private func narrowRowsWideningA(
  _ p: GEMMProblem, a: UnsafePointer<Float16>, b: BRows, width: Int, kc: Int, rows: Range<Int>
) {
  // A deep A is widened group by group instead (`narrowRows`), into a buffer that stays in L1:
  // blocks of 32 rows of a 512-deep A outgrew it, and widening into them stalled on the stores
  // (128x20x512 f16 0.76 -> 0.83 of Float's speed, 256x10x256 0.69 -> 0.94). Since that buffer
  // starts on a cache line, group by group wins from k = 48 with 8-row groups (1000x10x64 0.84
  // -> 0.94-0.96, 1000x10x48 0.87 -> 0.93) and from k = 128-192 with 4-row groups (1000x20x192
  // 0.81 -> 0.88); shallower, a block's setup is the smaller cost (1000x20x32 0.90 in blocks,
  // 0.83 by groups).
  let groupRows = width == 16 ? 8 : 4
  if groupRows * p.k >= (width == 16 ? 384 : 512) {
    if width == 16 {
      narrowRows16(p, a: a, b: b, kc: kc, rows: rows)
    } else {
      narrowRows32(p, a: a, b: b, kc: kc, rows: rows)
    }
    return
  }
  let stride = p.a.rowStride == p.k ? p.k : (p.k + 15) / 16 * 16
  // About 16 KiB, so the block stays in L1 while its groups read it, but at least 32 rows: each
  // block pays the rows form's setup (blocks of 64 rows cost a Float A 3-5% at 1000x20x32-64).
  // 8 KiB blocks measured 2-3% slower at 1000x20x32-64 and 1000x10x64, 24 KiB no faster.
  let blockRows = max(32, min(256, 4096 / max(stride, 1) / 8 * 8))
  withWidenedBlocks(p, a: a, rows: rows, stride: stride, blockRows: blockRows) {
    q, widened, block in
    if width == 16 {
      narrowRows16(q, a: widened, firstRowOfA: block.lowerBound, b: b, kc: kc, rows: block)
    } else {
      narrowRows32(q, a: widened, firstRowOfA: block.lowerBound, b: b, kc: kc, rows: block)
    }
  }
}

/// ``narrowRows16`` / ``narrowRows32`` for a transposed Float16 A (a weight gradient's dY^T) in
/// AVX2 builds: blocks of rows, all of k, are widened k-major into a Float buffer and run as a
/// transposed Float A. The half-height AVX2 groups (4 rows of 16) each widened their 4 values
/// per depth step, a partial conversion for every 4 FMAs; a block converts its rows' values of
/// a depth step in one pass (16 and 8 at a time).
@inline(never)
private func narrowRowsWideningTransposedA(
  _ p: GEMMProblem, a: UnsafePointer<Float16>, b: BRows, width: Int, kc: Int, rows: Range<Int>
) {
  let cs = p.a.columnStride
  let groupRows = NarrowAccumulators.groupRows(width: width, narrowRight: p.n <= 24)
  let blockRows = min(
    rows.count, max(groupRows, narrowTransposedBlockFloats / max(p.k, 1) / groupRows * groupRows))
  // From the pool: a block above glibc's mmap threshold (128 KiB) came back as fresh pages.
  PackBufferPool.withBuffer(count: blockRows * p.k) { widened in
    var q = p
    q.a = OperandView(UnsafePointer(widened), .transpose, ld: blockRows)
    var i = rows.lowerBound
    while i < rows.upperBound {
      let end = min(i + blockRows, rows.upperBound)
      if cs == blockRows && end - i == cs {
        Float16.copyWidened(a + i, to: widened, count: p.k * cs)
      } else {
        for depth in 0..<p.k {
          Float16.copyWidened(
            a + depth * cs + i, to: widened + depth * blockRows, count: end - i)
        }
      }
      if width == 16 {
        narrowRows16(q, a: UnsafePointer(widened), firstRowOfA: i, b: b, kc: kc, rows: i..<end)
      } else {
        narrowRows32(q, a: UnsafePointer(widened), firstRowOfA: i, b: b, kc: kc, rows: i..<end)
      }
      i = end
    }
  }
}

/// Floats of a widened block of a transposed Float16 A (128 KiB): all of a seed-sized
/// gradient's rows at once (20 x 1000). 16K-float blocks cost 20x10x1000:tn 14 us against 12 in
/// one block, before the flat copy; 64K measured the same as 32K.
let narrowTransposedBlockFloats = 32768

/// Runs `body` on blocks of up to `blockRows` of `rows`, each block of a row-major Float16 A
/// widened into Float rows `stride` apart (`widenRows`); `body` gets the problem with A
/// described as that block, the block's first row, and the block's rows.
private func withWidenedBlocks(
  _ p: GEMMProblem, a: UnsafePointer<Float16>, rows: Range<Int>, stride: Int, blockRows: Int,
  _ body: (GEMMProblem, UnsafePointer<Float>, Range<Int>) -> Void
) {
  let rs = p.a.rowStride
  let buffer = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * stride + 16)
  defer { buffer.deallocate() }
  // On a cache line, so that no 64-byte store of the widening straddles two (1000x10x20 and
  // 1000x20x64 f16 2-3% faster).
  let widened = alignedToCacheLine(buffer)
  var q = p
  q.a = OperandView(UnsafePointer(widened), .noTranspose, ld: stride)
  var i = rows.lowerBound
  while i < rows.upperBound {
    let end = min(i + blockRows, rows.upperBound)
    widenRows(a + i * rs, rowStride: rs, rows: end - i, depth: p.k, into: widened, stride: stride)
    body(q, UnsafePointer(widened), i..<end)
    i = end
  }
}

@inline(__always)
private func narrowRows<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, firstRowOfA: Int, b: BRows, width: Int, kc: Int,
  rows: Range<Int>
) {
  // Eight accumulators either way, enough independent FMA chains to hide the FMA latency: 8 rows
  // of 16 columns (n <= 16) or 4 rows of 32 (half as many rows in AVX2 builds,
  // ``NarrowAccumulators/fullGroups``). A Float16 C accumulates its K blocks in a Float
  // scratch, rounded once at the end by the packed path's `finishFloat16`, so both paths give
  // the same bits.
  let groupRows = NarrowAccumulators.groupRows(width: width, narrowRight: p.n <= 24)
  let widensGroups = T.self == Float16.self && (p.a.rowStride == 1 || p.a.columnStride == 1)
  let aScratchCount = widensGroups ? groupRows * ((min(kc, max(p.k, 1)) + 15) / 16 * 16) : 0
  // On the stack: a Float16 A's blocks call this once per 32-256 rows, and two heap
  // allocations per call were 1.2 us of 1000x20x64 f16's 35.
  // Aligned to a cache line by hand (16 Floats spare): a 64-byte store that straddles two
  // lines costs two, and the widening loop is bound by its stores (256x10x256 f16 0.94 -> 1.0
  // of Float's speed). Asking for the alignment instead moved the buffer to the heap.
  withUnsafeTemporaryAllocation(of: Float.self, capacity: 8 * 32 + aScratchCount + 16) {
    buffer in
    let scratch = alignedToCacheLine(buffer.baseAddress!)
    narrowRows(
      p, a: a, firstRowOfA: firstRowOfA, b: b, width: width, kc: kc, rows: rows,
      groupRows: groupRows, scratch: scratch, aScratch: scratch + 8 * 32)
  }
}

@inline(__always)
private func narrowRows<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, firstRowOfA: Int, b: BRows, width: Int, kc: Int,
  rows: Range<Int>, groupRows: Int, scratch: UnsafeMutablePointer<Float>,
  aScratch: UnsafeMutablePointer<Float>
) {
  let halfC = p.cStorage == .float16
  let rs = p.a.rowStride
  let cs = p.a.columnStride
  let kBlocks = (p.k + kc - 1) / kc
  // A Float16 C with a single K block is rounded straight from the registers, with
  // finishFloat16's formulas; with several, the blocks go through the Float scratch.
  let roundNow = halfC && kBlocks == 1
  let narrowRight = p.n <= 24
  // AVX-512 builds only: AVX2's groups of 4 rows would have 4 chains of 8 lanes, latency-bound
  // at the speed their 8 half-vectors of 16 lanes already run.
  let narrowLeft = p.n <= 8 && NarrowAccumulators.fullGroups
  let rounding = NarrowRowUpdate(roundingInto: p)
  var i = rows.lowerBound
  while i < rows.upperBound {
    let count = min(groupRows, rows.upperBound - i)
    // Rows past the end read the group's last row again (in bounds) and are not stored.
    let rowsOfA = RowPointers(a + (i - firstRowOfA) * rs, rowStride: rs, count: count)
    for kb in 0..<kBlocks {
      let p0 = kb * kc
      let p1 = min(p.k, p0 + kc)
      // B rows read in place come first, then packed ones: two loops, no test per row.
      let split = min(max(p0, b.directRows), p1)
      var t = NarrowAccumulators()
      if T.self == Float16.self && rs == 1 && cs != 1 {
        // Widening one Float16 of A per broadcast puts a conversion beside every FMA on the
        // same ports, so the group's block of a transposed A (a weight gradient's dY^T) is
        // widened once, 16 values per conversion, k-major into a Float scratch (20x10x1000:tn
        // 13.6 -> 9.6 us). AVX2 builds widen whole blocks of rows before this
        // (`narrowRowsWideningTransposedA`): their groups of 4 rows converted 4 values at a time.
        let aHalf = UnsafeRawPointer(a).assumingMemoryBound(to: Float16.self)
        for q in p0..<p1 {
          Float16.copyWidened(
            aHalf + q * cs + (i - firstRowOfA), to: aScratch + (q - p0) * groupRows, count: count)
        }
        let widened = RowPointers(
          UnsafePointer(aScratch), rowStride: 1, count: count, firstDepth: p0)
        t.add(
          widened, groupRows, b, width: width, p0..<split, split..<p1, narrowRight: narrowRight,
          narrowLeft: narrowLeft)
      } else if T.self == Float16.self && cs == 1 {
        // A deep row-major Float16 A (`narrowRowsWideningA`): the group's K block widened
        // row by row into the scratch, which stays in L1.
        let stride = (min(kc, p.k) + 15) / 16 * 16
        widenRows(
          a + (i - firstRowOfA) * rs + p0, rowStride: rs, rows: count, depth: p1 - p0,
          into: aScratch, stride: stride)
        let widened = RowPointers(
          UnsafePointer(aScratch), rowStride: stride, count: count, firstDepth: p0)
        t.add(
          widened, 1, b, width: width, p0..<split, split..<p1, narrowRight: narrowRight,
          narrowLeft: narrowLeft)
      } else {
        t.add(
          rowsOfA, cs, b, width: width, p0..<split, split..<p1, narrowRight: narrowRight,
          narrowLeft: narrowLeft)
      }
      // Rows one by one with literal accumulators (a row index into them would spill them).
      @inline(__always) func storeRows(_ storeRow: (Int, SIMD16<Float>, SIMD16<Float>) -> Void) {
        if width == 16 {
          let unused = SIMD16<Float>()
          storeRow(0, t.c0, unused)
          if count > 1 { storeRow(1, t.c1, unused) }
          if count > 2 { storeRow(2, t.c2, unused) }
          if count > 3 { storeRow(3, t.c3, unused) }
          if count > 4 { storeRow(4, t.c4, unused) }
          if count > 5 { storeRow(5, t.c5, unused) }
          if count > 6 { storeRow(6, t.c6, unused) }
          if count > 7 { storeRow(7, t.c7, unused) }
        } else {
          storeRow(0, t.c0, t.c1)
          if count > 1 { storeRow(1, t.c2, t.c3) }
          if count > 2 { storeRow(2, t.c4, t.c5) }
          if count > 3 { storeRow(3, t.c6, t.c7) }
        }
      }
      if roundNow {
        let halfRow = p.c.assumingMemoryBound(to: Float16.self) + i * p.ldc
        storeRows { r, v0, v1 in rounding.storeRounded(v0, v1, to: halfRow + r * p.ldc) }
        continue
      }
      let update = p.tileUpdate(kBlock: kb, of: kBlocks, column: 0, intoFloatWorkspace: halfC)
      let (row, ld) =
        halfC ? (scratch, 32) : (p.c.assumingMemoryBound(to: Float.self) + i * p.ldc, p.ldc)
      let rowUpdate = NarrowRowUpdate(update, columns: p.n)
      // The K block's mode is decided here, once; each case stores with it as a constant.
      // The mask (only on a ReLU-masked call's last block) is fixed the same way.
      switch (update.mode, rowUpdate.reluMaskDelta != nil) {
      case (.overwrite, false):
        storeRows { r, v0, v1 in rowUpdate.store(v0, v1, to: row + r * ld, .overwrite) }
      case (.overwrite, true):
        storeRows { r, v0, v1 in
          rowUpdate.store(v0, v1, to: row + r * ld, .overwrite, masked: true)
        }
      case (.scaleAdd, _):
        storeRows { r, v0, v1 in
          rowUpdate.store(
            v0, v1, to: row + r * ld, .scaleAdd, masked: rowUpdate.reluMaskDelta != nil)
        }
      case (.accumulate, _):
        storeRows { r, v0, v1 in
          rowUpdate.store(
            v0, v1, to: row + r * ld, .accumulate, masked: rowUpdate.reluMaskDelta != nil)
        }
      }
    }
    if halfC && !roundNow {
      finishFloat16(
        workspace: scratch, workspaceStride: 32,
        c: p.c.assumingMemoryBound(to: Float16.self) + i * p.ldc, ldc: p.ldc, rows: count,
        columns: p.n, beta: p.beta, bias: p.bias, relu: p.relu, reluMaskDelta: p.reluMaskDelta)
    }
    i += count
  }
}

/// The first address from `p` on that starts a 64-byte cache line.
@inline(__always)
func alignedToCacheLine(_ p: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
  let misalignment = Int(bitPattern: p) & 63
  return misalignment == 0 ? p : p + (64 - misalignment) / 4
}

/// `rows` rows of `depth` Float16 values, `rowStride` apart, widened into rows `stride` apart
/// (one flat array when both strides equal `depth`). Writes only the `rows` x `depth` values
/// (`copyWidened`): a whole vector stored past the flat array's end once corrupted the heap.
private func widenRows<T: PackableElement>(
  _ source: UnsafePointer<T>, rowStride: Int, rows: Int, depth: Int,
  into out: UnsafeMutablePointer<Float>, stride: Int
) {
  if rowStride == depth && stride == depth {
    T.copyWidened(source, to: out, count: rows * depth)
    return
  }
  for r in 0..<rows {
    T.copyWidened(source + r * rowStride, to: out + r * stride, count: depth)
  }
}

/// The rows of A a narrow group reads: up to 8, the ones past `count` repeating the last.
struct RowPointers<T> {
  let r0, r1, r2, r3, r4, r5, r6, r7: UnsafePointer<T>
  /// The depth stored at each pointer: depth q is `(q - firstDepth) * columnStride` from it.
  let firstDepth: Int
  /// Row r is `r0 + r` for every r (a transposed A, or its k-major Float16 scratch, with the
  /// whole group present): the kernels then address the rows from one register.
  let adjacent: Bool

  @inline(__always)
  init(_ first: UnsafePointer<T>, rowStride: Int, count: Int, firstDepth: Int = 0) {
    self.firstDepth = firstDepth
    adjacent = rowStride == 1 && count == 8
    let last = count - 1
    r0 = first
    r1 = first + min(1, last) * rowStride
    r2 = first + min(2, last) * rowStride
    r3 = first + min(3, last) * rowStride
    r4 = first + min(4, last) * rowStride
    r5 = first + min(5, last) * rowStride
    r6 = first + min(6, last) * rowStride
    r7 = first + min(7, last) * rowStride
  }
}

/// Eight SIMD16 accumulators of a narrow group: rows 0-7 of 16 columns, or rows 0-3 of 32
/// (row r in `c(2r)` and `c(2r + 1)`); also the left half of an 8x32 tile
/// (`F32GEMM8x32SIMD16.runLeftHalf`). Each C value gets one FMA per k in increasing order, the
/// order of every other GEMM path.
struct NarrowAccumulators {
  /// Whether the rows form's groups are full height: 8 rows of 16 columns or 4 of 32, eight
  /// accumulators that with B and a broadcast fill AVX-512's 32 registers about halfway. On
  /// AVX2's 16 ymm registers the same group (each SIMD16 two registers) spilled its
  /// accumulators on every k step, so there groups are half as tall: 4 rows of 16 columns or 2
  /// of 32, eight ymm FMA chains, still enough to cover the FMA latency (Zen 3, 1 thread:
  /// 64x10x64 2.9 -> 2.1 us, 1000x16x64 38.5 -> 25.5, 1000x32x64 78 -> 48). Three rows of 32
  /// (12 ymm accumulators and B's four halves) spilled: 1000x32x64 52 -> 97 us, 20x32x1000:tn
  /// 21 -> 31 (session 16); such a group needs B loaded a quarter at a time. Rows beyond the
  /// group in these functions then compile away. The 17-24-column form keeps 4 rows: its 12
  /// ymm accumulators fit, and 2 rows (6 chains) ran 1000x20x64 at 49 us against 38.
  static let fullGroups = CompiledCPU.choosesAVX512Forms

  /// Rows per group of the rows form for `width` (16 or 32) columns; `narrowRight`: the
  /// 17-24-column form.
  static func groupRows(width: Int, narrowRight: Bool) -> Int {
    if width == 16 { return fullGroups ? 8 : 4 }
    return fullGroups || narrowRight ? 4 : 2
  }

  var c0 = SIMD16<Float>()
  var c1 = SIMD16<Float>()
  var c2 = SIMD16<Float>()
  var c3 = SIMD16<Float>()
  var c4 = SIMD16<Float>()
  var c5 = SIMD16<Float>()
  var c6 = SIMD16<Float>()
  var c7 = SIMD16<Float>()

  /// Adds depths `direct` (B read in place) then `packed` (B from its packed rows).
  /// `narrowRight`: at most 24 columns of 32, so the right half needs only 8 lanes;
  /// `narrowLeft`: at most 8 columns of 16, so 8 lanes in all.
  // Transparent: with the 24-column form added, `@inline(__always)` left this an out-of-line
  // call whose accumulators went through memory on every k (1000x20x64 40 -> 58 us).
  @_transparent
  mutating func add<T: PackableElement>(
    _ a: RowPointers<T>, _ cs: Int, _ b: BRows, width: Int, _ direct: Range<Int>,
    _ packed: Range<Int>, narrowRight: Bool = false, narrowLeft: Bool = false
  ) {
    if width == 16 && narrowLeft {
      if b.directIsHalf {
        add8RowsOf8(a, cs, b.directHalves, direct)
      } else {
        add8RowsOf8(a, cs, b.directFloats, direct)
      }
      add8RowsOf8(a, cs, b.packedFloats, packed)
    } else if width == 32 && narrowRight {
      if b.directIsHalf {
        add4Rows24(a, cs, b.directHalves, direct)
      } else {
        add4Rows24(a, cs, b.directFloats, direct)
      }
      add4Rows24(a, cs, b.packedFloats, packed)
    } else if width == 16 {
      if b.directIsHalf {
        add8Rows(a, cs, b.directHalves, direct)
      } else {
        add8Rows(a, cs, b.directFloats, direct)
      }
      add8Rows(a, cs, b.packedFloats, packed)
    } else {
      if b.directIsHalf {
        add4WideRows(a, cs, b.directHalves, direct)
      } else {
        add4WideRows(a, cs, b.directFloats, direct)
      }
      add4WideRows(a, cs, b.packedFloats, packed)
    }
  }

  @inline(__always)
  mutating func add8Rows<T: PackableElement, B: NarrowBSource>(
    _ a: RowPointers<T>, _ cs: Int, _ b: B, _ ks: Range<Int>
  ) {
    if a.adjacent {
      // Eight row pointers plus the loop's own do not fit the general-purpose registers; with
      // adjacent rows one base does (20x10x1000:tn spilled row offsets: 8.9 -> 8.2 us).
      for q in ks {
        let b0 = b.load(q, 0)
        let r = a.r0 + (q &- a.firstDepth) &* cs
        c0 = c0.addingProduct(T.widen(r), b0)
        c1 = c1.addingProduct(T.widen(r + 1), b0)
        c2 = c2.addingProduct(T.widen(r + 2), b0)
        c3 = c3.addingProduct(T.widen(r + 3), b0)
        if Self.fullGroups {
          c4 = c4.addingProduct(T.widen(r + 4), b0)
          c5 = c5.addingProduct(T.widen(r + 5), b0)
          c6 = c6.addingProduct(T.widen(r + 6), b0)
          c7 = c7.addingProduct(T.widen(r + 7), b0)
        }
      }
      return
    }
    @inline(__always) func step(_ q: Int) {
      let b0 = b.load(q, 0)
      let o = (q &- a.firstDepth) &* cs
      c0 = c0.addingProduct(T.widen(a.r0 + o), b0)
      c1 = c1.addingProduct(T.widen(a.r1 + o), b0)
      c2 = c2.addingProduct(T.widen(a.r2 + o), b0)
      c3 = c3.addingProduct(T.widen(a.r3 + o), b0)
      if Self.fullGroups {
        c4 = c4.addingProduct(T.widen(a.r4 + o), b0)
        c5 = c5.addingProduct(T.widen(a.r5 + o), b0)
        c6 = c6.addingProduct(T.widen(a.r6 + o), b0)
        c7 = c7.addingProduct(T.widen(a.r7 + o), b0)
      }
    }
    for q in ks { step(q) }
  }

  /// ``add8Rows(_:_:_:_:)`` for at most 8 columns (AVX-512 builds): the FMAs on 8 lanes, which
  /// Zen 4 issues two per cycle where it issues one of 16 (Docs/Kernels.md). The same FMAs in
  /// the same order on the stored lanes, so the same bits; lanes 8-15 end as zeros and are
  /// never stored.
  @inline(__always)
  mutating func add8RowsOf8<T: PackableElement, B: NarrowBSource>(
    _ a: RowPointers<T>, _ cs: Int, _ b: B, _ ks: Range<Int>
  ) {
    // All in locals, as in ``add4Rows24(_:_:_:_:)``.
    var h0 = lowEight(c0)
    var h1 = lowEight(c1)
    var h2 = lowEight(c2)
    var h3 = lowEight(c3)
    var h4 = lowEight(c4)
    var h5 = lowEight(c5)
    var h6 = lowEight(c6)
    var h7 = lowEight(c7)
    @inline(__always) func step(_ q: Int, _ row: (Int) -> UnsafePointer<T>) {
      let b0 = b.load8(q, 0)
      h0 = h0.addingProduct(SIMD8(repeating: T.widen(row(0))), b0)
      h1 = h1.addingProduct(SIMD8(repeating: T.widen(row(1))), b0)
      h2 = h2.addingProduct(SIMD8(repeating: T.widen(row(2))), b0)
      h3 = h3.addingProduct(SIMD8(repeating: T.widen(row(3))), b0)
      if Self.fullGroups {
        h4 = h4.addingProduct(SIMD8(repeating: T.widen(row(4))), b0)
        h5 = h5.addingProduct(SIMD8(repeating: T.widen(row(5))), b0)
        h6 = h6.addingProduct(SIMD8(repeating: T.widen(row(6))), b0)
        h7 = h7.addingProduct(SIMD8(repeating: T.widen(row(7))), b0)
      }
    }
    if a.adjacent {
      // One base for all eight rows, as in ``add8Rows(_:_:_:_:)``.
      for q in ks {
        let r = a.r0 + (q &- a.firstDepth) &* cs
        step(q) { r + $0 }
      }
    } else {
      for q in ks {
        let o = (q &- a.firstDepth) &* cs
        step(q) { j in
          switch j {
          case 0: a.r0 + o
          case 1: a.r1 + o
          case 2: a.r2 + o
          case 3: a.r3 + o
          case 4: a.r4 + o
          case 5: a.r5 + o
          case 6: a.r6 + o
          default: a.r7 + o
          }
        }
      }
    }
    (c0, c1, c2, c3) = (lowEightOf(h0), lowEightOf(h1), lowEightOf(h2), lowEightOf(h3))
    (c4, c5, c6, c7) = (lowEightOf(h4), lowEightOf(h5), lowEightOf(h6), lowEightOf(h7))
  }

  @inline(__always)
  mutating func add4WideRows<T: PackableElement, B: NarrowBSource>(
    _ a: RowPointers<T>, _ cs: Int, _ b: B, _ ks: Range<Int>
  ) {
    @inline(__always) func step(_ q: Int) {
      let b0 = b.load(q, 0)
      let b1 = b.load(q, 16)
      let o = (q &- a.firstDepth) &* cs
      var x = SIMD16<Float>(repeating: T.widen(a.r0 + o))
      c0 = c0.addingProduct(x, b0)
      c1 = c1.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: T.widen(a.r1 + o))
      c2 = c2.addingProduct(x, b0)
      c3 = c3.addingProduct(x, b1)
      if Self.fullGroups {
        x = SIMD16<Float>(repeating: T.widen(a.r2 + o))
        c4 = c4.addingProduct(x, b0)
        c5 = c5.addingProduct(x, b1)
        x = SIMD16<Float>(repeating: T.widen(a.r3 + o))
        c6 = c6.addingProduct(x, b0)
        c7 = c7.addingProduct(x, b1)
      }
    }
    for q in ks { step(q) }
  }

  /// ``add4WideRows(_:_:_:_:)`` for 17-24 columns: the right half's FMAs on 8 lanes. Zen 4 runs
  /// a 512-bit FMA as two 256-bit halves, so 16 + 8 lanes take three quarters of the FMA
  /// slots of 16 + 16 (Zen 4, 1 thread: 1000x20x64 40.0 -> 33.6 us, 128x20x512 36.7 -> 31.8,
  /// Float16 A and B 43.7 -> 37.3 at 1000x20x64). The same FMAs in the same order on the
  /// stored lanes, so the same bits; lanes 24-31 end as zeros and are never stored.
  @inline(__always)
  mutating func add4Rows24<T: PackableElement, B: NarrowBSource>(
    _ a: RowPointers<T>, _ cs: Int, _ b: B, _ ks: Range<Int>
  ) {
    // All in locals: with the left halves left in `self`, LLVM stored them back on every k.
    var l0 = c0
    var l2 = c2
    var l4 = c4
    var l6 = c6
    var r1 = c1.lowHalf
    var r3 = c3.lowHalf
    var r5 = c5.lowHalf
    var r7 = c7.lowHalf
    @inline(__always) func step(_ q: Int) {
      let b0 = b.load(q, 0)
      let b1 = b.load8(q, 16)
      let o = (q &- a.firstDepth) &* cs
      var x = T.widen(a.r0 + o)
      l0 = l0.addingProduct(SIMD16(repeating: x), b0)
      r1 = r1.addingProduct(SIMD8(repeating: x), b1)
      x = T.widen(a.r1 + o)
      l2 = l2.addingProduct(SIMD16(repeating: x), b0)
      r3 = r3.addingProduct(SIMD8(repeating: x), b1)
      x = T.widen(a.r2 + o)
      l4 = l4.addingProduct(SIMD16(repeating: x), b0)
      r5 = r5.addingProduct(SIMD8(repeating: x), b1)
      x = T.widen(a.r3 + o)
      l6 = l6.addingProduct(SIMD16(repeating: x), b0)
      r7 = r7.addingProduct(SIMD8(repeating: x), b1)
    }
    for q in ks { step(q) }
    (c0, c2, c4, c6) = (l0, l2, l4, l6)
    c1 = SIMD16(lowHalf: r1, highHalf: SIMD8())
    c3 = SIMD16(lowHalf: r3, highHalf: SIMD8())
    c5 = SIMD16(lowHalf: r5, highHalf: SIMD8())
    c7 = SIMD16(lowHalf: r7, highHalf: SIMD8())
  }
}

/// Where row q of op(B) is: in place (Float or Float16) for the first `directRows` rows, then
/// packed (Float).
struct BRows {
  let direct: UnsafeRawPointer
  let directIsHalf: Bool
  let directStride: Int
  let directRows: Int
  let packed: UnsafePointer<Float>
  let width: Int

  var directFloats: FloatRowsOfB {
    FloatRowsOfB(
      base: direct.assumingMemoryBound(to: Float.self), stride: directStride, firstRow: 0)
  }
  var directHalves: HalfRowsOfB {
    HalfRowsOfB(base: direct.assumingMemoryBound(to: Float16.self), stride: directStride)
  }
  var packedFloats: FloatRowsOfB {
    FloatRowsOfB(base: packed, stride: width, firstRow: directRows)
  }

  /// Column `j` of row `q`, as Float.
  func value(_ q: Int, column j: Int) -> Float {
    if q < directRows {
      return directIsHalf
        ? Float(directHalves.base[q * directStride + j])
        : directFloats.base[q * directStride + j]
    }
    return packed[(q - directRows) * width + j]
  }

  /// Column 0 of row `q`, as Float.
  @inline(__always)
  func first(_ q: Int) -> Float {
    if q < directRows {
      return directIsHalf ? directHalves.first(q) : directFloats.first(q)
    }
    return packedFloats.first(q)
  }
}

/// Rows of op(B) as a narrow group reads them, one concrete type per storage so that the k loop
/// has no test per row.
protocol NarrowBSource {
  /// The 16 values of row `q` from column `offset`, as Float.
  func load(_ q: Int, _ offset: Int) -> SIMD16<Float>
  /// The 8 values of row `q` from column `offset`, as Float.
  func load8(_ q: Int, _ offset: Int) -> SIMD8<Float>
  /// Column 0 of row `q`, as Float.
  func first(_ q: Int) -> Float
}

/// Float rows `firstRow...` at `base`, `stride` apart.
struct FloatRowsOfB: NarrowBSource {
  let base: UnsafePointer<Float>
  let stride: Int
  let firstRow: Int
  @inline(__always) func load(_ q: Int, _ offset: Int) -> SIMD16<Float> {
    load16(base + ((q &- firstRow) &* stride &+ offset))
  }
  @inline(__always) func load8(_ q: Int, _ offset: Int) -> SIMD8<Float> {
    MantissaKernels.load8(base + ((q &- firstRow) &* stride &+ offset))
  }
  @inline(__always) func first(_ q: Int) -> Float { base[(q - firstRow) * stride] }
}

/// Float16 rows at `base`, `stride` apart, widened as they are read.
struct HalfRowsOfB: NarrowBSource {
  let base: UnsafePointer<Float16>
  let stride: Int
  @inline(__always) func load(_ q: Int, _ offset: Int) -> SIMD16<Float> {
    Float16.load16(base + (q &* stride &+ offset))
  }
  @inline(__always) func load8(_ q: Int, _ offset: Int) -> SIMD8<Float> {
    loadWidened8(base + (q &* stride &+ offset))
  }
  @inline(__always) func first(_ q: Int) -> Float { Float(base[q * stride]) }
}

/// One K block's ``TileUpdate`` for narrow rows of up to 32 columns, with what is the same for
/// every row (alpha, beta, the bias vectors, the row-end lane counts) worked out once and the
/// mode fixed by the caller, so the formulas, and the bits, are TileUpdate's. Deciding mode,
/// bias and width per vector through TileUpdate cost ~4.5 cycles a vector (1000x20x10: 9.6 us
/// against ~7).
struct NarrowRowUpdate {
  let alpha: SIMD16<Float>
  let beta: SIMD16<Float>
  /// Whether beta != 0, when a rounding into Float16 C reads C (finishFloat16's test).
  let readsC: Bool
  let hasBias: Bool
  let bias0: SIMD16<Float>
  let bias1: SIMD16<Float>
  let relu: Bool
  let reluMaskDelta: Int?
  /// Lanes of the first vector (up to 16) and of the second (n - 16, 0 for n <= 16).
  let lanes0: Int
  let lanes1: Int

  @inline(__always)
  init(_ update: TileUpdate, columns n: Int) {
    alpha = SIMD16(repeating: update.alpha)
    beta = SIMD16(repeating: update.beta)
    let lanes0 = min(n, 16)
    let lanes1 = max(n - 16, 0)
    self.lanes0 = lanes0
    self.lanes1 = lanes1
    readsC = update.beta != 0
    hasBias = update.bias != nil
    bias0 = update.bias.map { loadPartial16($0, lanes0) } ?? SIMD16()
    bias1 = update.bias.map { loadPartial16($0 + 16, lanes1) } ?? SIMD16()
    relu = update.relu
    reluMaskDelta = update.reluMaskDelta
  }

  /// The final rounding of a Float16 C of a single K block: `relu(fma(beta, c, alpha * acc) +
  /// bias)` rounded once (``storeRounded(_:_:to:)``), as `finishFloat16` does to the workspace.
  @inline(__always)
  init(roundingInto p: GEMMProblem) {
    self.init(
      TileUpdate(
        mode: .scaleAdd, alpha: p.alpha, beta: p.beta, bias: p.bias, relu: p.relu,
        reluMaskDelta: p.reluMaskDelta),
      columns: p.n)
  }

  /// Rounds one row into Float16 C (see ``init(roundingInto:)``).
  @inline(__always)
  func storeRounded(
    _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, to row: UnsafeMutablePointer<Float16>
  ) {
    storeRounded(
      v0, v1, to: row, readsC: readsC, masked: reluMaskDelta != nil, firstFull: lanes0 == 16)
  }

  /// ``storeRounded(_:_:to:)`` with what it tests per row passed in, for callers that fix it
  /// per call with constants (the tests per row cost 1 us of 8 at 1000x20x10 with Float16 C).
  /// `readsC` and `masked` must match the update's; `firstFull` says n >= 16.
  @inline(__always)
  func storeRounded(
    _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, to row: UnsafeMutablePointer<Float16>,
    readsC: Bool, masked: Bool, firstFull: Bool
  ) {
    storeRounded(
      v0, v1, to: row, readsC: readsC, masked: masked, firstFull: firstFull, addsBias: hasBias,
      relu: relu)
  }

  /// ``storeRounded(_:_:to:readsC:masked:firstFull:)`` with the bias and ReLU fixed too
  /// (`addsBias` and `relu` must match the update's).
  @inline(__always)
  func storeRounded(
    _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, to row: UnsafeMutablePointer<Float16>,
    readsC: Bool, masked: Bool, firstFull: Bool, addsBias hasBias: Bool, relu: Bool
  ) {
    @inline(__always) func piece(
      _ acc: SIMD16<Float>, _ p: UnsafeMutablePointer<Float16>, _ lanes: Int,
      _ bias: SIMD16<Float>, full: Bool
    ) {
      storeRoundedPiece(
        acc, to: p, lanes: lanes, bias: bias, full: full, readsC: readsC, masked: masked,
        addsBias: hasBias, relu: relu)
    }
    piece(v0, row, lanes0, bias0, full: firstFull)
    if lanes1 > 8 || (lanes1 > 0 && (readsC || masked)) {
      piece(v1, row + 16, lanes1, bias1, full: lanes1 == 16)
    } else if lanes1 > 0 {
      // A row's last 1-8 columns (a 20-wide layer) on 8 lanes: Zen 4 runs a 512-bit multiply
      // or conversion as two 256-bit halves, and the conversions share the FMA pipes.
      var v = lowEight(v1) * lowEight(alpha)
      if hasBias { v += lowEight(bias1) }
      if relu { v = rectified(v) }
      storePartialNarrowed8(v, to: row + 16, lanes1)
    }
  }

  /// `lanes` values of a row of Float16 C from `p` on, rounded once from
  /// `relu(fma(beta, c, alpha * acc) + bias)` (masked by the ReLU mask when `masked`); `full`
  /// says `lanes == 16`. The flags must match the update's, as in
  /// ``storeRounded(_:_:to:readsC:masked:firstFull:addsBias:relu:)``.
  @inline(__always)
  func storeRoundedPiece(
    _ acc: SIMD16<Float>, to p: UnsafeMutablePointer<Float16>, lanes: Int, bias: SIMD16<Float>,
    full: Bool, readsC: Bool, masked: Bool, addsBias hasBias: Bool, relu: Bool
  ) {
    var v = acc * alpha
    if readsC {
      let c = full ? loadWidened16(p) : loadPartialWidened16(p, lanes)
      v = v.addingProduct(beta, c)
    }
    if hasBias { v += bias }
    if relu { v = rectified(v) }
    if masked {
      let m = halfMask(p, reluMaskDelta!)
      v = maskedByReLU(v, full ? loadWidened16(m) : loadPartialWidened16(m, lanes))
    }
    if full { storeNarrowed(v, to: p) } else { storePartialNarrowed16(v, to: p, lanes) }
  }

  /// A row of C overwritten with alpha 1 and no bias, ReLU or mask: the accumulators as they
  /// are (`acc * 1` is `acc`, and an accumulator is never a signaling NaN), so no multiply
  /// per row. n > 16.
  @inline(__always)
  func storeUnscaled(_ v0: SIMD16<Float>, _ v1: SIMD16<Float>, to row: UnsafeMutablePointer<Float>)
  {
    MantissaKernels.store(v0, to: row)
    if lanes1 == 16 {
      MantissaKernels.store(v1, to: row + 16)
    } else if lanes1 <= 8 {
      storePartial8(lowEight(v1), to: row + 16, lanes1)
    } else {
      storePartial16(v1, to: row + 16, lanes1)
    }
  }

  /// ``storeUnscaled(_:_:to:)`` into a Float16 C (rounded once).
  @inline(__always)
  func storeRoundedUnscaled(
    _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, to row: UnsafeMutablePointer<Float16>
  ) {
    storeNarrowed(v0, to: row)
    if lanes1 == 16 {
      storeNarrowed(v1, to: row + 16)
    } else if lanes1 <= 8 {
      storePartialNarrowed8(lowEight(v1), to: row + 16, lanes1)
    } else {
      storePartialNarrowed16(v1, to: row + 16, lanes1)
    }
  }

  /// ``storeForward(_:_:to:relu:)`` into a Float16 C (rounded once).
  @inline(__always)
  func storeRoundedForward(
    _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, to row: UnsafeMutablePointer<Float16>, relu: Bool
  ) {
    if lanes1 <= 8 {
      // The last 1-8 columns on 8 lanes, as in ``storeRounded(_:_:to:readsC:masked:firstFull:)``.
      var u0 = v0 + bias0
      var u1 = lowEight(v1) + lowEight(bias1)
      if relu {
        u0 = rectified(u0)
        u1 = rectified(u1)
      }
      storeNarrowed(u0, to: row)
      storePartialNarrowed8(u1, to: row + 16, lanes1)
      return
    }
    let (u0, u1) = forwardValues(v0, v1, relu: relu)
    storeNarrowed(u0, to: row)
    storePartialNarrowed16(u1, to: row + 16, lanes1)
  }

  /// A forward layer's row before it is stored: `acc + bias`, then the ReLU when `relu`.
  @_transparent
  func forwardValues(_ v0: SIMD16<Float>, _ v1: SIMD16<Float>, relu: Bool)
    -> (SIMD16<Float>, SIMD16<Float>)
  {
    var u0 = v0 + bias0
    var u1 = v1 + bias1
    if relu {
      u0 = rectified(u0)
      u1 = rectified(u1)
    }
    return (u0, u1)
  }

  /// ``store(_:_:to:_:masked:)`` for a forward layer with a bias: C overwritten, alpha 1, no
  /// mask, n > 16; `relu` a constant at the call. The same bits (`acc * 1` is `acc`) with no
  /// test per row: 1000x20x10 with bias and ReLU 6.1 -> 5.5 us (Float16 C: 7.5 -> 7.0).
  @inline(__always)
  func storeForward(
    _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, to row: UnsafeMutablePointer<Float>, relu: Bool
  ) {
    if lanes1 <= 8 {
      // The last 1-8 columns on 8 lanes (a 512-bit add and max are two 256-bit halves on Zen 4).
      // Written out here and in storeRoundedForward: shared through a transparent helper
      // returning (SIMD16, SIMD8), 1000x20x10 with bias and ReLU went 5.6 -> 8.7 us.
      var u0 = v0 + bias0
      var u1 = lowEight(v1) + lowEight(bias1)
      if relu {
        u0 = rectified(u0)
        u1 = rectified(u1)
      }
      MantissaKernels.store(u0, to: row)
      storePartial8(u1, to: row + 16, lanes1)
      return
    }
    let (u0, u1) = forwardValues(v0, v1, relu: relu)
    MantissaKernels.store(u0, to: row)
    storePartial16(u1, to: row + 16, lanes1)
  }

  /// `lanes` values of a row of Float C from `p` on, updated with `mode`'s formula, then bias,
  /// ReLU and the ReLU mask as the flags say (they must match the update's).
  @inline(__always)
  func storePiece(
    _ acc: SIMD16<Float>, to p: UnsafeMutablePointer<Float>, lanes: Int, bias: SIMD16<Float>,
    _ mode: TileUpdate.Mode, masked: Bool, addsBias hasBias: Bool, relu: Bool
  ) {
    @inline(__always) func c() -> SIMD16<Float> {
      lanes == 16 ? load16(p) : loadPartial16(p, lanes)
    }
    var v: SIMD16<Float>
    switch mode {
    case .overwrite: v = acc * alpha
    case .scaleAdd: v = (acc * alpha).addingProduct(beta, c())
    case .accumulate: v = c().addingProduct(alpha, acc)
    }
    if hasBias { v += bias }
    if relu { v = rectified(v) }
    if masked {
      let m = floatMask(p, reluMaskDelta!)
      v = maskedByReLU(v, lanes == 16 ? load16(m) : loadPartial16(m, lanes))
    }
    if lanes == 16 { MantissaKernels.store(v, to: p) } else { storePartial16(v, to: p, lanes) }
  }

  /// Updates one row from its two accumulators (`v1` unused for n <= 16) with `mode`'s formula.
  @inline(__always)
  func store(
    _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, to row: UnsafeMutablePointer<Float>,
    _ mode: TileUpdate.Mode, masked: Bool = false
  ) {
    store(v0, v1, to: row, mode, masked: masked, addsBias: hasBias, relu: relu)
  }

  /// ``store(_:_:to:_:masked:)`` with the bias and ReLU fixed by the caller (`addsBias` and
  /// `relu` must match the update's), for loops that test them once per call.
  @inline(__always)
  func store(
    _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, to row: UnsafeMutablePointer<Float>,
    _ mode: TileUpdate.Mode, masked: Bool, addsBias hasBias: Bool, relu: Bool
  ) {
    @inline(__always) func piece(
      _ acc: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, _ lanes: Int, _ bias: SIMD16<Float>
    ) {
      storePiece(
        acc, to: p, lanes: lanes, bias: bias, mode, masked: masked, addsBias: hasBias, relu: relu)
    }
    piece(v0, row, lanes0, bias0)
    if lanes1 > 8 || (lanes1 > 0 && (mode != .overwrite || masked)) {
      piece(v1, row + 16, lanes1, bias1)
    } else if lanes1 > 0 {
      // C overwritten: the last 1-8 columns on 8 lanes, as in ``storeForward(_:_:to:relu:)``.
      var v = lowEight(v1) * lowEight(alpha)
      if hasBias { v += lowEight(bias1) }
      if relu { v = rectified(v) }
      storePartial8(v, to: row + 16, lanes1)
    }
  }
}

/// k == 1, an outer product (a layer's input gradient behind a one-output layer): each row of C
/// is A's one value times B's one row, merged row by row with the K block's formulas fixed
/// once. The group machinery of ``narrowRows`` cost ~50 cycles per 4 rows here (1000x20x1: 5
/// us for 2000 FMAs). Same arithmetic as every other path: `0 + a * b` by one FMA, then
/// TileUpdate's formulas.
@inline(never)
private func narrowRankOne<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: BRows, rows: Range<Int>
) {
  let wide = b.width == 32  // a direct row is readable for `width` values, no more
  let b0: SIMD16<Float>
  let b1: SIMD16<Float>
  if b.directRows > 0 && b.directIsHalf {
    (b0, b1) = (b.directHalves.load(0, 0), wide ? b.directHalves.load(0, 16) : SIMD16())
  } else if b.directRows > 0 {
    (b0, b1) = (b.directFloats.load(0, 0), wide ? b.directFloats.load(0, 16) : SIMD16())
  } else {
    (b0, b1) = (b.packedFloats.load(0, 0), wide ? b.packedFloats.load(0, 16) : SIMD16())
  }
  let rs = p.a.rowStride
  @inline(__always) func products(_ i: Int) -> (SIMD16<Float>, SIMD16<Float>) {
    let x = SIMD16<Float>(repeating: T.widen(a + i &* rs))
    return (SIMD16<Float>().addingProduct(x, b0), SIMD16<Float>().addingProduct(x, b1))
  }
  if p.cStorage == .float16 {
    let rounding = NarrowRowUpdate(roundingInto: p)
    let c = p.c.assumingMemoryBound(to: Float16.self)
    if !rounding.readsC && !rounding.hasBias && !rounding.relu && rounding.lanes0 == 16 {
      // What a layer's input gradient needs (C not read, a ReLU mask or none), fixed per call.
      @inline(__always) func roundAll(masked: Bool) {
        for i in rows {
          let (v0, v1) = products(i)
          rounding.storeRounded(
            v0, v1, to: c + i &* p.ldc, readsC: false, masked: masked, firstFull: true,
            addsBias: false, relu: false)
        }
      }
      if rounding.reluMaskDelta != nil { roundAll(masked: true) } else { roundAll(masked: false) }
      return
    }
    for i in rows {
      let (v0, v1) = products(i)
      rounding.storeRounded(v0, v1, to: c + i &* p.ldc)
    }
    return
  }
  // The mode switch below is repeated in each single-block form on purpose: one shared helper
  // taking the row loop as a closure made the shallow form 45% slower (5.9 -> 8.6 us at
  // 1000x20x10 nt) and this one's Float16 C 3.7 -> 5.2 us.
  let update = p.tileUpdate(kBlock: 0, of: 1, column: 0, intoFloatWorkspace: false)
  let rowUpdate = NarrowRowUpdate(update, columns: p.n)
  let c = p.c.assumingMemoryBound(to: Float.self)
  let masked = rowUpdate.reluMaskDelta != nil
  @inline(__always) func storeAll(_ mode: TileUpdate.Mode, masked: Bool) {
    for i in rows {
      let (v0, v1) = products(i)
      rowUpdate.store(v0, v1, to: c + i &* p.ldc, mode, masked: masked)
    }
  }
  if update.mode == .overwrite && !rowUpdate.hasBias && !rowUpdate.relu {
    // A layer's input gradient (C not read, a ReLU mask or none) with nothing else tested per
    // row, as the Float16 C loop above: 1000x20x1 3.4 -> 2.1 us, 1000x8x1 2.4 -> 1.5 on Zen 4.
    @inline(__always) func overwriteAll(masked: Bool) {
      for i in rows {
        let (v0, v1) = products(i)
        rowUpdate.store(
          v0, v1, to: c + i &* p.ldc, .overwrite, masked: masked, addsBias: false, relu: false)
      }
    }
    if masked { overwriteAll(masked: true) } else { overwriteAll(masked: false) }
    return
  }
  switch (update.mode, masked) {
  case (.overwrite, false): storeAll(.overwrite, masked: false)
  case (.overwrite, true): storeAll(.overwrite, masked: true)
  case (.scaleAdd, _): storeAll(.scaleAdd, masked: masked)
  case (.accumulate, _): storeAll(.accumulate, masked: masked)
  }
}

/// Shallow products (k <= 16, one K block) with 17-32 columns, the forward pass of a small
/// layer (1000x20x10): op(B) is copied whole into rows of 32 Floats, then groups of four rows
/// run with nothing decided inside the group loop (the merge mode is fixed once, outside). In
/// ``narrowRows`` the per-group setup (row pointers, K-block split, B source dispatch, update
/// built per group) was ~40% of the time at k = 10. 17-24 columns take the right half on 8
/// lanes (1000x20x10 6.6 -> 5.7 us on Zen 4). Same arithmetic as every other path.
/// Row `i` of op(A) starts at `a + (i - firstRowOfA) * rowStride`.
@inline(never)
private func narrowShallow32<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, rowStride rs: Int, columnStride cs: Int,
  firstRowOfA: Int, b: UnsafePointer<Float>, rows: Range<Int>
) {
  let k = p.k
  let narrowRight = p.n <= 24
  @inline(__always) func sums(_ first: UnsafePointer<T>, _ count: Int) -> NarrowAccumulators {
    var t = NarrowAccumulators()
    let r1 = first + min(1, count - 1) &* rs
    let r2 = first + min(2, count - 1) &* rs
    let r3 = first + min(3, count - 1) &* rs
    if narrowRight {
      // 17-24 columns: the right half on 8 lanes, as `add4Rows24` does in the rows form (the
      // same FMAs on the stored lanes).
      var (l0, l2, l4, l6) = (t.c0, t.c2, t.c4, t.c6)
      var (h1, h3, h5, h7) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
      for q in 0..<k {
        let b0 = load16(b + q &* 32)
        let b1 = load8(b + q &* 32 + 16)
        let o = q &* cs
        var x = T.widen(first + o)
        l0 = l0.addingProduct(SIMD16(repeating: x), b0)
        h1 = h1.addingProduct(SIMD8(repeating: x), b1)
        x = T.widen(r1 + o)
        l2 = l2.addingProduct(SIMD16(repeating: x), b0)
        h3 = h3.addingProduct(SIMD8(repeating: x), b1)
        x = T.widen(r2 + o)
        l4 = l4.addingProduct(SIMD16(repeating: x), b0)
        h5 = h5.addingProduct(SIMD8(repeating: x), b1)
        if NarrowAccumulators.fullGroups {
          x = T.widen(r3 + o)
          l6 = l6.addingProduct(SIMD16(repeating: x), b0)
          h7 = h7.addingProduct(SIMD8(repeating: x), b1)
        }
      }
      (t.c0, t.c2, t.c4, t.c6) = (l0, l2, l4, l6)
      (t.c1, t.c3, t.c5, t.c7) = (lowEightOf(h1), lowEightOf(h3), lowEightOf(h5), lowEightOf(h7))
      return t
    }
    for q in 0..<k {
      let b0 = load16(b + q &* 32)
      let b1 = load16(b + q &* 32 + 16)
      let o = q &* cs
      var x = SIMD16<Float>(repeating: T.widen(first + o))
      t.c0 = t.c0.addingProduct(x, b0)
      t.c1 = t.c1.addingProduct(x, b1)
      x = SIMD16<Float>(repeating: T.widen(r1 + o))
      t.c2 = t.c2.addingProduct(x, b0)
      t.c3 = t.c3.addingProduct(x, b1)
      if NarrowAccumulators.fullGroups {
        x = SIMD16<Float>(repeating: T.widen(r2 + o))
        t.c4 = t.c4.addingProduct(x, b0)
        t.c5 = t.c5.addingProduct(x, b1)
        x = SIMD16<Float>(repeating: T.widen(r3 + o))
        t.c6 = t.c6.addingProduct(x, b0)
        t.c7 = t.c7.addingProduct(x, b1)
      }
    }
    return t
  }
  // In AVX2 builds 3 rows here for 17-24 columns (9 ymm accumulators; 2 of 32): at k <= 16
  // the 4-row group's spills cost more than its FMA chains gain, unlike in the deeper rows form
  // (``NarrowAccumulators``). Zen 3, 1 thread, 4 -> 2 -> 3 rows: 1000x20x10 10.2 -> 9.2 ->
  // 8.2 us, Float16 C 10.1 -> 10.0 -> 9.5, 1000x20x16 14.4 -> 12.1 -> 10.8, 1000x24x8 9.9 ->
  // 7.7 -> 7.0.
  let groupRows = NarrowAccumulators.fullGroups ? 4 : (narrowRight ? 3 : 2)
  @inline(__always) func forEachGroup(
    _ store: (Int, SIMD16<Float>, SIMD16<Float>) -> Void
  ) {
    var i = rows.lowerBound
    while i < rows.upperBound {
      let count = min(groupRows, rows.upperBound - i)
      let t = sums(a + (i &- firstRowOfA) &* rs, count)
      store(i, t.c0, t.c1)
      if count > 1 { store(i + 1, t.c2, t.c3) }
      if count > 2 { store(i + 2, t.c4, t.c5) }
      if count > 3 { store(i + 3, t.c6, t.c7) }
      i += count
    }
  }
  if p.cStorage == .float16 {
    let rounding = NarrowRowUpdate(roundingInto: p)
    let c = p.c.assumingMemoryBound(to: Float16.self)
    let plain = !rounding.readsC && rounding.reluMaskDelta == nil  // C not read, no mask
    let forward = plain && p.alpha == 1 && rounding.hasBias
    switch (plain, forward, rounding.relu) {
    case (_, true, true):
      forEachGroup { i, v0, v1 in
        rounding.storeRoundedForward(v0, v1, to: c + i &* p.ldc, relu: true)
      }
    case (_, true, false):
      forEachGroup { i, v0, v1 in
        rounding.storeRoundedForward(v0, v1, to: c + i &* p.ldc, relu: false)
      }
    case (true, _, _)
    where !rounding.hasBias && !rounding.relu && p.alpha == 1 && rounding.lanes1 <= 8:
      // C not read, no epilogue, alpha 1: the accumulators rounded as they are (1000x20x10
      // 6.5 -> 6.3 us on Zen 4; at 25-32 columns it measured 1-2% slower, so not there).
      forEachGroup { i, v0, v1 in rounding.storeRoundedUnscaled(v0, v1, to: c + i &* p.ldc) }
    case (true, _, _) where !rounding.hasBias && !rounding.relu:
      // C not read and no epilogue: nothing left to test per row (1000x20x10 f16-f32acc).
      forEachGroup { i, v0, v1 in
        rounding.storeRounded(
          v0, v1, to: c + i &* p.ldc, readsC: false, masked: false, firstFull: true,
          addsBias: false, relu: false)
      }
    case (true, _, _):
      forEachGroup { i, v0, v1 in
        rounding.storeRounded(
          v0, v1, to: c + i &* p.ldc, readsC: false, masked: false, firstFull: true)
      }
    case (false, _, _)
    where !rounding.readsC && !rounding.hasBias && !rounding.relu:
      // A backward layer's product under a ReLU mask, C not read: the mask is all it tests.
      forEachGroup { i, v0, v1 in
        rounding.storeRounded(
          v0, v1, to: c + i &* p.ldc, readsC: false, masked: true, firstFull: true,
          addsBias: false, relu: false)
      }
    default:
      forEachGroup { i, v0, v1 in rounding.storeRounded(v0, v1, to: c + i &* p.ldc) }
    }
    return
  }
  let update = p.tileUpdate(kBlock: 0, of: 1, column: 0, intoFloatWorkspace: false)
  let rowUpdate = NarrowRowUpdate(update, columns: p.n)
  let c = p.c.assumingMemoryBound(to: Float.self)
  let masked = rowUpdate.reluMaskDelta != nil
  let forward = update.mode == .overwrite && !masked && p.alpha == 1 && rowUpdate.hasBias
  switch (update.mode, masked) {
  case (.overwrite, false) where forward && rowUpdate.relu:
    forEachGroup { i, v0, v1 in rowUpdate.storeForward(v0, v1, to: c + i &* p.ldc, relu: true) }
  case (.overwrite, false) where forward:
    forEachGroup { i, v0, v1 in rowUpdate.storeForward(v0, v1, to: c + i &* p.ldc, relu: false) }
  case (.overwrite, false) where p.alpha == 1 && !rowUpdate.hasBias && !rowUpdate.relu:
    // No multiply per row (Zen 4: 1000x20x10 5.5 -> 5.3 us, 1000x32x16 9.8 -> 9.2).
    forEachGroup { i, v0, v1 in rowUpdate.storeUnscaled(v0, v1, to: c + i &* p.ldc) }
  case (.overwrite, false):
    forEachGroup { i, v0, v1 in rowUpdate.store(v0, v1, to: c + i &* p.ldc, .overwrite) }
  case (.overwrite, true):
    forEachGroup { i, v0, v1 in
      rowUpdate.store(v0, v1, to: c + i &* p.ldc, .overwrite, masked: true)
    }
  case (.scaleAdd, _):
    forEachGroup { i, v0, v1 in
      rowUpdate.store(v0, v1, to: c + i &* p.ldc, .scaleAdd, masked: masked)
    }
  case (.accumulate, _):
    forEachGroup { i, v0, v1 in
      rowUpdate.store(v0, v1, to: c + i &* p.ldc, .accumulate, masked: masked)
    }
  }
}

/// ``narrowShallow32(_:a:rowStride:columnStride:firstRowOfA:b:rows:)`` for a Float16 A with
/// contiguous rows: blocks of 128 rows are widened into rows of 16 Floats (8 KiB, in L1), or one
/// flat array when the rows are back to back (a layer's activations; 1000x20x10 6.6 -> 6.2 us),
/// and run as a Float A. Widening as the groups ran (rows of one group into a scratch, or one
/// conversion per broadcast) cost 1.2-2 us of 8 at 1000x20x10; widening inside the group loop
/// also stopped the compiler from inlining it. Measured again on Zen 3 (session 16), each
/// group's rows widened into a stack slot one or two groups ahead of their use (so the
/// conversions' stores could hide among the FMAs): 8.7 -> 9.7-10.1 us. Blocks of 120-1000 rows
/// ran the same as 128, 24-48 rows slower (a call per block costs about 25 ns).
@inline(never)
private func narrowShallow32WideningA(
  _ p: GEMMProblem, a: UnsafePointer<Float16>, b: UnsafePointer<Float>, rows: Range<Int>
) {
  let stride = p.a.rowStride == p.k ? p.k : 16
  withWidenedBlocks(p, a: a, rows: rows, stride: stride, blockRows: 128) { _, widened, block in
    narrowShallow32(
      p, a: widened, rowStride: stride, columnStride: 1, firstRowOfA: block.lowerBound, b: b,
      rows: block)
  }
}

/// ``narrowShallow16(_:a:firstRowOfA:b:rows:)`` for a Float16 A with contiguous rows, widened
/// 128 rows at a time like ``narrowShallow32WideningA``. The general form it replaces widened
/// each group's rows, with the Float16 B converted on every k step in every group: 1000x10x20
/// f16-f16-f32 ran 12.7 us against Float's 6.0.
@inline(never)
private func narrowShallow16WideningA(
  _ p: GEMMProblem, a: UnsafePointer<Float16>, b: UnsafePointer<Float>, rows: Range<Int>
) {
  let stride = p.a.rowStride == p.k ? p.k : (p.k + 15) / 16 * 16
  withWidenedBlocks(p, a: a, rows: rows, stride: stride, blockRows: 128) { q, widened, block in
    narrowShallow16(q, a: widened, firstRowOfA: block.lowerBound, b: b, rows: block)
  }
}

/// Whether a k == 1 problem runs as one flat array (``narrowRankOneFlat``): C's rows (and the
/// ReLU mask's) contiguous, A's one column contiguous, no per-column term or read of C, and a
/// ReLU mask over at least 4096 values: measured, it pays only there (1000x20x1 with a mask
/// 6.5 -> 4.0 us; without one no faster than row by row, and its tables cost ~0.6 us at
/// 37x17x1). In AVX2 builds a Float16 C keeps its rows when they are whole 16-lane vectors
/// (row by row 1000x16x1 2.7 us and 1000x32x1 4.8 against 3.2 and 6.1 flat; at 8, 12, 20 and
/// 24 columns flat wins: 4.8 -> 1.7-2.2, 3.2 -> 2.4, 5.2 -> 3.9, 6.1 -> 4.7).
func usesFlatRankOne(_ p: GEMMProblem) -> Bool {
  p.k == 1 && p.n >= 2 && p.n <= 32 && p.ldc == p.n && p.a.rowStride == 1 && p.beta == 0
    && p.bias == nil && p.reluMask != nil && p.m * p.n >= 4096
    && (CompiledCPU.choosesAVX512Forms || p.cStorage == .float32 || p.n % 16 != 0)
}

/// k == 1 with C contiguous: C is one array of m n values, walked 16 at a time whatever the row
/// length, so rows of 20 (a seed-example input gradient) cost 5 vectors per 4 rows instead of 4
/// full and 4 masked ones, all loads and stores whole. Lane l of vector t in a period of
/// `n / gcd(n, 16)` vectors holds row `(16 t + l) / n` and column `(16 t + l) % n`: A's values
/// for the period's rows are loaded once and spread by a `vpermps`, B's by a precomputed
/// pattern. The same arithmetic per element as every other path (`0 + a b` by one FMA, times
/// alpha, ReLU, the mask's formula, one rounding for a Float16 C). 1000x20x1 with a ReLU mask:
/// 6.5 -> 2.7-3.1 us (Float16 C 5.3 -> 2.5-2.9), whole periods with the ReLU fixed outside.
@inline(never)
private func narrowRankOneFlat<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: BRows, rows: Range<Int>
) {
  if !CompiledCPU.choosesAVX512Forms {
    narrowRankOneFlat8(p, a: a, b: b, rows: rows)
    return
  }
  let n = p.n
  var g = 16
  while n % g != 0 { g /= 2 }
  let period = n / g  // vectors per period
  let periodRows = 16 / g
  // Per vector of the period: the row offset (as a lane index) and B's value of each lane.
  let tables = RankOneTables(lanes: period * 16, n: n, b: b)
  defer { tables.free() }
  let (indices, pattern) = (tables.indices, tables.pattern)
  let alpha = SIMD16<Float>(repeating: p.alpha)
  let delta = p.reluMaskDelta ?? 0  // usesFlatRankOne requires a mask
  @inline(__always) func product(_ t: Int, _ rowValues: SIMD16<Float>, relu: Bool)
    -> SIMD16<Float>
  {
    let index = UnsafeRawPointer(indices + 16 &* t).loadUnaligned(as: SIMD16<Int32>.self)
    let x = permuteLanes(rowValues, index)
    var v = SIMD16<Float>().addingProduct(x, load16(pattern + 16 &* t)) * alpha
    if relu { v = rectified(v) }
    return v
  }
  // Whole periods, with nothing decided per vector (ReLU fixed by the caller, every vector
  // whole); then the rows left, vector by vector with masked ends.
  @inline(__always) func run<C>(
    relu: Bool, _ c: UnsafeMutablePointer<C>,
    _ finish: (SIMD16<Float>, UnsafeMutablePointer<C>, Int) -> Void
  ) {
    var i0 = rows.lowerBound
    while i0 &+ periodRows <= rows.upperBound {
      let rowValues =
        periodRows == 16 ? T.widen16(a + i0) : T.widenPartial16(a + i0, periodRows)
      var d = c + i0 &* n
      for t in 0..<period {
        finish(product(t, rowValues, relu: relu), d, 16)
        d += 16
      }
      i0 &+= periodRows
    }
    if i0 == rows.upperBound { return }
    let rowValues = T.widenPartial16(a + i0, rows.upperBound - i0)
    var f = i0 * n
    let total = rows.upperBound * n
    for t in 0..<period where f < total {
      finish(product(t, rowValues, relu: relu), c + f, min(16, total - f))
      f += 16
    }
  }
  if p.cStorage == .float16 {
    @inline(__always) func finish(
      _ v: SIMD16<Float>, _ d: UnsafeMutablePointer<Float16>, _ lanes: Int
    ) {
      let m = (UnsafeRawPointer(d) + delta).assumingMemoryBound(to: Float16.self)
      let v = maskedByReLU(v, lanes == 16 ? loadWidened16(m) : loadPartialWidened16(m, lanes))
      if lanes == 16 { storeNarrowed(v, to: d) } else { storePartialNarrowed16(v, to: d, lanes) }
    }
    let c = p.c.assumingMemoryBound(to: Float16.self)
    if p.relu { run(relu: true, c, finish) } else { run(relu: false, c, finish) }
  } else {
    @inline(__always) func finish(
      _ v: SIMD16<Float>, _ d: UnsafeMutablePointer<Float>, _ lanes: Int
    ) {
      let m = floatMask(d, delta)
      let v = maskedByReLU(v, lanes == 16 ? load16(m) : loadPartial16(m, lanes))
      if lanes == 16 { store(v, to: d) } else { storePartial16(v, to: d, lanes) }
    }
    let c = p.c.assumingMemoryBound(to: Float.self)
    if p.relu { run(relu: true, c, finish) } else { run(relu: false, c, finish) }
  }
}

/// The flat rank-one forms' tables for `lanes` consecutive values of C with rows of `n`: value
/// f's row offset from the first row (`f / n`, a lane index for `vpermps`) and its B value.
private struct RankOneTables {
  let indices: UnsafeMutablePointer<Int32>
  let pattern: UnsafeMutablePointer<Float>

  init(lanes: Int, n: Int, b: BRows) {
    indices = .allocate(capacity: lanes)
    pattern = .allocate(capacity: lanes)
    for f in 0..<lanes {
      indices[f] = Int32(f / n)
      pattern[f] = b.value(0, column: f % n)
    }
  }

  func free() {
    indices.deallocate()
    pattern.deallocate()
  }
}

/// ``narrowRankOneFlat`` in AVX2 builds, on 8-lane vectors: blocks of 8 rows are n vectors, A's
/// 8 values of a block loaded once and spread by one `vpermps` per vector (a 16-lane permute is
/// two sources there); the rows after the last whole block go row by row (``narrowRankOne``,
/// the same arithmetic). Row by row, each row of 20 took a whole and a masked store and a
/// masked load of the mask: with a ReLU mask, Zen 3, 1 thread, Float C 1000x20x1 7.0 -> 3.3
/// us, 1000x8x1 3.9 -> 1.4, 1000x24x1 6.7 -> 3.8, 1000x32x1 5.5 -> 5.1; Float16 C 1000x20x1
/// 6.1 -> 3.9, 1000x12x1 6.1 -> 2.4, 1000x7x1 5.5 -> 2.0. A Float16 mask is loaded with
/// `loadWidenedMask8`: loaded plainly, its compare became five instructions and the Float16
/// loop took 7 cycles a vector (1000x20x1 5.2 us).
@inline(__always)
private func narrowRankOneFlat8<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: BRows, rows: Range<Int>
) {
  let n = p.n
  // Per vector t of a block: the row (0-7) and B's value of each lane.
  let tables = RankOneTables(lanes: n * 8, n: n, b: b)
  defer { tables.free() }
  let (indices, pattern) = (tables.indices, tables.pattern)
  let alpha = SIMD8<Float>(repeating: p.alpha)
  let delta = p.reluMaskDelta ?? 0  // usesFlatRankOne requires a mask
  let wholeEnd = rows.lowerBound + rows.count / 8 * 8
  @inline(__always) func run<C>(
    relu: Bool, _ c: UnsafeMutablePointer<C>,
    _ finish: (SIMD8<Float>, UnsafeMutablePointer<C>) -> Void
  ) {
    var i0 = rows.lowerBound
    while i0 < wholeEnd {
      let rowValues = T.widen8(a + i0)
      var d = c + i0 &* n
      for t in 0..<n {
        let index = UnsafeRawPointer(indices + 8 &* t).loadUnaligned(as: SIMD8<Int32>.self)
        let x = permuteLanes(rowValues, index)
        var v = SIMD8<Float>().addingProduct(x, load8(pattern + 8 &* t)) * alpha
        if relu { v = rectified(v) }
        finish(v, d)
        d += 8
      }
      i0 &+= 8
    }
  }
  if p.cStorage == .float16 {
    @inline(__always) func finish(_ v: SIMD8<Float>, _ d: UnsafeMutablePointer<Float16>) {
      let m = (UnsafeRawPointer(d) + delta).assumingMemoryBound(to: Float16.self)
      storeNarrowed(maskedByReLU(v, loadWidenedMask8(m)), to: d)
    }
    let c = p.c.assumingMemoryBound(to: Float16.self)
    if p.relu { run(relu: true, c, finish) } else { run(relu: false, c, finish) }
  } else {
    @inline(__always) func finish(_ v: SIMD8<Float>, _ d: UnsafeMutablePointer<Float>) {
      store(maskedByReLU(v, load8(floatMask(d, delta))), to: d)
    }
    let c = p.c.assumingMemoryBound(to: Float.self)
    if p.relu { run(relu: true, c, finish) } else { run(relu: false, c, finish) }
  }
  if wholeEnd < rows.upperBound { narrowRankOne(p, a: a, b: b, rows: wholeEnd..<rows.upperBound) }
}

/// Shallow products (k <= 32, one K block) with 2-16 columns and a Float A with contiguous rows
/// (1000x10x20): op(B) copied whole into rows of 16, groups of 8 rows, each group's rows of A
/// read from one running pointer (eight pointers spilled in the general form). Same arithmetic
/// as every other path.
@inline(never)
private func narrowShallow16(
  _ p: GEMMProblem, a: UnsafePointer<Float>, firstRowOfA: Int = 0, b: UnsafePointer<Float>,
  rows: Range<Int>
) {
  let rs = p.a.rowStride
  let k = p.k
  let groupRows = NarrowAccumulators.groupRows(width: 16, narrowRight: false)
  // At most 8 columns on 8 lanes, in AVX-512 builds (see `narrowRows`).
  let narrowLeft = p.n <= 8 && NarrowAccumulators.fullGroups
  @inline(__always) func forEachGroup(_ store: (Int, SIMD16<Float>) -> Void) {
    var i = rows.lowerBound
    while i < rows.upperBound {
      let count = min(groupRows, rows.upperBound - i)
      let r0 = a + (i &- firstRowOfA) &* rs
      if count < groupRows {
        // A short group: rows one by one (each its own chain, the same order).
        for row in 0..<count {
          var acc = SIMD16<Float>()
          let rp = r0 + row &* rs
          for q in 0..<k { acc = acc.addingProduct(SIMD16(repeating: rp[q]), load16(b + q &* 16)) }
          store(i + row, acc)
        }
        i += count
        continue
      }
      if narrowLeft {
        // At most 8 columns: the FMAs on 8 lanes, as in `add8RowsOf8` (full groups of 8 rows:
        // AVX-512 builds only).
        var h0 = SIMD8<Float>()
        var h1 = SIMD8<Float>()
        var h2 = SIMD8<Float>()
        var h3 = SIMD8<Float>()
        var h4 = SIMD8<Float>()
        var h5 = SIMD8<Float>()
        var h6 = SIMD8<Float>()
        var h7 = SIMD8<Float>()
        for q in 0..<k {
          let b0 = load8(b + q &* 16)
          var r = r0 + q
          h0 = h0.addingProduct(SIMD8(repeating: r.pointee), b0)
          r += rs
          h1 = h1.addingProduct(SIMD8(repeating: r.pointee), b0)
          r += rs
          h2 = h2.addingProduct(SIMD8(repeating: r.pointee), b0)
          r += rs
          h3 = h3.addingProduct(SIMD8(repeating: r.pointee), b0)
          r += rs
          h4 = h4.addingProduct(SIMD8(repeating: r.pointee), b0)
          r += rs
          h5 = h5.addingProduct(SIMD8(repeating: r.pointee), b0)
          r += rs
          h6 = h6.addingProduct(SIMD8(repeating: r.pointee), b0)
          r += rs
          h7 = h7.addingProduct(SIMD8(repeating: r.pointee), b0)
        }
        store(i, lowEightOf(h0))
        store(i + 1, lowEightOf(h1))
        store(i + 2, lowEightOf(h2))
        store(i + 3, lowEightOf(h3))
        store(i + 4, lowEightOf(h4))
        store(i + 5, lowEightOf(h5))
        store(i + 6, lowEightOf(h6))
        store(i + 7, lowEightOf(h7))
        i += groupRows
        continue
      }
      var t = NarrowAccumulators()
      for q in 0..<k {
        let b0 = load16(b + q &* 16)
        var r = r0 + q
        t.c0 = t.c0.addingProduct(SIMD16(repeating: r.pointee), b0)
        r += rs
        t.c1 = t.c1.addingProduct(SIMD16(repeating: r.pointee), b0)
        r += rs
        t.c2 = t.c2.addingProduct(SIMD16(repeating: r.pointee), b0)
        r += rs
        t.c3 = t.c3.addingProduct(SIMD16(repeating: r.pointee), b0)
        if NarrowAccumulators.fullGroups {
          r += rs
          t.c4 = t.c4.addingProduct(SIMD16(repeating: r.pointee), b0)
          r += rs
          t.c5 = t.c5.addingProduct(SIMD16(repeating: r.pointee), b0)
          r += rs
          t.c6 = t.c6.addingProduct(SIMD16(repeating: r.pointee), b0)
          r += rs
          t.c7 = t.c7.addingProduct(SIMD16(repeating: r.pointee), b0)
        }
      }
      store(i, t.c0)
      store(i + 1, t.c1)
      store(i + 2, t.c2)
      store(i + 3, t.c3)
      if NarrowAccumulators.fullGroups {
        store(i + 4, t.c4)
        store(i + 5, t.c5)
        store(i + 6, t.c6)
        store(i + 7, t.c7)
      }
      i += groupRows
    }
  }
  let unused = SIMD16<Float>()
  if p.cStorage == .float16 {
    let rounding = NarrowRowUpdate(roundingInto: p)
    let c = p.c.assumingMemoryBound(to: Float16.self)
    // With C not read, what the rounding tests per row is fixed here, once, as in
    // ``narrowShallow32``: whether a row is a whole vector, and the bias, the ReLU or (a
    // backward product) the mask alone, each combination its own instantiation. Transparent
    // both: as `@inline(__always)` functions the compiler left them out of line and the flags
    // stayed tests per row.
    @_transparent func roundAll(full: Bool, bias: Bool, relu: Bool, masked: Bool) {
      forEachGroup { i, v in
        rounding.storeRounded(
          v, unused, to: c + i &* p.ldc, readsC: false, masked: masked, firstFull: full,
          addsBias: bias, relu: relu)
      }
    }
    @_transparent func roundAll(full: Bool) {
      switch (rounding.hasBias, rounding.relu, rounding.reluMaskDelta != nil) {
      case (false, false, false): roundAll(full: full, bias: false, relu: false, masked: false)
      case (true, false, false): roundAll(full: full, bias: true, relu: false, masked: false)
      case (false, true, false): roundAll(full: full, bias: false, relu: true, masked: false)
      case (true, true, false): roundAll(full: full, bias: true, relu: true, masked: false)
      case (false, false, true): roundAll(full: full, bias: false, relu: false, masked: true)
      default:
        forEachGroup { i, v in rounding.storeRounded(v, unused, to: c + i &* p.ldc) }
      }
    }
    if rounding.readsC {
      forEachGroup { i, v in rounding.storeRounded(v, unused, to: c + i &* p.ldc) }
    } else if p.n == 16 {
      roundAll(full: true)
    } else {
      roundAll(full: false)
    }
    return
  }
  let update = p.tileUpdate(kBlock: 0, of: 1, column: 0, intoFloatWorkspace: false)
  let rowUpdate = NarrowRowUpdate(update, columns: p.n)
  let c = p.c.assumingMemoryBound(to: Float.self)
  let masked = rowUpdate.reluMaskDelta != nil
  switch (update.mode, masked) {
  case (.overwrite, false):
    forEachGroup { i, v in rowUpdate.store(v, unused, to: c + i &* p.ldc, .overwrite) }
  case (.overwrite, true):
    forEachGroup { i, v in
      rowUpdate.store(v, unused, to: c + i &* p.ldc, .overwrite, masked: true)
    }
  case (.scaleAdd, _):
    forEachGroup { i, v in
      rowUpdate.store(v, unused, to: c + i &* p.ldc, .scaleAdd, masked: masked)
    }
  case (.accumulate, _):
    forEachGroup { i, v in
      rowUpdate.store(v, unused, to: c + i &* p.ldc, .accumulate, masked: masked)
    }
  }
}
