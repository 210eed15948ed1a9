// The narrow path for n == 1, a matrix-vector product (the output layer of a regression
// network), in two forms, each accumulating every row over k with one FMA per term in increasing
// k, the order of every other path, so the results are the same bits:
// - A transposed (its columns contiguous): sixteen rows of C are one vector, read as vectors
//   (1000x1x20:tn 8.8 -> 4.0 us, 1000x1x256:tn 100 -> 30 us against the scalar form).
// - A with contiguous rows (the usual): 8 x 8 blocks transposed in registers give the same
//   vectors. (16 x 16 blocks were slower: at k = 20 half of the second block is wasted; and
//   LLVM compiles the eight scalar chains of the general form into one gather per depth.)
// - Other strides: eight rows as eight scalar FMA chains.
// A dot product along k needs no transpose but sums in a different order; OpenBLAS takes 3.1 us
// at 1000x1x20 that way.

/// C[rows, 0] of a single-column problem.
@inline(__always)
func singleColumnRows<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: BRows, kc: Int, rows: Range<Int>
) {
  if p.a.rowStride == 1 && p.a.columnStride != 1 {
    singleColumnDirect(p, a: a, b: b, kc: kc, rows: rows)
  } else if p.a.columnStride == 1 && p.m >= 32 {
    // Below 32 rows the 16-row groups waste too much (20x1x1000: 8.5 us against 6.4 for the
    // scalar chains, which LLVM turns into a gather per depth).
    singleColumnTransposing(p, a: a, b: b, kc: kc, rows: rows)
  } else {
    singleColumnScalar(p, a: a, b: b, kc: kc, rows: rows)
  }
}

/// Columns of A contiguous (A transposed): the 16 rows' values at depth q are adjacent.
@inline(never)
private func singleColumnDirect<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: BRows, kc: Int, rows: Range<Int>
) {
  let cs = p.a.columnStride
  forEachSingleColumnGroup(p, kc: kc, rows: rows) { i, count, depths in
    var acc = SIMD16<Float>()
    for q in depths {
      let s = a + q * cs + i
      let v = count == 16 ? T.widen16(s) : T.widenPartial16(s, count)
      acc = acc.addingProduct(v, SIMD16<Float>(repeating: b.first(q)))
    }
    return acc
  }
}

/// Rows of A contiguous along k: each 8 rows x 8 depths are loaded as rows and transposed in
/// registers (Packing.swift's `transpose8x8`), giving 8 rows' values at one depth per vector;
/// two such halves make a group of 16 rows with two FMA chains.
@inline(never)
private func singleColumnTransposing<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: BRows, kc: Int, rows: Range<Int>
) {
  let rs = p.a.rowStride
  // B's one column, gathered once, so the inner loop reads it without a test per depth.
  withUnsafeTemporaryAllocation(of: Float.self, capacity: p.k) { column in
    let bColumn = column.baseAddress!
    for q in 0..<p.k { bColumn[q] = b.first(q) }
    forEachSingleColumnGroup(p, kc: kc, rows: rows) { i, count, depths in
      var acc0 = SIMD8<Float>()
      var acc1 = SIMD8<Float>()
      // Rows past the end repeat the last row (in bounds) and are not stored.
      let first = a + i &* rs
      let lastRow = count - 1
      var q0 = depths.lowerBound
      while q0 < depths.upperBound {
        let depth = min(8, depths.upperBound &- q0)
        // Depths past the block are loaded as zeros and not used.
        @inline(__always) func row(_ r: Int) -> SIMD8<Float> {
          let s = first + (min(r, lastRow) &* rs &+ q0)
          return depth == 8 ? T.widen8(s) : T.widenPartial16(s, depth).lowHalf
        }
        var low = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
        var high = (row(8), row(9), row(10), row(11), row(12), row(13), row(14), row(15))
        transpose8x8(&low)
        transpose8x8(&high)
        let bq = bColumn + q0
        @inline(__always) func add(_ d: Int, _ l: SIMD8<Float>, _ h: SIMD8<Float>) {
          if d < depth {
            let bd = SIMD8<Float>(repeating: bq[d])
            acc0 = acc0.addingProduct(l, bd)
            acc1 = acc1.addingProduct(h, bd)
          }
        }
        add(0, low.0, high.0)
        add(1, low.1, high.1)
        add(2, low.2, high.2)
        add(3, low.3, high.3)
        add(4, low.4, high.4)
        add(5, low.5, high.5)
        add(6, low.6, high.6)
        add(7, low.7, high.7)
        q0 &+= depth
      }
      return SIMD16(lowHalf: acc0, highHalf: acc1)
    }
  }
}

/// Runs `sums(row, count, depths)` (the K block's sums of rows `row..<row + count`, in lanes)
/// for groups of 16 rows and each K block, and merges them into C with the scalar tile-update
/// formula lane by lane (C's rows are `ldc` apart and the bias is one value for all of them). A
/// Float16 C accumulates in a Float workspace rounded once by `finishFloat16`, as on every
/// other path.
@inline(__always)
private func forEachSingleColumnGroup(
  _ p: GEMMProblem, kc: Int, rows: Range<Int>,
  _ sums: (Int, Int, Range<Int>) -> SIMD16<Float>
) {
  let halfC = p.cStorage == .float16
  let kBlocks = (p.k + kc - 1) / kc
  withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { workspace in
    let w = workspace.baseAddress!
    var i = rows.lowerBound
    while i < rows.upperBound {
      let count = min(16, rows.upperBound - i)
      if halfC && kBlocks == 1 {
        // One K block into Float16 C: finishFloat16's formula lane by lane, rounded once.
        let acc = sums(i, count, 0..<p.k)
        let c = p.c.assumingMemoryBound(to: Float16.self) + i * p.ldc
        if p.ldc == 1 {
          // The same formula on all rows at once (C contiguous).
          @inline(__always) func load(_ q: UnsafePointer<Float16>) -> SIMD16<Float> {
            count == 16 ? loadWidened16(q) : loadPartialWidened16(q, count)
          }
          var v = acc * p.alpha
          if p.beta != 0 { v = v.addingProduct(p.beta, load(c)) }
          if let bias = p.bias { v += SIMD16(repeating: bias[0]) }
          if p.relu { v = v.replacing(with: 0, where: v .< 0) }
          if let delta = p.reluMaskDelta { v = maskedByReLU(v, load(halfMask(c, delta))) }
          if count == 16 {
            storeNarrowed(v, to: c)
          } else {
            storePartialNarrowed16(v, to: c, count)
          }
          i += count
          continue
        }
        for r in 0..<count {
          var v = acc[r] * p.alpha
          if p.beta != 0 { v = v.addingProduct(p.beta, Float(c[r * p.ldc])) }
          if let bias = p.bias { v += bias[0] }
          if p.relu, v < 0 { v = 0 }
          if let delta = p.reluMaskDelta {
            v = maskedByReLU(v, Float(halfMask(c + r * p.ldc, delta).pointee))
          }
          c[r * p.ldc] = Float16(v)
        }
        i += count
        continue
      }
      for kb in 0..<kBlocks {
        let acc = sums(i, count, (kb * kc)..<min(p.k, kb * kc + kc))
        let update = p.tileUpdate(
          kBlock: kb, of: kBlocks, column: 0, intoFloatWorkspace: halfC)
        if !halfC && p.ldc == 1 {
          update.applyToColumn(acc, to: p.c.assumingMemoryBound(to: Float.self) + i, rows: count)
          continue
        }
        for r in 0..<count {
          let destination =
            halfC ? w + r : p.c.assumingMemoryBound(to: Float.self) + (i + r) * p.ldc
          update.apply(acc[r], to: destination, column: 0)
        }
      }
      if halfC {
        finishFloat16(
          workspace: w, workspaceStride: 1,
          c: p.c.assumingMemoryBound(to: Float16.self) + i * p.ldc, ldc: p.ldc, rows: count,
          columns: 1, beta: p.beta, bias: p.bias, relu: p.relu,
          reluMaskDelta: p.reluMaskDelta)
      }
      i += count
    }
  }
}

/// Any strides: eight rows at a time as eight independent scalar FMA chains, each in increasing
/// k (a 16-lane vector per row would waste 15 lanes: 1000x1x20 took 11.7 us that way).
@inline(never)
private func singleColumnScalar<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: BRows, kc: Int, rows: Range<Int>
) {
  let halfC = p.cStorage == .float16
  let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 8)
  defer { scratch.deallocate() }
  let rs = p.a.rowStride
  let cs = p.a.columnStride
  let kBlocks = (p.k + kc - 1) / kc
  var i = rows.lowerBound
  while i < rows.upperBound {
    let count = min(8, rows.upperBound - i)
    // Rows past the end repeat the last row (in bounds) and are not stored.
    @inline(__always) func rowPointer(_ r: Int) -> UnsafePointer<T> {
      a + (i + min(r, count - 1)) * rs
    }
    let (a0, a1, a2, a3) = (rowPointer(0), rowPointer(1), rowPointer(2), rowPointer(3))
    let (a4, a5, a6, a7) = (rowPointer(4), rowPointer(5), rowPointer(6), rowPointer(7))
    for kb in 0..<kBlocks {
      let p0 = kb * kc
      let p1 = min(p.k, p0 + kc)
      var s0: Float = 0
      var s1: Float = 0
      var s2: Float = 0
      var s3: Float = 0
      var s4: Float = 0
      var s5: Float = 0
      var s6: Float = 0
      var s7: Float = 0
      for q in p0..<p1 {
        let bq = b.first(q)
        let o = q * cs
        s0 = s0.addingProduct(T.widen(a0 + o), bq)
        s1 = s1.addingProduct(T.widen(a1 + o), bq)
        s2 = s2.addingProduct(T.widen(a2 + o), bq)
        s3 = s3.addingProduct(T.widen(a3 + o), bq)
        s4 = s4.addingProduct(T.widen(a4 + o), bq)
        s5 = s5.addingProduct(T.widen(a5 + o), bq)
        s6 = s6.addingProduct(T.widen(a6 + o), bq)
        s7 = s7.addingProduct(T.widen(a7 + o), bq)
      }
      let update = p.tileUpdate(kBlock: kb, of: kBlocks, column: 0, intoFloatWorkspace: halfC)
      let sums = (s0, s1, s2, s3, s4, s5, s6, s7)
      withUnsafeBytes(of: sums) { raw in
        let values = raw.assumingMemoryBound(to: Float.self)
        for row in 0..<count {
          let destination =
            halfC ? scratch + row : p.c.assumingMemoryBound(to: Float.self) + (i + row) * p.ldc
          update.apply(values[row], to: destination, column: 0)
        }
      }
    }
    if halfC {
      finishFloat16(
        workspace: scratch, workspaceStride: 1,
        c: p.c.assumingMemoryBound(to: Float16.self) + i * p.ldc, ldc: p.ldc, rows: count,
        columns: 1, beta: p.beta, bias: p.bias, relu: p.relu,
        reluMaskDelta: p.reluMaskDelta)
    }
    i += count
  }
}
