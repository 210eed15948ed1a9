// f32-gemm-4x4-simd16dot (8x2, 5x3, 4x4, 3x5, 2x6, 2x7, 2x8 for n = 2-8; every type
// combination): a narrow product with A by rows and k of at least 17 (n = 2, 3), 21 (n = 4)
// or 33 (n = 5-8), in AVX-512 builds; 10-12 columns (k >= 48, m >= 64) as two passes, the
// first 8 columns and the rest (`2x8+8x2-simd16dot` for 10). C's values are dot products along
// k, as in `16x1-simd16dot` (SingleColumnGEMM.swift), with 16 of them per group: R = 16 / n
// rows of all n columns, one SIMD16 accumulator per value (slot n r + c), each fed by A's row
// r and op(B)'s column c (packed once per call as a row of its own, zero-padded to whole
// vectors) 16 depths at a time.
// A step of 16 depths is R + n loads and R n FMAs, with no broadcasts or transposes; the rows'
// forms spend a broadcast or a transpose on every depth of every row and run out of FMA chains
// at n <= 8 (1000x4x64: 10.2 us, OpenBLAS 7.2). The 16 sums come out of one pairwise tree
// (``Sums16/pairwiseLaneSums()``) in slot order, which is C's row-major order within the
// group, and reach C by masked stores at shifted addresses (``DotRows``).
// Summation order: that of `16x1-simd16dot` (lane j sums the terms with k ≡ j mod 16 in
// increasing k, then the tree), so column c of such a product has the bits of the n == 1
// product with op(B)'s column c, for any thread count and any row position, and differs from
// the packed kernels' order (one chain per value in increasing k), like `16x1-simd16dot`'s.
// Docs/Kernels.md gives the error bound.

/// The shallowest k ``narrowDots`` takes for `n` columns: below it, `16x4-simd16quad` (2-4
/// columns), the shallow `8x16-simd16direct` (5-8, k <= 32) or its rows form (10-12)
/// measured as fast or faster.
/// Zen 4, 1 thread, quad form against dot form: 1000x2x17 4.5 / 2.7 us, 1000x3x17 4.5 / 3.6,
/// 1000x4x18 4.6 / 4.6, 1000x4x22 4.9 / 4.6, 1000x2x16 3.4 / 5.2; shallow form against dot
/// form: 1000x8x32 6.8 / 9.0, 1000x6x32 6.8 / 7.1, and beyond k = 32 the rows form
/// 1000x8x33 13.3 / 11.1, 1000x5x33 13.7 / 6.3.
///
/// 10-12 columns run as the first 8 and the rest (two passes over each group of rows), where
/// the rows form's 16 lanes compute 16 columns whatever n is: from k = 48 and 64 rows on.
/// Zen 4, 1 thread, rows form against two dot passes: 1000x10x33 12.8 / 16.0 us, 1000x12x40
/// 14.6 / 17.8, 1000x10x48 17.1-17.3 / 15.8, 1000x12x64 21.3 / 20.7, 1000x10x128 39.0 /
/// 28.8, 1000x12x300 86.7 / 68.4, 128x10x512 18.7 / 13.6, 64x10x128 2.7 / 2.4, 32x10x128 1.4
/// / 1.5.
func narrowDotsMinimumDepth(n: Int) -> Int { n <= 3 ? 17 : n == 4 ? 21 : n <= 8 ? 33 : 48 }

/// Whether a narrow-path problem of this shape takes a dot form (``narrowDots``): AVX-512
/// forms, 2-8 columns (more than one row) or 10-12 (64 rows or more), A not transposed, k >=
/// ``narrowDotsMinimumDepth(n:)``.
func usesNarrowDots(m: Int, n: Int, k: Int, transA: Bool) -> Bool {
  CompiledCPU.choosesAVX512Forms && !transA && k >= narrowDotsMinimumDepth(n: n)
    && (n >= 2 && n <= 8 && m > 1 || n >= 10 && n <= 12 && m >= 64)
}

/// The narrow path's tile ID for ``narrowDots``: rows per group by columns (for 10-12
/// columns, both passes').
func narrowDotsTileID(n: Int) -> String {
  n <= 8 ? "\(16 / n)x\(n)-simd16dot" : "2x8+\(16 / (n - 8))x\(n - 8)-simd16dot"
}

/// Floats from one packed column of op(B) to the next in ``packColumnsOfB(_:k:n:into:)``.
func packedColumnStride(k: Int) -> Int { (k + 15) / 16 * 16 }

/// op(B)'s `n` columns widened into rows of ``packedColumnStride(k:)`` Floats: k values, then
/// zeros, which the last 16-depth step of a row multiplies by A's masked-off lanes.
func packColumnsOfB(_ b: OperandView, k: Int, n: Int, into d: UnsafeMutablePointer<Float>) {
  if n > 8 {
    // Eight columns at a time (the register transposes' width).
    var rest = b
    rest.base += 8 * b.columnStride * b.elementBytes
    packColumnsOfB(b, k: k, n: 8, into: d)
    packColumnsOfB(rest, k: k, n: n - 8, into: d + 8 * packedColumnStride(k: k))
    return
  }
  let stride = packedColumnStride(k: k)
  @inline(__always) func pack<T: PackableElement>(_ source: UnsafePointer<T>) {
    if b.rowStride == 1 {
      // Columns contiguous (B transposed, a layer's [out, in] weights): row by row.
      for c in 0..<n {
        T.copyWidened(source + c &* b.columnStride, to: d + c &* stride, count: k)
      }
    } else {
      var q = 0
      let rs = b.rowStride
      if b.columnStride == 1 {
        // Rows of B contiguous (its usual layout): 8 depths at a time as 8 loads of 8 values
        // (those past n unused) and an 8x8 register transpose, while the loads stay inside B;
        // element by element, a 512-deep B of 4 columns cost more than 32x4x512 itself.
        let end = (k &- 1) &* rs &+ n
        while q &+ 8 <= k && (q &+ 7) &* rs &+ 8 <= end {
          let s = source + q &* rs
          var r: Rows8x8 = (
            T.widen8(s), T.widen8(s + rs), T.widen8(s + 2 &* rs), T.widen8(s + 3 &* rs),
            T.widen8(s + 4 &* rs), T.widen8(s + 5 &* rs), T.widen8(s + 6 &* rs),
            T.widen8(s + 7 &* rs)
          )
          transpose8x8(&r)
          let t = d + q
          store(r.0, to: t)
          store(r.1, to: t + stride)
          if n > 2 { store(r.2, to: t + 2 &* stride) }
          if n > 3 { store(r.3, to: t + 3 &* stride) }
          if n > 4 { store(r.4, to: t + 4 &* stride) }
          if n > 5 { store(r.5, to: t + 5 &* stride) }
          if n > 6 { store(r.6, to: t + 6 &* stride) }
          if n > 7 { store(r.7, to: t + 7 &* stride) }
          q &+= 8
        }
      }
      // The rest depth by depth, so that the source is read in order.
      while q < k {
        let depth = source + q &* rs
        for c in 0..<n { d[c &* stride &+ q] = T.widen(depth + c &* b.columnStride) }
        q &+= 1
      }
    }
  }
  switch b.storage {
  case .float32: pack(b.base.assumingMemoryBound(to: Float.self))
  case .float16: pack(b.base.assumingMemoryBound(to: Float16.self))
  }
  for c in 0..<n { (d + (c &* stride &+ k)).initialize(repeating: 0, count: stride - k) }
}

/// Rows `rows` of C for a ``usesNarrowDots`` problem. `b`: op(B)'s columns as
/// ``packColumnsOfB(_:k:n:into:)`` lays them out; row `i` of op(A) starts at
/// `a + i * p.a.rowStride` (its columns contiguous).
func narrowDots<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: UnsafePointer<Float>, rows: Range<Int>
) {
  if p.cStorage == .float16 {
    narrowDots(p, a: a, b: b, rows: rows, HalfDotStore(p))
  } else {
    narrowDots(p, a: a, b: b, rows: rows, FloatDotStore(p))
  }
}

/// ``narrowDots(_:a:b:rows:)`` with each column count's loop compiled for it.
@inline(__always)
private func narrowDots<T: PackableElement, Store: DotGroupStore>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: UnsafePointer<Float>, rows: Range<Int>,
  _ store: Store
) {
  switch p.n {
  case 2: dotGroups(p, a: a, b: b, rows: rows, DotColumns2.self, store)
  case 3: dotGroups(p, a: a, b: b, rows: rows, DotColumns3.self, store)
  case 4: dotGroups(p, a: a, b: b, rows: rows, DotColumns4.self, store)
  case 5: dotGroups(p, a: a, b: b, rows: rows, DotColumns5.self, store)
  case 6: dotGroups(p, a: a, b: b, rows: rows, DotColumns6.self, store)
  case 7: dotGroups(p, a: a, b: b, rows: rows, DotColumns7.self, store)
  default: dotGroups(p, a: a, b: b, rows: rows, DotColumns8.self, store)
  }
}

/// A column count as a type, so that each count's loop is compiled for it (as a value, the
/// slots' rows and columns were chosen at run time: 1000x4x64 43.7 us).
protocol DotColumns { static var count: Int { get } }
enum DotColumns2: DotColumns { static var count: Int { 2 } }
enum DotColumns3: DotColumns { static var count: Int { 3 } }
enum DotColumns4: DotColumns { static var count: Int { 4 } }
enum DotColumns5: DotColumns { static var count: Int { 5 } }
enum DotColumns6: DotColumns { static var count: Int { 6 } }
enum DotColumns7: DotColumns { static var count: Int { 7 } }
enum DotColumns8: DotColumns { static var count: Int { 8 } }

/// Eight vectors: a step's rows of A or columns of B (zeros past the group's).
typealias DotVectors = (
  SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>,
  SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>
)

/// The groups of rows `rows` (16 / n rows but perhaps the last), each handed to `store` as its
/// 16 sums in row-major order.
@inline(never)
private func dotGroups<T: PackableElement, Columns: DotColumns, Store: DotGroupStore>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: UnsafePointer<Float>, rows: Range<Int>,
  _: Columns.Type, _ store: Store
) {
  let n = Columns.count
  let groupRows = 16 / n
  let k = p.k
  let whole = k & ~15
  let rs = p.a.rowStride
  let bStride = packedColumnStride(k: k)
  var i = rows.lowerBound
  while i < rows.upperBound {
    let count = min(groupRows, rows.upperBound &- i)
    // Rows past the end repeat the last row (in bounds) and are not stored.
    let last = count &- 1
    let first = a + i &* rs
    let rowsOfA = (
      first, first + min(1, last) &* rs, first + min(2, last) &* rs, first + min(3, last) &* rs,
      first + min(4, last) &* rs, first + min(5, last) &* rs, first + min(6, last) &* rs,
      first + min(7, last) &* rs
    )
    var s = Sums16()
    var q = 0
    while q < whole {
      feedDots(&s, rowsOfA, b, bStride: bStride, depth: q, count: 16, Columns.self)
      q &+= 16
    }
    if whole < k {
      feedDots(&s, rowsOfA, b, bStride: bStride, depth: whole, count: k &- whole, Columns.self)
    }
    store(i, count, s.pairwiseLaneSums())
    i &+= groupRows
  }
}

/// One step of 16 depths from `depth` (`count` of them, the rest zeros) into each slot of `s`:
/// slot n r + c += row r of A times column c of B, lane by lane.
@inline(__always)
private func feedDots<T: PackableElement, Columns: DotColumns>(
  _ s: inout Sums16,
  _ rows: (
    UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>,
    UnsafePointer<T>, UnsafePointer<T>, UnsafePointer<T>
  ), _ b: UnsafePointer<Float>, bStride: Int, depth q: Int, count: Int, _: Columns.Type
) {
  let n = Columns.count
  let groupRows = 16 / n
  let zero = SIMD16<Float>()
  @inline(__always) func x(_ r: Int, _ row: UnsafePointer<T>) -> SIMD16<Float> {
    guard r < groupRows else { return zero }
    return count == 16 ? T.widen16(row + q) : T.widenPartial16(row + q, count)
  }
  @inline(__always) func y(_ c: Int) -> SIMD16<Float> {
    c < n ? load16(b + (c &* bStride &+ q)) : zero
  }
  let xs: DotVectors = (
    x(0, rows.0), x(1, rows.1), x(2, rows.2), x(3, rows.3), x(4, rows.4), x(5, rows.5),
    x(6, rows.6), x(7, rows.7)
  )
  let ys: DotVectors = (y(0), y(1), y(2), y(3), y(4), y(5), y(6), y(7))
  s.v0 = fed(s.v0, slot: 0, xs, ys, Columns.self)
  s.v1 = fed(s.v1, slot: 1, xs, ys, Columns.self)
  s.v2 = fed(s.v2, slot: 2, xs, ys, Columns.self)
  s.v3 = fed(s.v3, slot: 3, xs, ys, Columns.self)
  s.v4 = fed(s.v4, slot: 4, xs, ys, Columns.self)
  s.v5 = fed(s.v5, slot: 5, xs, ys, Columns.self)
  s.v6 = fed(s.v6, slot: 6, xs, ys, Columns.self)
  s.v7 = fed(s.v7, slot: 7, xs, ys, Columns.self)
  s.v8 = fed(s.v8, slot: 8, xs, ys, Columns.self)
  s.v9 = fed(s.v9, slot: 9, xs, ys, Columns.self)
  s.v10 = fed(s.v10, slot: 10, xs, ys, Columns.self)
  s.v11 = fed(s.v11, slot: 11, xs, ys, Columns.self)
  s.v12 = fed(s.v12, slot: 12, xs, ys, Columns.self)
  s.v13 = fed(s.v13, slot: 13, xs, ys, Columns.self)
  s.v14 = fed(s.v14, slot: 14, xs, ys, Columns.self)
  s.v15 = fed(s.v15, slot: 15, xs, ys, Columns.self)
}

/// `acc` plus row `slot / n` times column `slot % n`; slots past the group's are never fed.
@inline(__always)
private func fed<Columns: DotColumns>(
  _ acc: SIMD16<Float>, slot: Int, _ x: DotVectors, _ y: DotVectors, _: Columns.Type
) -> SIMD16<Float> {
  let n = Columns.count
  guard slot < 16 / n * n else { return acc }
  @inline(__always) func pick(_ v: DotVectors, _ index: Int) -> SIMD16<Float> {
    switch index {
    case 0: v.0
    case 1: v.1
    case 2: v.2
    case 3: v.3
    case 4: v.4
    case 5: v.5
    case 6: v.6
    default: v.7
    }
  }
  return acc.addingProduct(pick(x, slot / n), pick(y, slot % n))
}

/// Where a dot group's sums go: the update of C for rows `i..<i + count`.
protocol DotGroupStore {
  func callAsFunction(_ i: Int, _ count: Int, _ sums: SIMD16<Float>)
}

/// Float C: one K block, so the update is the last block's.
private struct FloatDotStore: DotGroupStore {
  let c: UnsafeMutablePointer<Float>
  let ldc: Int
  let n: Int
  let mode: TileUpdate.Mode
  let update: NarrowRowUpdate
  let bias: SIMD16<Float>

  init(_ p: GEMMProblem) {
    let tileUpdate = p.tileUpdate(kBlock: 0, of: 1, column: 0, intoFloatWorkspace: false)
    c = p.c.assumingMemoryBound(to: Float.self)
    ldc = p.ldc
    n = p.n
    mode = tileUpdate.mode
    update = NarrowRowUpdate(tileUpdate, columns: p.n)
    bias = update.dotBias(columns: p.n)
  }

  @inline(__always)
  func callAsFunction(_ i: Int, _ count: Int, _ sums: SIMD16<Float>) {
    update.storeMaskedRows(
      sums, DotRows(c + i &* ldc, ldc: ldc, count: count, columns: n), bias: bias, mode,
      masked: update.reluMaskDelta != nil, addsBias: update.hasBias, relu: update.relu)
  }
}

/// Float16 C: one K block, rounded once.
private struct HalfDotStore: DotGroupStore {
  let c: UnsafeMutablePointer<Float16>
  let ldc: Int
  let n: Int
  let update: NarrowRowUpdate
  let bias: SIMD16<Float>

  init(_ p: GEMMProblem) {
    c = p.c.assumingMemoryBound(to: Float16.self)
    ldc = p.ldc
    n = p.n
    update = NarrowRowUpdate(roundingInto: p)
    bias = update.dotBias(columns: p.n)
  }

  @inline(__always)
  func callAsFunction(_ i: Int, _ count: Int, _ sums: SIMD16<Float>) {
    update.storeRoundedMaskedRows(
      sums, DotRows(c + i &* ldc, ldc: ldc, count: count, columns: n), bias: bias,
      readsC: update.readsC, masked: update.reluMaskDelta != nil, addsBias: update.hasBias,
      relu: update.relu)
  }
}

/// A dot group's rows of C (``MaskedRows``): lanes `n r..<n r + n` to row r's columns, through
/// a masked access at `row r - n r`.
struct DotRows<Element>: MaskedRows {
  /// Row 0's address; row r's shifted one is `step` elements further per row.
  let first: UnsafeMutablePointer<Element>
  let step: Int
  let count: Int
  let columns: Int

  @inline(__always)
  init(_ row: UnsafeMutablePointer<Element>, ldc: Int, count: Int, columns: Int) {
    self.init(first: row, step: ldc &- columns, count: count, columns: columns)
  }

  @inline(__always)
  private init(first: UnsafeMutablePointer<Element>, step: Int, count: Int, columns: Int) {
    (self.first, self.step, self.count, self.columns) = (first, step, count, columns)
  }

  @inline(__always)
  func forEachRow(_ body: (UnsafeMutablePointer<Element>, UInt16) -> Void) {
    if step == 0 {
      // Rows back to back (ldc == n): the group's values are one run of C, one access.
      return body(first, UInt16(truncatingIfNeeded: (1 &<< (count &* columns)) &- 1))
    }
    let bits = UInt16(truncatingIfNeeded: (1 &<< columns) &- 1)
    var address = first
    for r in 0..<count {
      body(address, bits &<< (r &* columns))
      address += step
    }
  }

  @inline(__always)
  func offset(byBytes delta: Int) -> DotRows<Element> {
    DotRows(
      first: (UnsafeMutableRawPointer(first) + delta).assumingMemoryBound(to: Element.self),
      step: step, count: count, columns: columns)
  }
}

extension NarrowRowUpdate {
  /// The bias in a dot group's lanes: lane n r + c is `bias[c]`, zeros past the group's slots.
  func dotBias(columns n: Int) -> SIMD16<Float> {
    var v = SIMD16<Float>()
    for l in 0..<(16 / n * n) { v[l] = bias0[l % n] }
    return v
  }
}
