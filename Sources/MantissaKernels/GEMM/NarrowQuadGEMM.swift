// f32-gemm-4x20-simd16quad (and every other type combination): a layer with 17-20 outputs
// (1000x20x10, 1000x20x64), one K block of up to 512, A by rows, in AVX-512 builds. Groups of
// four rows as in `4x32-simd16direct`, but the last 1-4 columns of all four rows share one
// SIMD16, lane 4c + r for row r and column 16 + c: five 512-bit FMAs per depth step where the
// direct form takes four 512-bit and four 256-bit ones, which Zen 4 issues as six. That vector
// needs A's four values at each depth step as a quad, so each group's rows are transposed
// (eight in-lane unpacks per 16 depth steps, which run beside the FMAs) into a scratch the
// FMAs read both the broadcasts and the quads from, 16 depth steps of the next group during
// each 16 of the current one; a Float16 A is widened by those loads, with no pass of its own.
// The quad vector is transposed back to row order (one permute) and written with masked
// stores at addresses shifted so that each row's lanes land on its columns. Same arithmetic
// as every other path: each C value one FMA per k in increasing order from zero, then
// TileUpdate's formulas, so the same bits. f32-gemm-16x4-simd16quad (``narrowQuadRows16``)
// keeps all of 2-4 columns so, four groups of four rows per step for four FMA chains.

/// The deepest K block ``narrowQuads`` takes: two scratches of 4 x 512 Floats (16 KiB).
let narrowQuadsMaximumDepth = 512

/// Whether a narrow-path problem of this shape takes a quad form (``narrowQuadForms``):
/// AVX-512 forms, 17-20 or 2-4 columns, A not transposed, 2 to 512 depth steps in one K block (`kBlock`: the K block the
/// call runs with, which must be all of k), and beyond 16 of them at least 64 rows. Deeper
/// than 16, the direct form reads a row-major B in place while this one packs it (k rows of
/// 32 Floats), which the rows must pay for: Zen 4, 1 thread, 32x20x128 2.2 -> 2.6 us, 64x20x64
/// 2.3-2.4 -> 2.2-2.3, 128x20x64 4.5 -> 3.8.
func usesNarrowQuads(m: Int, n: Int, k: Int, transA: Bool, kBlock: Int) -> Bool {
  CompiledCPU.choosesAVX512Forms && (n >= 17 && n <= 20 || n >= 2 && n <= 4) && !transA
    && k >= 2 && k <= narrowQuadsMaximumDepth && kBlock >= k && (k <= 16 || m >= 64)
}

/// The narrow path's tile ID for ``narrowQuads`` (17-20 columns) and ``narrowQuadRows16``
/// (2-4).
func narrowQuadsTileID(n: Int) -> String { n > 16 ? "4x20-simd16quad" : "16x4-simd16quad" }

/// Rewrites columns `column..<column + 4` (0 or 16) of op(B)'s packed rows of `width` Floats
/// (zeros past n) as quads of four copies each, lane `column + 4c + r` holding column
/// `column + c`: the layout of the vectors that hold a group's quads.
func expandColumnsIntoQuads(
  _ packed: UnsafeMutablePointer<Float>, rows: Int, width: Int, column: Int
) {
  for q in 0..<rows {
    let columns = packed + q &* width + column
    // The four columns in every quad, then quad axes swapped: lane 4c + r holds column c.
    store(swappingQuadAxes(repeatingQuad(columns)), to: columns)
  }
}

/// Rows `rows` of C (whole groups of 4 but perhaps the last) for a ``usesNarrowQuads``
/// problem: ``narrowQuads`` for 17-20 columns, ``narrowQuadRows16`` for 2-4. `b`: op(B)
/// packed into rows of 32 or 16 Floats, its quad columns expanded
/// (``expandColumnsIntoQuads(_:rows:width:column:)``).
func narrowQuadForms<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: UnsafePointer<Float>, rows: Range<Int>
) {
  if p.n > 16 {
    narrowQuads(p, a: a, b: b, rows: rows)
  } else {
    narrowQuadRows16(p, a: a, b: b, rows: rows)
  }
}

/// Rows `rows` of C (whole groups of 4 but perhaps the last) for ``usesNarrowQuads`` problems.
/// `b`: op(B) packed into rows of 32 Floats, columns 16-19 as quads
/// (``expandColumnsIntoQuads(_:rows:width:column:)``). Row `i` of op(A) starts at
/// `a + i * p.a.rowStride` (its columns contiguous).
@inline(never)
func narrowQuads<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: UnsafePointer<Float>, rows: Range<Int>
) {
  let k = p.k
  let rowStride = p.a.rowStride
  let chunks = (k + 15) / 16
  // Two scratches for A's quads, this group's and the next one's, 64 Floats per 16 depth steps.
  withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * 64 * chunks + 16) { scratch in
    let quadsOfA0 = alignedToCacheLine(scratch.baseAddress!)
    let quadsOfA1 = quadsOfA0 + 64 * chunks
    @inline(__always) func transpose(
      _ first: Int, chunk j: Int, into scratch: UnsafeMutablePointer<Float>
    ) {
      transposeQuads(
        a, rowStride: rowStride, k: k, rows: first..<rows.upperBound, chunk: j, into: scratch)
    }
    @inline(__always) func forEachGroup(_ finish: QuadGroupFinish) {
      var i = rows.lowerBound
      var current = quadsOfA0
      var next = quadsOfA1
      if i < rows.upperBound {
        for j in 0..<chunks { transpose(i, chunk: j, into: current) }
      }
      while i < rows.upperBound {
        let hasNext = i + 4 < rows.upperBound
        var l0 = SIMD16<Float>()
        var l1 = SIMD16<Float>()
        var l2 = SIMD16<Float>()
        var l3 = SIMD16<Float>()
        var tail = SIMD16<Float>()
        @inline(__always) func step(_ q: Int, _ quad: UnsafeMutablePointer<Float>) {
          let row = b + q &* 32
          let b0 = load16(row)
          l0 = l0.addingProduct(SIMD16(repeating: quad[0]), b0)
          l1 = l1.addingProduct(SIMD16(repeating: quad[1]), b0)
          l2 = l2.addingProduct(SIMD16(repeating: quad[2]), b0)
          l3 = l3.addingProduct(SIMD16(repeating: quad[3]), b0)
          tail = tail.addingProduct(repeatingQuad(quad), load16(row + 16))
        }
        if chunks == 1 {
          // One chunk (k <= 16) in a loop of its own: in the chunked loop below, 1000x20x10
          // ran 5.5 us against 4.9.
          if hasNext { transpose(i + 4, chunk: 0, into: next) }
          for q in 0..<k { step(q, current + (16 &* (q & 3) &+ 4 &* (q &>> 2))) }
        } else {
          for j in 0..<chunks {
            // The next group's chunk first: its loads and stores are done long before its
            // FMAs read the scratch.
            if hasNext { transpose(i + 4, chunk: j, into: next) }
            let chunk = current + 64 &* j
            for q in (16 &* j)..<min(16 &* j &+ 16, k) {
              step(q, chunk + (16 &* (q & 3) &+ 4 &* ((q &>> 2) & 3)))
            }
          }
        }
        finish(i, min(4, rows.upperBound - i), l0, l1, l2, l3, swappingQuadAxes(tail))
        swap(&current, &next)
        i += 4
      }
    }
    if p.cStorage == .float16 {
      storeQuadGroups(
        p, c: p.c.assumingMemoryBound(to: Float16.self), QuadsAfter16.self, forEachGroup)
    } else {
      storeQuadGroups(
        p, c: p.c.assumingMemoryBound(to: Float.self), QuadsAfter16.self, forEachGroup)
    }
  }
}

/// ``narrowQuads`` for 2-4 columns: one quad vector per four rows is one FMA chain, which would
/// run at the FMA latency (1000x4x64 19-24 us), so a step takes 16 rows, four groups of four
/// whose quad vectors share B's quads: four chains, one B load and four A quads per depth
/// step. Rows `rows` (whole groups of 4 but perhaps the last); `b`: op(B) in rows of 16 Floats,
/// columns 0-3 as quads (``expandColumnsIntoQuads(_:rows:width:column:)``).
@inline(never)
func narrowQuadRows16<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: UnsafePointer<Float>, rows: Range<Int>
) {
  let k = p.k
  let rowStride = p.a.rowStride
  let chunks = (k + 15) / 16
  let end = rows.upperBound
  // Per 16 rows, four groups' scratches of 64 Floats per chunk; this step's and the next one's.
  let groupScratch = 64 * chunks
  withUnsafeTemporaryAllocation(of: Float.self, capacity: 8 * groupScratch + 16) { scratch in
    let quadsOfA0 = alignedToCacheLine(scratch.baseAddress!)
    let quadsOfA1 = quadsOfA0 + 4 * groupScratch
    @inline(__always) func transpose(
      _ first: Int, chunk j: Int, into scratch: UnsafeMutablePointer<Float>
    ) {
      for g in 0..<4 {
        // Groups past the end transpose the last rows again; their sums are not stored.
        transposeQuads(
          a, rowStride: rowStride, k: k, rows: min(first + 4 * g, end - 1)..<end, chunk: j,
          into: scratch + g * groupScratch)
      }
    }
    @inline(__always) func forEachGroup(_ finish: QuadGroupFinish) {
      var i = rows.lowerBound
      var current = quadsOfA0
      var next = quadsOfA1
      if i < end {
        for j in 0..<chunks { transpose(i, chunk: j, into: current) }
      }
      let none = SIMD16<Float>()
      while i < end {
        let hasNext = i + 16 < end
        var t0 = SIMD16<Float>()
        var t1 = SIMD16<Float>()
        var t2 = SIMD16<Float>()
        var t3 = SIMD16<Float>()
        @inline(__always) func step(_ q: Int, _ offset: Int) {
          let columns = load16(b + q &* 16)
          let quad = current + offset
          t0 = t0.addingProduct(repeatingQuad(quad), columns)
          t1 = t1.addingProduct(repeatingQuad(quad + groupScratch), columns)
          t2 = t2.addingProduct(repeatingQuad(quad + 2 &* groupScratch), columns)
          t3 = t3.addingProduct(repeatingQuad(quad + 3 &* groupScratch), columns)
        }
        for j in 0..<chunks {
          // The next step's chunk first, as in ``narrowQuads``.
          if hasNext { transpose(i + 16, chunk: j, into: next) }
          for q in (16 &* j)..<min(16 &* j &+ 16, k) {
            step(q, 64 &* j &+ 16 &* (q & 3) &+ 4 &* ((q &>> 2) & 3))
          }
        }
        finish(i, min(4, end - i), none, none, none, none, swappingQuadAxes(t0))
        if i + 4 < end {
          finish(i + 4, min(4, end - i - 4), none, none, none, none, swappingQuadAxes(t1))
        }
        if i + 8 < end {
          finish(i + 8, min(4, end - i - 8), none, none, none, none, swappingQuadAxes(t2))
        }
        if i + 12 < end {
          finish(i + 12, min(4, end - i - 12), none, none, none, none, swappingQuadAxes(t3))
        }
        swap(&current, &next)
        i += 16
      }
    }
    if p.cStorage == .float16 {
      storeQuadGroups(p, c: p.c.assumingMemoryBound(to: Float16.self), QuadsOnly.self, forEachGroup)
    } else {
      storeQuadGroups(p, c: p.c.assumingMemoryBound(to: Float.self), QuadsOnly.self, forEachGroup)
    }
  }
}

/// Transposes four rows of op(A) from `rows.lowerBound` (rows past `rows` repeat its last),
/// depths `16j..<min(16j + 16, k)`, into chunk j of `scratch` (64 Floats per chunk): quad i of
/// the chunk's vector `q % 4` holds the four rows at depth q = 16j + 4i + q % 4.
@inline(__always)
private func transposeQuads<T: PackableElement>(
  _ a: UnsafePointer<T>, rowStride: Int, k: Int, rows: Range<Int>, chunk j: Int,
  into scratch: UnsafeMutablePointer<Float>
) {
  let first = rows.lowerBound
  let last = min(3, rows.upperBound - first - 1)
  let depths = min(16, k &- 16 &* j)
  let r0 = a + (first &* rowStride &+ 16 &* j)
  let (q0, q1, q2, q3) = transposedQuads(
    T.widenPartial16(r0, depths), T.widenPartial16(r0 + min(1, last) &* rowStride, depths),
    T.widenPartial16(r0 + min(2, last) &* rowStride, depths),
    T.widenPartial16(r0 + last &* rowStride, depths))
  let d = scratch + 64 &* j
  store(q0, to: d)
  store(q1, to: d + 16)
  store(q2, to: d + 32)
  store(q3, to: d + 48)
}

/// A group's accumulators as ``narrowQuads`` hands them over: the row index, the row
/// count (1-4), rows 0-3's first 16 columns, and the last columns in row-major quads.
typealias QuadGroupFinish = (
  Int, Int, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>
) -> Void

/// Where a quad form keeps its columns, as types so that each form's stores are compiled for
/// it (as values, the outlined group loops took them as arguments and tested them per group:
/// 1000x20x10 4.9 -> 5.7 us).
protocol QuadColumns {
  /// Columns 0-15 in whole-row vectors, the quad vector from column 16 (17-20 columns); else
  /// the quad vector from column 0 (2-4 columns).
  static var left: Bool { get }
}
enum QuadsAfter16: QuadColumns { static var left: Bool { true } }
enum QuadsOnly: QuadColumns { static var left: Bool { false } }

/// Runs `forEachGroup` with the store for a Float16 C, the update's flags fixed per call as in
/// `narrowShallow32` (each case its own copy of the loop).
@inline(__always)
private func storeQuadGroups<Layout: QuadColumns>(
  _ p: GEMMProblem, c: UnsafeMutablePointer<Float16>, _: Layout.Type,
  _ forEachGroup: (QuadGroupFinish) -> Void
) {
  let update = NarrowRowUpdate(roundingInto: p)
  let column = Layout.left ? 16 : 0
  let bias = update.quadBias(column: column)
  let plain = !update.readsC && update.reluMaskDelta == nil
  let forward = plain && p.alpha == 1 && update.hasBias
  @inline(__always) func rows(_ i: Int, _ count: Int) -> QuadRows<Float16> {
    QuadRows(
      c + i &* p.ldc, ldc: p.ldc, count: count, lanes: Layout.left ? update.lanes1 : p.n,
      column: Layout.left ? 16 : 0)
  }
  @inline(__always) func general(readsC: Bool, masked: Bool, addsBias: Bool, relu: Bool) {
    forEachGroup { i, count, l0, l1, l2, l3, tail in
      if Layout.left {
        forEachRow(c + i &* p.ldc, p.ldc, count, l0, l1, l2, l3) { row, v in
          update.storeRoundedPiece(
            v, to: row, lanes: 16, bias: update.bias0, full: true, readsC: readsC, masked: masked,
            addsBias: addsBias, relu: relu)
        }
      }
      update.storeRoundedMaskedRows(
        tail, rows(i, count), bias: bias, readsC: readsC, masked: masked, addsBias: addsBias,
        relu: relu)
    }
  }
  @inline(__always) func forwardLayer(relu: Bool) {
    forEachGroup { i, count, l0, l1, l2, l3, tail in
      @inline(__always) func value(_ v: SIMD16<Float>, _ bias: SIMD16<Float>) -> SIMD16<Float> {
        relu ? rectified(v + bias) : v + bias
      }
      if Layout.left {
        forEachRow(c + i &* p.ldc, p.ldc, count, l0, l1, l2, l3) { row, v in
          storeNarrowed(value(v, update.bias0), to: row)
        }
      }
      rows(i, count).store(narrow(value(tail, bias)))
    }
  }
  switch (plain, forward, update.relu) {
  case (_, true, true): forwardLayer(relu: true)
  case (_, true, false): forwardLayer(relu: false)
  case (true, _, _) where !update.hasBias && !update.relu && p.alpha == 1:
    // C not read, no epilogue, alpha 1: the accumulators rounded as they are.
    forEachGroup { i, count, l0, l1, l2, l3, tail in
      if Layout.left {
        forEachRow(c + i &* p.ldc, p.ldc, count, l0, l1, l2, l3) { storeNarrowed($1, to: $0) }
      }
      rows(i, count).store(narrow(tail))
    }
  case (true, _, _) where !update.hasBias && !update.relu:
    general(readsC: false, masked: false, addsBias: false, relu: false)
  case (false, _, _) where !update.readsC && !update.hasBias && !update.relu:
    // A backward layer's product under a ReLU mask, C not read: the mask is all it tests.
    general(readsC: false, masked: true, addsBias: false, relu: false)
  default:
    general(
      readsC: update.readsC, masked: update.reluMaskDelta != nil, addsBias: update.hasBias,
      relu: update.relu)
  }
}

/// ``storeQuadGroups(_:c:_:_:)`` for a Float C: one K block, so the update is the last block's.
@inline(__always)
private func storeQuadGroups<Layout: QuadColumns>(
  _ p: GEMMProblem, c: UnsafeMutablePointer<Float>, _: Layout.Type,
  _ forEachGroup: (QuadGroupFinish) -> Void
) {
  let tileUpdate = p.tileUpdate(kBlock: 0, of: 1, column: 0, intoFloatWorkspace: false)
  let update = NarrowRowUpdate(tileUpdate, columns: p.n)
  let column = Layout.left ? 16 : 0
  let bias = update.quadBias(column: column)
  let masked = update.reluMaskDelta != nil
  let forward = tileUpdate.mode == .overwrite && !masked && p.alpha == 1 && update.hasBias
  @inline(__always) func rows(_ i: Int, _ count: Int) -> QuadRows<Float> {
    QuadRows(
      c + i &* p.ldc, ldc: p.ldc, count: count, lanes: Layout.left ? update.lanes1 : p.n,
      column: Layout.left ? 16 : 0)
  }
  @inline(__always) func general(_ mode: TileUpdate.Mode, masked: Bool) {
    forEachGroup { i, count, l0, l1, l2, l3, tail in
      if Layout.left {
        forEachRow(c + i &* p.ldc, p.ldc, count, l0, l1, l2, l3) { row, v in
          update.storePiece(
            v, to: row, lanes: 16, bias: update.bias0, mode, masked: masked,
            addsBias: update.hasBias, relu: update.relu)
        }
      }
      update.storeMaskedRows(
        tail, rows(i, count), bias: bias, mode, masked: masked, addsBias: update.hasBias,
        relu: update.relu)
    }
  }
  @inline(__always) func forwardLayer(relu: Bool) {
    forEachGroup { i, count, l0, l1, l2, l3, tail in
      @inline(__always) func value(_ v: SIMD16<Float>, _ bias: SIMD16<Float>) -> SIMD16<Float> {
        relu ? rectified(v + bias) : v + bias
      }
      if Layout.left {
        forEachRow(c + i &* p.ldc, p.ldc, count, l0, l1, l2, l3) { row, v in
          store(value(v, update.bias0), to: row)
        }
      }
      rows(i, count).store(value(tail, bias))
    }
  }
  switch (tileUpdate.mode, masked) {
  case (.overwrite, false) where forward && update.relu: forwardLayer(relu: true)
  case (.overwrite, false) where forward: forwardLayer(relu: false)
  case (.overwrite, false) where p.alpha == 1 && !update.hasBias && !update.relu:
    // No multiply per row: `acc * 1` is `acc`.
    forEachGroup { i, count, l0, l1, l2, l3, tail in
      if Layout.left {
        forEachRow(c + i &* p.ldc, p.ldc, count, l0, l1, l2, l3) { store($1, to: $0) }
      }
      rows(i, count).store(tail)
    }
  case (.overwrite, let masked): general(.overwrite, masked: masked)
  case (.scaleAdd, let masked): general(.scaleAdd, masked: masked)
  case (.accumulate, let masked): general(.accumulate, masked: masked)
  }
}

/// Calls `body` with each of a group's first `count` (1-4) rows of C and its first 16 columns'
/// accumulator.
@inline(__always)
private func forEachRow<Element>(
  _ row: UnsafeMutablePointer<Element>, _ ldc: Int, _ count: Int, _ l0: SIMD16<Float>,
  _ l1: SIMD16<Float>, _ l2: SIMD16<Float>, _ l3: SIMD16<Float>,
  _ body: (UnsafeMutablePointer<Element>, SIMD16<Float>) -> Void
) {
  body(row, l0)
  if count > 1 { body(row + ldc, l1) }
  if count > 2 { body(row + 2 &* ldc, l2) }
  if count > 3 { body(row + 3 &* ldc, l3) }
}

/// Where a quad vector's columns go: lanes `4r..<4r + lanes` to row r's columns `column` on
/// (16 for 17-20 columns, 0 for 2-4), through a masked access at `row r + column - 4r`, which
/// puts lane 4r on that column. Only the masked lanes are touched: with `column` 0 the address
/// of rows 1-3 lies before the row (even before C); rows past the group's count get an empty
/// mask.
struct QuadRows<Element> {
  let p0: UnsafeMutablePointer<Element>
  let p1: UnsafeMutablePointer<Element>
  let p2: UnsafeMutablePointer<Element>
  let p3: UnsafeMutablePointer<Element>
  let m0: UInt16
  let m1: UInt16
  let m2: UInt16
  let m3: UInt16

  @inline(__always)
  init(_ row: UnsafeMutablePointer<Element>, ldc: Int, count: Int, lanes: Int, column: Int) {
    let bits = UInt16(truncatingIfNeeded: (1 &<< lanes) &- 1)
    p0 = row + column
    p1 = count > 1 ? row + (ldc &+ column &- 4) : p0
    p2 = count > 2 ? row + (2 &* ldc &+ column &- 8) : p0
    p3 = count > 3 ? row + (3 &* ldc &+ column &- 12) : p0
    m0 = bits
    m1 = count > 1 ? bits &<< 4 : 0
    m2 = count > 2 ? bits &<< 8 : 0
    m3 = count > 3 ? bits &<< 12 : 0
  }

  @inline(__always)
  func offset(byBytes delta: Int) -> QuadRows<Element> {
    @inline(__always) func moved(_ p: UnsafeMutablePointer<Element>) -> UnsafeMutablePointer<
      Element
    > {
      (UnsafeMutableRawPointer(p) + delta).assumingMemoryBound(to: Element.self)
    }
    return QuadRows(
      moved(p0), moved(p1), moved(p2), moved(p3), masks: (m0, m1, m2, m3))
  }

  @inline(__always)
  private init(
    _ p0: UnsafeMutablePointer<Element>, _ p1: UnsafeMutablePointer<Element>,
    _ p2: UnsafeMutablePointer<Element>, _ p3: UnsafeMutablePointer<Element>,
    masks: (UInt16, UInt16, UInt16, UInt16)
  ) {
    (self.p0, self.p1, self.p2, self.p3) = (p0, p1, p2, p3)
    (m0, m1, m2, m3) = masks
  }
}

extension QuadRows: MaskedRows {
  @inline(__always)
  func forEachRow(_ body: (UnsafeMutablePointer<Element>, UInt16) -> Void) {
    body(p0, m0)
    body(p1, m1)
    body(p2, m2)
    body(p3, m3)
  }
}

extension NarrowRowUpdate {
  /// The bias of columns `column..<column + 4` (0 or 16) in quad lanes: lane 4r + c is
  /// `bias[column + c]`, zeros past n.
  func quadBias(column: Int) -> SIMD16<Float> {
    let source = column >= 16 ? bias1 : bias0
    var v = SIMD16<Float>()
    for l in 0..<16 { v[l] = source[l % 4] }
    return v
  }
}
