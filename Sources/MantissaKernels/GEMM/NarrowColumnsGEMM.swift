// f32-gemm-32x12-simd16columns (and every other type combination): C of 17 to 32 rows and 2 to
// 12 columns when op(A)'s columns are contiguous (A stored transposed: a layer's weight gradient
// dY^T X, m = the layer's outputs, n = its inputs, k = the batch). Lanes run along m: each
// column of C is two SIMD16 accumulators, and a k step loads op(A)'s column once (two vectors)
// and broadcasts op(B)'s row (widened into a Float scratch per K block): 24 FMAs for 14 loads,
// where the row-wise narrow kernel spends 9 loads on every 8 FMAs and 20x10x1000:tn ran at
// ~8 cycles per k step and 8-row group. Same summation order and formulas as every other path
// (one FMA per term in increasing k within each K block; K blocks merged with TileUpdate's
// formulas, applied to C transposed, element for element the same arithmetic), so the bits are
// the packed kernels'. AVX-512 builds hold all 24 accumulators (26 live vectors) for 25-32
// rows; AVX2 builds, and AVX-512 ones up to 24 rows, (`32x12-simd8columns`) run the columns in
// passes of up to 4 on 8-lane vectors (``columnPasses``), 20x10x1000:tn 7.4 -> 5.9 us on Zen 3.

/// Whether a narrow problem takes ``narrowColumns(_:a:b:kc:)``: its shape, A's layout, and
/// enough depth to repay the transposed merge (about 0.2 us; at k = 32 the row-wise kernel is
/// faster, at 64 they are even). One tile of C, so one thread whatever the thread count: only
/// k could be split, and it never is.
func usesNarrowColumns(_ p: GEMMProblem) -> Bool {
  usesNarrowColumns(m: p.m, n: p.n, k: p.k, transA: p.a.isTransposed)
}

func usesNarrowColumns(m: Int, n: Int, k: Int, transA: Bool) -> Bool {
  transA && (17...32).contains(m) && (2...12).contains(n) && k >= 64
}

/// Whether the form runs its columns in passes of up to 4 on 8-lane vectors (``ColumnPass8``)
/// rather than in 24 SIMD16 accumulators: in AVX2 builds always, in AVX-512 builds up to 24
/// rows. There three 8-lane row vectors cover 17-24 rows where two 16-lane ones computed 32
/// (Zen 4, 1 thread, f32 / f16-f16-f32 / f16-f32acc: 20x10x1000:tn 5.9 / 7.0 / 6.9 -> 5.2 /
/// 5.8 / 5.8 us, 24x12x1000:tn 7.1 / 8.8 / 8.7 -> 6.1 / 7.0 / 7.2, 20x4x1000:tn 4.8 / 5.7 /
/// 5.6 -> 2.6 / 2.9 / 2.9); at 25-32 rows the 24 accumulators stay ahead (28x10x1000:tn 6.0
/// against 7.1, 32x12x1000:tn 7.2 against 8.6).
func narrowColumnsInPasses(m: Int) -> Bool {
  !CompiledCPU.choosesAVX512Forms || m <= 24
}

/// The kernel ID's tile and implementation part for `m` rows (``narrowColumnsInPasses(m:)``).
func narrowColumnsTileID(m: Int) -> String {
  narrowColumnsInPasses(m: m) ? "32x12-simd8columns" : "32x12-simd16columns"
}

@inline(never)
func narrowColumns<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: BRows, kc: Int
) {
  let halfC = p.cStorage == .float16
  let m = p.m
  let n = p.n
  let cs = p.a.columnStride
  let kBlocks = (p.k + kc - 1) / kc
  let inPasses = narrowColumnsInPasses(m: m)
  // A Float16 A whose columns lie back to back (lda == m, the usual dY) is widened as one flat
  // array, `chunk` columns at a time (m / 16 conversions per column instead of 2; the
  // conversions share ports with the FMAs), and so is a Float16 B with rows back to back:
  // 20x10x1000 tn f16-f16-f32 6.2 -> 5.3 us (f32 4.4). The AVX2 passes convert op(A)'s
  // column as they load it, 8 values per conversion: as fast as a widened chunk on Zen 3
  // (20x10x1000 7.4 against 7.1 us, 24x12x1000 8.3 against 8.4), with no copy to make.
  let widenA = T.self == Float16.self && cs == m && !inPasses
  let chunk = 64
  // W holds C transposed (column j at w + 32 j) between K blocks; bRows a chunk of a Float16
  // B's rows, widened, 16 Floats each (lanes past n are never stored); aColumns a chunk of
  // op(A)'s columns, widened (m Floats each, 16 of padding for the last vector). The AVX2
  // passes keep the K block's sums in `sums` (W's layout) and op(A)'s last column, widened
  // and padded with zeros to 32 rows, in `lastColumn`.
  let wCount = 12 * 32
  let bCount = b.directIsHalf ? chunk * 16 : 0
  let aCount = widenA ? chunk * m + 16 : 0
  let sumsCount = inPasses ? wCount : 0
  let lastCount = inPasses ? 32 : 0
  let scratch = UnsafeMutablePointer<Float>.allocate(
    capacity: wCount + bCount + aCount + sumsCount + lastCount + (halfC ? m * 16 : 0))
  defer { scratch.deallocate() }
  let w = scratch
  let bRows = scratch + wCount
  let aColumns = bRows + bCount
  let sums = aColumns + aCount
  let lastColumn = sums + sumsCount
  let rowsOfC = lastColumn + lastCount
  w.initialize(repeating: 0, count: 12 * 32)
  if !halfC && p.beta != 0 {
    let c = p.c.assumingMemoryBound(to: Float.self)
    for i in 0..<m { for j in 0..<n { w[j * 32 + i] = c[i * p.ldc + j] } }
  }
  // The passes load whole vectors of 8 rows, past the column's m: in place, that stays inside
  // A for every column but the last (columns are at least 17 apart and m >= 17).
  let lastInPlace = inPasses ? p.k - 1 : p.k
  if lastInPlace < p.k {
    lastColumn.initialize(repeating: 0, count: 32)
    if T.self == Float16.self {
      Float16.copyWidened(
        UnsafeRawPointer(a + lastInPlace * cs).assumingMemoryBound(to: Float16.self),
        to: lastColumn, count: m)
    } else {
      let floats = UnsafeRawPointer(a).assumingMemoryBound(to: Float.self)
      lastColumn.update(from: floats + lastInPlace * cs, count: m)
    }
  }
  let upperLanes = m - 16
  for kb in 0..<kBlocks {
    let p0 = kb * kc
    let p1 = min(p.k, p0 + kc)
    var t = ColumnAccumulators()
    if inPasses { sums.initialize(repeating: 0, count: wCount) }
    // The k loop for 8, 10 or 12 columns (a literal each, so the unused FMAs are compiled
    // out: n = 10 spent a sixth of its FMAs on two columns never stored); op(A)'s column q at
    // `columns + (q - firstColumn) * stride`.
    // The AVX2 passes, out of line: inside `steps` they made it too large to inline, and the
    // AVX-512 loop on the captured `t`, compiled out of line with it, stored all 24
    // accumulators to memory on every k step (20x10x1000:tn 5.9 -> 14.7 us on Zen 4).
    @inline(never) func passes<U: PackableElement>(
      _ qs: Range<Int>, _ columns: UnsafePointer<U>, _ stride: Int, firstColumn: Int,
      _ rows: UnsafePointer<Float>, _ rowStride: Int, firstRow: Int
    ) {
      let split = min(max(qs.lowerBound, lastInPlace), qs.upperBound)
      columnPasses(
        qs.lowerBound..<split, columns, stride, firstColumn: firstColumn, rows, rowStride,
        firstRow: firstRow, m: m, n: n, sums: sums)
      if split < qs.upperBound {
        columnPasses(
          split..<qs.upperBound, UnsafePointer(lastColumn), 0, firstColumn: split, rows,
          rowStride, firstRow: firstRow, m: m, n: n, sums: sums)
      }
    }
    @inline(__always) func steps<U: PackableElement>(
      _ qs: Range<Int>, _ columns: UnsafePointer<U>, _ stride: Int, firstColumn: Int,
      _ rows: UnsafePointer<Float>, _ rowStride: Int, firstRow: Int
    ) {
      if inPasses {
        passes(
          qs, columns, stride, firstColumn: firstColumn, rows, rowStride, firstRow: firstRow)
        return
      }
      @inline(__always) func loop(columns width: Int) {
        for q in qs {
          let column = columns + (q &- firstColumn) &* stride
          t.add(
            U.widen16(column), U.widenPartial16(column + 16, upperLanes),
            rows + (q &- firstRow) &* rowStride, columns: width)
        }
      }
      switch n {
      case ...8: loop(columns: 8)
      case 9...10: loop(columns: 10)
      default: loop(columns: 12)
      }
    }
    var q0 = p0
    while q0 < p1 {
      let q1 = min(q0 + chunk, p1)
      if widenA { widenFlat(a + q0 &* cs, count: (q1 &- q0) &* m, into: aColumns) }
      @inline(__always) func run(
        _ qs: Range<Int>, _ rows: UnsafePointer<Float>, _ rowStride: Int, firstRow: Int
      ) {
        if widenA {
          steps(
            qs, UnsafePointer(aColumns), m, firstColumn: q0, rows, rowStride, firstRow: firstRow)
        } else {
          steps(qs, a, cs, firstColumn: 0, rows, rowStride, firstRow: firstRow)
        }
      }
      let split = min(max(q0, b.directRows), q1)
      // Float rows of B are broadcast in place (a direct row has 16 readable values); Float16
      // ones are widened into the scratch first, one conversion per 16 values.
      if b.directIsHalf {
        // Rows back to back (stride n, a contiguous X) are widened as one flat array.
        let stride = b.directStride
        if stride <= 16 {
          if split > q0 {
            widenFlat(
              b.directHalves.base + q0 &* stride, count: (split &- q0 &- 1) &* stride &+ n,
              into: bRows)
          }
          run(q0..<split, bRows, stride, firstRow: q0)
        } else {
          for q in q0..<split {
            store(b.directHalves.load(q, 0), to: bRows + (q &- q0) &* 16)
          }
          run(q0..<split, bRows, 16, firstRow: q0)
        }
      } else {
        run(q0..<split, b.directFloats.base, b.directStride, firstRow: 0)
      }
      run(split..<q1, b.packed, b.width, firstRow: b.directRows)
      q0 = q1
    }

    var update = p.tileUpdate(kBlock: kb, of: kBlocks, column: 0, intoFloatWorkspace: halfC)
    update.reluMaskDelta = nil  // applied while W is written out, in C's layout
    if inPasses {
      mergeColumns(UnsafePointer(sums), into: w, columns: n, update: update)
    } else {
      withUnsafeBytes(of: t) { raw in
        let acc = raw.assumingMemoryBound(to: Float.self).baseAddress!
        mergeColumns(acc, into: w, columns: n, update: update)
      }
    }
  }

  // W out to C (transposing), with what needs C's layout: the ReLU mask, and for a Float16 C
  // finishFloat16, on rows of W transposed into a scratch (rounding value by value, with the
  // epilogue's tests on each, cost 20x10x64 f16-f32acc 0.2-0.4 us of 1.2).
  if halfC {
    for j in 0..<n {
      for i in 0..<m { rowsOfC[i &* 16 &+ j] = w[j &* 32 &+ i] }
    }
    finishFloat16(
      workspace: rowsOfC, workspaceStride: 16, c: p.c.assumingMemoryBound(to: Float16.self),
      ldc: p.ldc, rows: m, columns: n, beta: p.beta, bias: p.bias, relu: p.relu,
      reluMaskDelta: p.reluMaskDelta)
  } else {
    let c = p.c.assumingMemoryBound(to: Float.self)
    for i in 0..<m {
      for j in 0..<n {
        let d = c + i * p.ldc + j
        var v = w[j * 32 + i]
        if let delta = p.reluMaskDelta { v = maskedByReLU(v, floatMask(d, delta).pointee) }
        d.pointee = v
      }
    }
  }
}

/// `count` values at `x` widened to Floats at `out` (16 at a time, the last vector masked on
/// load; `out` has room for a whole last vector).
@inline(__always)
private func widenFlat<T: PackableElement>(
  _ x: UnsafePointer<T>, count: Int, into out: UnsafeMutablePointer<Float>
) {
  var e = 0
  while e &+ 16 <= count {
    store(T.widen16(x + e), to: out + e)
    e &+= 16
  }
  if e < count { store(T.widenPartial16(x + e, count &- e), to: out + e) }
}

/// Twelve columns of C, rows 0-15 in `jL` and 16-31 in `jU`.
private struct ColumnAccumulators {
  var c0L = SIMD16<Float>(), c0U = SIMD16<Float>(), c1L = SIMD16<Float>(), c1U = SIMD16<Float>()
  var c2L = SIMD16<Float>(), c2U = SIMD16<Float>(), c3L = SIMD16<Float>(), c3U = SIMD16<Float>()
  var c4L = SIMD16<Float>(), c4U = SIMD16<Float>(), c5L = SIMD16<Float>(), c5U = SIMD16<Float>()
  var c6L = SIMD16<Float>(), c6U = SIMD16<Float>(), c7L = SIMD16<Float>(), c7U = SIMD16<Float>()
  var c8L = SIMD16<Float>(), c8U = SIMD16<Float>(), c9L = SIMD16<Float>(), c9U = SIMD16<Float>()
  var c10L = SIMD16<Float>(), c10U = SIMD16<Float>()
  var c11L = SIMD16<Float>(), c11U = SIMD16<Float>()

  /// One k step: op(A)'s column (`lower`, `upper`) times each of op(B)'s first `columns` (8,
  /// 10 or 12) row values at `b`.
  @inline(__always)
  mutating func add(
    _ lower: SIMD16<Float>, _ upper: SIMD16<Float>, _ b: UnsafePointer<Float>, columns: Int
  ) {
    var x = SIMD16<Float>(repeating: b[0])
    c0L = c0L.addingProduct(lower, x)
    c0U = c0U.addingProduct(upper, x)
    x = SIMD16<Float>(repeating: b[1])
    c1L = c1L.addingProduct(lower, x)
    c1U = c1U.addingProduct(upper, x)
    x = SIMD16<Float>(repeating: b[2])
    c2L = c2L.addingProduct(lower, x)
    c2U = c2U.addingProduct(upper, x)
    x = SIMD16<Float>(repeating: b[3])
    c3L = c3L.addingProduct(lower, x)
    c3U = c3U.addingProduct(upper, x)
    x = SIMD16<Float>(repeating: b[4])
    c4L = c4L.addingProduct(lower, x)
    c4U = c4U.addingProduct(upper, x)
    x = SIMD16<Float>(repeating: b[5])
    c5L = c5L.addingProduct(lower, x)
    c5U = c5U.addingProduct(upper, x)
    x = SIMD16<Float>(repeating: b[6])
    c6L = c6L.addingProduct(lower, x)
    c6U = c6U.addingProduct(upper, x)
    x = SIMD16<Float>(repeating: b[7])
    c7L = c7L.addingProduct(lower, x)
    c7U = c7U.addingProduct(upper, x)
    if columns <= 8 { return }
    x = SIMD16<Float>(repeating: b[8])
    c8L = c8L.addingProduct(lower, x)
    c8U = c8U.addingProduct(upper, x)
    x = SIMD16<Float>(repeating: b[9])
    c9L = c9L.addingProduct(lower, x)
    c9U = c9U.addingProduct(upper, x)
    if columns <= 10 { return }
    x = SIMD16<Float>(repeating: b[10])
    c10L = c10L.addingProduct(lower, x)
    c10U = c10U.addingProduct(upper, x)
    x = SIMD16<Float>(repeating: b[11])
    c11L = c11L.addingProduct(lower, x)
    c11U = c11U.addingProduct(upper, x)
  }
}

/// Merges a K block's sums (column j's rows at `acc + 32 j`) into W (C transposed, the same
/// layout) with `update`'s formulas, column j taking bias value j.
@inline(__always)
private func mergeColumns(
  _ acc: UnsafePointer<Float>, into w: UnsafeMutablePointer<Float>, columns n: Int,
  update: TileUpdate
) {
  for j in 0..<n {
    var u = update
    u.bias = update.bias.map { $0 + j }
    u.applyToColumn(load16(acc + 32 * j), to: w + 32 * j, rows: 16)
    u.applyToColumn(load16(acc + 32 * j + 16), to: w + 32 * j + 16, rows: 16)
  }
}

/// The AVX2 form's k steps `qs` over all n columns: the 24 SIMD16 accumulators of the AVX-512
/// form would be 48 ymm registers, so the columns go in passes of up to 4 (3 or 4 row vectors
/// of 8 lanes each: 12 accumulators, the column's vectors and a broadcast fill the 16), each
/// pass taking its sums from `sums` and putting them back (exact: the same FMAs in the same
/// order). Passes as even as can be (n = 10: 4, 3, 3), because one of 2 columns is 6 FMA
/// chains, too few to cover the FMA latency. op(A)'s column q at
/// `columns + (q - firstColumn) * stride`, readable up to row 8 x the row vectors.
@inline(__always)
private func columnPasses<U: PackableElement>(
  _ qs: Range<Int>, _ columns: UnsafePointer<U>, _ stride: Int, firstColumn: Int,
  _ rows: UnsafePointer<Float>, _ rowStride: Int, firstRow: Int, m: Int, n: Int,
  sums: UnsafeMutablePointer<Float>
) {
  if qs.isEmpty { return }
  let vectors = m <= 24 ? 3 : 4
  let widest = vectors == 3 ? 4 : 2
  let passes = (n + widest - 1) / widest
  var j0 = 0
  for pass in 0..<passes {
    let width = n / passes + (pass < n % passes ? 1 : 0)
    @_transparent func loop(vectors: Int, columns width: Int) {
      var t = ColumnPass8(sums + 32 * j0, vectors: vectors, columns: width)
      for q in qs {
        t.add(
          columns + (q &- firstColumn) &* stride, rows + ((q &- firstRow) &* rowStride &+ j0),
          vectors: vectors, columns: width)
      }
      t.store(to: sums + 32 * j0, vectors: vectors, columns: width)
    }
    switch (vectors, width) {
    case (3, 1): loop(vectors: 3, columns: 1)
    case (3, 2): loop(vectors: 3, columns: 2)
    case (3, 3): loop(vectors: 3, columns: 3)
    case (3, _): loop(vectors: 3, columns: 4)
    case (_, 1): loop(vectors: 4, columns: 1)
    case (_, 2): loop(vectors: 4, columns: 2)
    default: loop(vectors: 4, columns: 3)
    }
    j0 += width
  }
}

/// Up to 12 SIMD8 accumulators of one AVX2 pass: `vectors` (3 or 4) row vectors of each of
/// `columns` columns, slot `j * vectors + v` for column j's rows 8v to 8v + 7, stored at
/// `32 j + 8 v` of the sums. Both counts are literals at every call, so unused slots fold away.
private struct ColumnPass8 {
  var c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11: SIMD8<Float>

  @inline(__always)
  init(_ sums: UnsafePointer<Float>, vectors: Int, columns: Int) {
    @inline(__always) func slot(_ s: Int) -> SIMD8<Float> {
      s < vectors * columns ? load8(sums + 32 * (s / vectors) + 8 * (s % vectors)) : SIMD8()
    }
    c0 = slot(0)
    c1 = slot(1)
    c2 = slot(2)
    c3 = slot(3)
    c4 = slot(4)
    c5 = slot(5)
    c6 = slot(6)
    c7 = slot(7)
    c8 = slot(8)
    c9 = slot(9)
    c10 = slot(10)
    c11 = slot(11)
  }

  @inline(__always)
  func store(to sums: UnsafeMutablePointer<Float>, vectors: Int, columns: Int) {
    @inline(__always) func put(_ s: Int, _ v: SIMD8<Float>) {
      if s < vectors * columns {
        MantissaKernels.store(v, to: sums + 32 * (s / vectors) + 8 * (s % vectors))
      }
    }
    put(0, c0)
    put(1, c1)
    put(2, c2)
    put(3, c3)
    put(4, c4)
    put(5, c5)
    put(6, c6)
    put(7, c7)
    put(8, c8)
    put(9, c9)
    put(10, c10)
    put(11, c11)
  }

  /// One k step: op(A)'s column at `a` (8 x `vectors` Floats read) times each of op(B)'s
  /// `columns` row values at `b`.
  @inline(__always)
  mutating func add<U: PackableElement>(
    _ a: UnsafePointer<U>, _ b: UnsafePointer<Float>, vectors: Int, columns: Int
  ) {
    let a0 = U.widen8(a)
    let a1 = U.widen8(a + 8)
    let a2 = U.widen8(a + 16)
    if vectors == 3 {
      var x = SIMD8<Float>(repeating: b[0])
      c0 = c0.addingProduct(a0, x)
      c1 = c1.addingProduct(a1, x)
      c2 = c2.addingProduct(a2, x)
      if columns < 2 { return }
      x = SIMD8<Float>(repeating: b[1])
      c3 = c3.addingProduct(a0, x)
      c4 = c4.addingProduct(a1, x)
      c5 = c5.addingProduct(a2, x)
      if columns < 3 { return }
      x = SIMD8<Float>(repeating: b[2])
      c6 = c6.addingProduct(a0, x)
      c7 = c7.addingProduct(a1, x)
      c8 = c8.addingProduct(a2, x)
      if columns < 4 { return }
      x = SIMD8<Float>(repeating: b[3])
      c9 = c9.addingProduct(a0, x)
      c10 = c10.addingProduct(a1, x)
      c11 = c11.addingProduct(a2, x)
      return
    }
    let a3 = U.widen8(a + 24)
    var x = SIMD8<Float>(repeating: b[0])
    c0 = c0.addingProduct(a0, x)
    c1 = c1.addingProduct(a1, x)
    c2 = c2.addingProduct(a2, x)
    c3 = c3.addingProduct(a3, x)
    if columns < 2 { return }
    x = SIMD8<Float>(repeating: b[1])
    c4 = c4.addingProduct(a0, x)
    c5 = c5.addingProduct(a1, x)
    c6 = c6.addingProduct(a2, x)
    c7 = c7.addingProduct(a3, x)
    if columns < 3 { return }
    x = SIMD8<Float>(repeating: b[2])
    c8 = c8.addingProduct(a0, x)
    c9 = c9.addingProduct(a1, x)
    c10 = c10.addingProduct(a2, x)
    c11 = c11.addingProduct(a3, x)
  }
}
