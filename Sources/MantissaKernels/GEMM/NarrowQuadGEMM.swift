// f32-gemm-4x20-simd16quad (and every other type combination): the forward pass of a small
// layer with 17-20 outputs (1000x20x10), k <= 16, A by rows, in AVX-512 builds. Groups of four
// rows as in `4x32-simd16direct` (`narrowShallow32`), but the last 1-4 columns of all four rows
// share one SIMD16, lane 4c + r for row r and column 16 + c: five 512-bit FMAs per depth step
// where the direct form takes four 512-bit and four 256-bit ones, which Zen 4 issues as six.
// That vector needs A's four values at each depth step as a quad, so each group's rows are
// transposed (eight in-lane unpacks, which run beside the FMAs) one group ahead, into a scratch
// the FMAs read both the broadcasts and the quads from; a Float16 A is widened by those loads,
// with no pass of its own. The quad vector is transposed back to row order (one permute) and
// written with masked stores at addresses shifted so that each row's lanes land on its
// columns. Same arithmetic as every other path: each C value one FMA per k in increasing
// order from zero, then TileUpdate's formulas, so the same bits.

/// Whether a narrow-path problem of this shape takes ``narrowShallowQuads``: AVX-512 forms,
/// 17-20 columns, 2-16 depth steps, A not transposed.
func usesNarrowQuads(n: Int, k: Int, transA: Bool) -> Bool {
  CompiledCPU.choosesAVX512Forms && n >= 17 && n <= 20 && k >= 2 && k <= 16 && !transA
}

/// The narrow path's tile ID for ``narrowShallowQuads``.
let narrowQuadsTileID = "4x20-simd16quad"

/// Rows `rows` of C (whole groups of 4 but perhaps the last) for ``usesNarrowQuads`` problems.
/// `b`: op(B) packed into rows of 32 Floats, zeros past n. Row `i` of op(A) starts at
/// `a + i * p.a.rowStride` (its columns contiguous).
@inline(never)
func narrowShallowQuads<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: UnsafePointer<Float>, rows: Range<Int>
) {
  let k = p.k
  let rowStride = p.a.rowStride
  // Two 64-Float scratches for A's quads (this group's, the next one's) and B's last columns
  // as quads, each value repeated for the four rows: lane 4c + r is B[q][16 + c].
  withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * 64 + 16 * 16 + 16) { scratch in
    let quadsOfA0 = alignedToCacheLine(scratch.baseAddress!)
    let quadsOfA1 = quadsOfA0 + 64
    let quadsOfB = quadsOfA0 + 128
    for q in 0..<k {
      for l in 0..<16 { quadsOfB[q * 16 + l] = b[q * 32 + 16 + l / 4] }
    }
    // Quad j of row `q % 4` of the scratch holds A's four rows at depth q = 4j + q % 4.
    @inline(__always) func transpose(_ first: Int, into d: UnsafeMutablePointer<Float>) {
      let last = min(3, rows.upperBound - first - 1)
      let r0 = a + first &* rowStride
      let (q0, q1, q2, q3) = transposedQuads(
        T.widenPartial16(r0, k), T.widenPartial16(r0 + min(1, last) &* rowStride, k),
        T.widenPartial16(r0 + min(2, last) &* rowStride, k),
        T.widenPartial16(r0 + last &* rowStride, k))
      store(q0, to: d)
      store(q1, to: d + 16)
      store(q2, to: d + 32)
      store(q3, to: d + 48)
    }
    @inline(__always) func forEachGroup(_ finish: QuadGroupFinish) {
      var i = rows.lowerBound
      var current = quadsOfA0
      var next = quadsOfA1
      if i < rows.upperBound { transpose(i, into: current) }
      while i < rows.upperBound {
        // The next group's transpose first: its loads and stores are done long before its
        // FMAs read the scratch.
        if i + 4 < rows.upperBound { transpose(i + 4, into: next) }
        var l0 = SIMD16<Float>()
        var l1 = SIMD16<Float>()
        var l2 = SIMD16<Float>()
        var l3 = SIMD16<Float>()
        var tail = SIMD16<Float>()
        for q in 0..<k {
          let quad = current + (16 &* (q & 3) &+ 4 &* (q &>> 2))
          let b0 = load16(b + q &* 32)
          l0 = l0.addingProduct(SIMD16(repeating: quad[0]), b0)
          l1 = l1.addingProduct(SIMD16(repeating: quad[1]), b0)
          l2 = l2.addingProduct(SIMD16(repeating: quad[2]), b0)
          l3 = l3.addingProduct(SIMD16(repeating: quad[3]), b0)
          tail = tail.addingProduct(repeatingQuad(quad), load16(quadsOfB + q &* 16))
        }
        finish(i, min(4, rows.upperBound - i), l0, l1, l2, l3, swappingQuadAxes(tail))
        swap(&current, &next)
        i += 4
      }
    }
    if p.cStorage == .float16 {
      storeQuadGroups(p, c: p.c.assumingMemoryBound(to: Float16.self), forEachGroup)
    } else {
      storeQuadGroups(p, c: p.c.assumingMemoryBound(to: Float.self), forEachGroup)
    }
  }
}

/// A group's accumulators as ``narrowShallowQuads`` hands them over: the row index, the row
/// count (1-4), rows 0-3's first 16 columns, and the last columns in row-major quads.
typealias QuadGroupFinish = (
  Int, Int, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>
) -> Void

/// Runs `forEachGroup` with the store for a Float16 C, the update's flags fixed per call as in
/// `narrowShallow32` (each case its own copy of the loop).
@inline(__always)
private func storeQuadGroups(
  _ p: GEMMProblem, c: UnsafeMutablePointer<Float16>,
  _ forEachGroup: (QuadGroupFinish) -> Void
) {
  let update = NarrowRowUpdate(roundingInto: p)
  let bias = update.quadBias
  let plain = !update.readsC && update.reluMaskDelta == nil
  let forward = plain && p.alpha == 1 && update.hasBias
  @inline(__always) func rows(_ i: Int, _ count: Int) -> QuadRows<Float16> {
    QuadRows(c + i &* p.ldc, ldc: p.ldc, count: count, lanes: update.lanes1)
  }
  @inline(__always) func general(readsC: Bool, masked: Bool, addsBias: Bool, relu: Bool) {
    forEachGroup { i, count, l0, l1, l2, l3, tail in
      forEachRow(c + i &* p.ldc, p.ldc, count, l0, l1, l2, l3) { row, v in
        update.storeRoundedPiece(
          v, to: row, lanes: 16, bias: update.bias0, full: true, readsC: readsC, masked: masked,
          addsBias: addsBias, relu: relu)
      }
      update.storeRoundedQuad(
        tail, rows(i, count), bias: bias, readsC: readsC, masked: masked, addsBias: addsBias,
        relu: relu)
    }
  }
  @inline(__always) func forwardLayer(relu: Bool) {
    forEachGroup { i, count, l0, l1, l2, l3, tail in
      @inline(__always) func value(_ v: SIMD16<Float>, _ bias: SIMD16<Float>) -> SIMD16<Float> {
        relu ? rectified(v + bias) : v + bias
      }
      forEachRow(c + i &* p.ldc, p.ldc, count, l0, l1, l2, l3) { row, v in
        storeNarrowed(value(v, update.bias0), to: row)
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
      forEachRow(c + i &* p.ldc, p.ldc, count, l0, l1, l2, l3) { storeNarrowed($1, to: $0) }
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

/// ``storeQuadGroups(_:c:_:)`` for a Float C: one K block, so the update is the last block's.
@inline(__always)
private func storeQuadGroups(
  _ p: GEMMProblem, c: UnsafeMutablePointer<Float>,
  _ forEachGroup: (QuadGroupFinish) -> Void
) {
  let tileUpdate = p.tileUpdate(kBlock: 0, of: 1, column: 0, intoFloatWorkspace: false)
  let update = NarrowRowUpdate(tileUpdate, columns: p.n)
  let bias = update.quadBias
  let masked = update.reluMaskDelta != nil
  let forward = tileUpdate.mode == .overwrite && !masked && p.alpha == 1 && update.hasBias
  @inline(__always) func rows(_ i: Int, _ count: Int) -> QuadRows<Float> {
    QuadRows(c + i &* p.ldc, ldc: p.ldc, count: count, lanes: update.lanes1)
  }
  @inline(__always) func general(_ mode: TileUpdate.Mode, masked: Bool) {
    forEachGroup { i, count, l0, l1, l2, l3, tail in
      forEachRow(c + i &* p.ldc, p.ldc, count, l0, l1, l2, l3) { row, v in
        update.storePiece(
          v, to: row, lanes: 16, bias: update.bias0, mode, masked: masked,
          addsBias: update.hasBias, relu: update.relu)
      }
      update.storeQuad(
        tail, rows(i, count), bias: bias, mode, masked: masked, addsBias: update.hasBias,
        relu: update.relu)
    }
  }
  @inline(__always) func forwardLayer(relu: Bool) {
    forEachGroup { i, count, l0, l1, l2, l3, tail in
      @inline(__always) func value(_ v: SIMD16<Float>, _ bias: SIMD16<Float>) -> SIMD16<Float> {
        relu ? rectified(v + bias) : v + bias
      }
      forEachRow(c + i &* p.ldc, p.ldc, count, l0, l1, l2, l3) { row, v in
        store(value(v, update.bias0), to: row)
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
      forEachRow(c + i &* p.ldc, p.ldc, count, l0, l1, l2, l3) { store($1, to: $0) }
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

/// Where a group's last columns go: lanes `4r..<4r + lanes` of a quad vector to row r's
/// columns 16 on, through a masked access at `row r + 16 - 4r`, which puts lane 4r on column
/// 16. Each pointer lies inside its row; rows past the group's count get an empty mask.
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
  init(_ row: UnsafeMutablePointer<Element>, ldc: Int, count: Int, lanes: Int) {
    let bits = UInt16(truncatingIfNeeded: (1 &<< lanes) &- 1)
    p0 = row + 16
    p1 = count > 1 ? row + ldc + 12 : p0
    p2 = count > 2 ? row + 2 &* ldc + 8 : p0
    p3 = count > 3 ? row + 3 &* ldc + 4 : p0
    m0 = bits
    m1 = count > 1 ? bits &<< 4 : 0
    m2 = count > 2 ? bits &<< 8 : 0
    m3 = count > 3 ? bits &<< 12 : 0
  }

  /// The same places `delta` bytes away (a ReLU mask laid out like C).
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

extension QuadRows where Element == Float {
  /// The group's last columns in quad lanes, zeros elsewhere.
  @inline(__always)
  func load() -> SIMD16<Float> {
    var v = loadMasked(p0, m0, into: SIMD16())
    v = loadMasked(p1, m1, into: v)
    v = loadMasked(p2, m2, into: v)
    return loadMasked(p3, m3, into: v)
  }

  @inline(__always)
  func store(_ v: SIMD16<Float>) {
    storeMasked(v, to: p0, m0)
    storeMasked(v, to: p1, m1)
    storeMasked(v, to: p2, m2)
    storeMasked(v, to: p3, m3)
  }
}

extension QuadRows where Element == Float16 {
  /// The group's last columns in quad lanes, widened, zeros elsewhere.
  @inline(__always)
  func load() -> SIMD16<Float> {
    var v = loadMasked(p0, m0, into: SIMD16())
    v = loadMasked(p1, m1, into: v)
    v = loadMasked(p2, m2, into: v)
    return widen(loadMasked(p3, m3, into: v))
  }

  @inline(__always)
  func store(_ v: SIMD16<Float16>) {
    storeMasked(v, to: p0, m0)
    storeMasked(v, to: p1, m1)
    storeMasked(v, to: p2, m2)
    storeMasked(v, to: p3, m3)
  }
}

extension NarrowRowUpdate {
  /// The bias of columns 16-19 in quad lanes: lane 4r + c is `bias[16 + c]`.
  var quadBias: SIMD16<Float> {
    var v = SIMD16<Float>()
    for l in 0..<16 { v[l] = bias1[l % 4] }
    return v
  }

  /// A group's last columns of Float C, row-major quads (``QuadRows``), with the formulas of
  /// ``storePiece(_:to:lanes:bias:_:masked:addsBias:relu:)``.
  @inline(__always)
  func storeQuad(
    _ acc: SIMD16<Float>, _ rows: QuadRows<Float>, bias: SIMD16<Float>, _ mode: TileUpdate.Mode,
    masked: Bool, addsBias: Bool, relu: Bool
  ) {
    var v: SIMD16<Float>
    switch mode {
    case .overwrite: v = acc * alpha
    case .scaleAdd: v = (acc * alpha).addingProduct(beta, rows.load())
    case .accumulate: v = rows.load().addingProduct(alpha, acc)
    }
    if addsBias { v += bias }
    if relu { v = rectified(v) }
    if masked { v = maskedByReLU(v, rows.offset(byBytes: reluMaskDelta!).load()) }
    rows.store(v)
  }

  /// A group's last columns of Float16 C, rounded once, with the formulas of
  /// ``storeRoundedPiece(_:to:lanes:bias:full:readsC:masked:addsBias:relu:)``.
  @inline(__always)
  func storeRoundedQuad(
    _ acc: SIMD16<Float>, _ rows: QuadRows<Float16>, bias: SIMD16<Float>, readsC: Bool,
    masked: Bool, addsBias: Bool, relu: Bool
  ) {
    var v = acc * alpha
    if readsC { v = v.addingProduct(beta, rows.load()) }
    if addsBias { v += bias }
    if relu { v = rectified(v) }
    if masked { v = maskedByReLU(v, rows.offset(byBytes: reluMaskDelta!).load()) }
    rows.store(narrow(v))
  }
}
