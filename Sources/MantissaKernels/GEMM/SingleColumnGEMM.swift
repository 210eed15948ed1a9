// The narrow path for n == 1, a matrix-vector product (the output layer of a regression
// network), in two forms, each accumulating every row over k with one FMA per term in increasing
// k, the order of every other path, so the results are the same bits:
// - A transposed (its columns contiguous): sixteen rows of C are one vector, read as vectors
//   (1000x1x20:tn 8.8 -> 4.0 us, 1000x1x256:tn 100 -> 30 us against the scalar form).
// - Otherwise eight rows as eight scalar FMA chains. For A with contiguous rows, transposing
//   16 x 16 blocks in registers to use the vector form was tried and was slower (8 -> 13 us at
//   1000x1x20: ~95 permutes and ~65 register copies per block for 256 FMAs). A dot product
//   along k needs no transpose but sums in a different order; OpenBLAS takes 3.1 us there.

/// C[rows, 0] of a single-column problem.
@inline(__always)
func singleColumnRows<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: BRows, kc: Int, rows: Range<Int>
) {
  if p.a.rowStride == 1 && p.a.columnStride != 1 {
    singleColumnDirect(p, a: a, b: b, kc: kc, rows: rows)
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
      for kb in 0..<kBlocks {
        let acc = sums(i, count, (kb * kc)..<min(p.k, kb * kc + kc))
        let update = p.tileUpdate(
          kBlock: kb, of: kBlocks, column: 0, intoFloatWorkspace: halfC)
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
          columns: 1, beta: p.beta, bias: p.bias, relu: p.relu)
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
        columns: 1, beta: p.beta, bias: p.bias, relu: p.relu)
    }
    i += count
  }
}
