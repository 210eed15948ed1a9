// The narrow path for n == 1, a matrix-vector product (the output layer of a regression
// network), in three forms:
// - A with contiguous rows (the usual, `singleColumnDots`): each row is a dot product along k.
//   Lane j of a row's accumulator sums the terms with k ≡ j (mod 16) in increasing k, one FMA
//   each; the 16 lane sums are then added as a pairwise tree. This order differs from the other
//   paths' (one FMA chain per element in increasing k), so an n == 1 product is not the same
//   bits as column 0 of a wider one; it is the same for any thread count and any row position,
//   and its error bound is smaller. Against the 8x8 register transposes it replaced (same Xeon,
//   1 thread): 1000x1x20 nt 6.0 -> 2.5 us (OpenBLAS 3.1 in session 2), 1000x1x256 nt 62 -> 19,
//   20x1x1000 6.5 -> 2.8.
// - A transposed (its columns contiguous): sixteen rows of C are one vector, read as vectors,
//   one FMA chain per row in increasing k (1000x1x20:tn 8.8 -> 4.0 us against scalar chains).
// - Other strides: eight rows as eight scalar FMA chains.
// The last two sum in the order of every other GEMM path and give its bits.

/// C[rows, 0] of a single-column problem.
@inline(__always)
func singleColumnRows<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: BRows, kc: Int, rows: Range<Int>
) {
  if p.a.columnStride == 1 {
    singleColumnDots(p, a: a, b: b, rows: rows)
  } else if p.a.rowStride == 1 {
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
  forEachSingleColumnGroup(p, kc: kc, rows: rows) { i, count, depths, out in
    var acc = SIMD16<Float>()
    for q in depths {
      let s = a + q * cs + i
      let v = count == 16 ? T.widen16(s) : T.widenPartial16(s, count)
      acc = acc.addingProduct(v, SIMD16<Float>(repeating: b.first(q)))
    }
    store(acc, to: out)
  }
}

/// Rows of A contiguous along k: sixteen rows at a time, each row's 16-lane accumulator over k
/// (lane j: the terms with k ≡ j mod 16, in increasing k; a zero-padded last piece), then one
/// pairwise tree of lane sums for all sixteen rows (``pairwiseLaneSums``).
@inline(never)
private func singleColumnDots<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: BRows, rows: Range<Int>
) {
  let rs = p.a.rowStride
  let k = p.k
  let whole = k / 16 * 16
  // B's one column, gathered once and zero-padded to whole vectors.
  withUnsafeTemporaryAllocation(of: Float.self, capacity: whole + 16) { column in
    let x = column.baseAddress!
    for q in 0..<(whole + 16) { x[q] = q < k ? b.first(q) : 0 }
    // One K block whatever k is: the tree needs the whole row.
    forEachSingleColumnGroup(p, kc: max(k, 1), rows: rows) { i, count, _, out in
      // Rows past the end repeat the last row (in bounds) and are not stored.
      let first = a + i &* rs
      let last = count - 1
      @inline(__always) func row(_ r: Int) -> UnsafePointer<T> { first + min(r, last) &* rs }
      #if MANTISSA_AVX2
        if !CompiledCPU.choosesAVX512Forms {
          // Four rows at a time, each as two 8-lane halves: the same lanes and the same tree
          // (``pairwiseLaneSums(_:_:_:_:)``) on 8 accumulators, where sixteen SIMD16 ones
          // (32 ymm) spilled. Rows past the end repeat the last row, as below.
          // A Float16 row's last piece as one whole load with the lanes past k zeroed, where
          // all 16 values are inside A (every group but the last few rows): AVX2 has no
          // masked 16-bit load, and its stand-in (32-bit masked load and a blend) cost as much
          // as the rest of a 10-value row (1000x1x10:nt 4.4 -> 3.6 us, Float 3.3). A Float row
          // keeps its masked load, which measured faster than a whole load and a blend.
          let tail = LastPiece(
            pastK: SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
              .>= SIMD16(repeating: Int32(k &- whole)),
            whole: T.self == Float16.self
              && (i &+ last) &* rs &+ whole &+ 16 <= (p.m &- 1) &* rs &+ k)
          var r = 0
          while r < 16 {
            let sums = pairwiseLaneSums(
              laneSums(row(r), x, k: k, whole: whole, tail),
              laneSums(row(r &+ 1), x, k: k, whole: whole, tail),
              laneSums(row(r &+ 2), x, k: k, whole: whole, tail),
              laneSums(row(r &+ 3), x, k: k, whole: whole, tail))
            UnsafeMutableRawPointer(out + r).storeBytes(of: sums, as: SIMD4<Float>.self)
            r &+= 4
          }
          return
        }
      #endif
      var s = Sums16()
      @inline(__always) func add(_ q: Int, _ load: (UnsafePointer<T>) -> SIMD16<Float>) {
        let xq = load16(x + q)
        s.v0 = s.v0.addingProduct(load(row(0) + q), xq)
        s.v1 = s.v1.addingProduct(load(row(1) + q), xq)
        s.v2 = s.v2.addingProduct(load(row(2) + q), xq)
        s.v3 = s.v3.addingProduct(load(row(3) + q), xq)
        s.v4 = s.v4.addingProduct(load(row(4) + q), xq)
        s.v5 = s.v5.addingProduct(load(row(5) + q), xq)
        s.v6 = s.v6.addingProduct(load(row(6) + q), xq)
        s.v7 = s.v7.addingProduct(load(row(7) + q), xq)
        s.v8 = s.v8.addingProduct(load(row(8) + q), xq)
        s.v9 = s.v9.addingProduct(load(row(9) + q), xq)
        s.v10 = s.v10.addingProduct(load(row(10) + q), xq)
        s.v11 = s.v11.addingProduct(load(row(11) + q), xq)
        s.v12 = s.v12.addingProduct(load(row(12) + q), xq)
        s.v13 = s.v13.addingProduct(load(row(13) + q), xq)
        s.v14 = s.v14.addingProduct(load(row(14) + q), xq)
        s.v15 = s.v15.addingProduct(load(row(15) + q), xq)
      }
      var q = 0
      while q < whole {
        add(q) { T.widen16($0) }
        q &+= 16
      }
      if whole < k { add(whole) { T.widenPartial16($0, k &- whole) } }
      store(s.pairwiseLaneSums(), to: out)
    }
  }
}

/// A row's 16 lane sums as two 8-lane halves: lane j sums the terms with k ≡ j (mod 16) in
/// increasing k, one FMA each, the last piece zero-padded (``singleColumnDots``' order).
@inline(__always)
private func laneSums<T: PackableElement>(
  _ row: UnsafePointer<T>, _ x: UnsafePointer<Float>, k: Int, whole: Int, _ tail: LastPiece
) -> (SIMD8<Float>, SIMD8<Float>) {
  var low = SIMD8<Float>()
  var high = SIMD8<Float>()
  var q = 0
  while q < whole {
    low = low.addingProduct(T.widen8(row + q), load8(x + q))
    high = high.addingProduct(T.widen8(row + (q &+ 8)), load8(x + (q &+ 8)))
    q &+= 16
  }
  if whole < k {
    let piece =
      tail.whole
      ? T.widen16(row + whole).replacing(with: 0, where: tail.pastK)
      : T.widenPartial16(row + whole, k &- whole)
    let (a0, a1) = unsafeBitCast(piece, to: (SIMD8<Float>, SIMD8<Float>).self)
    low = low.addingProduct(a0, load8(x + whole))
    high = high.addingProduct(a1, load8(x + (whole &+ 8)))
  }
  return (low, high)
}

/// How ``laneSums`` loads a row's last piece (k % 16 values): as 16 values with the lanes
/// `pastK` zeroed when `whole` (all 16 readable), else by a partial load. The same values.
private struct LastPiece {
  let pastK: SIMDMask<SIMD16<Int32>>
  let whole: Bool
}

/// Runs `sums(row, count, depths, out)` (the K block's sums of rows `row..<row + count`, stored
/// as 16 Floats at `out`: a SIMD16 returned from a closure travels as four 128-bit pieces, and
/// LLVM then splits the vector code that makes it into 128-bit operations too)
/// for groups of 16 rows and each K block, and merges them into C with the scalar tile-update
/// formula lane by lane (C's rows are `ldc` apart and the bias is one value for all of them). A
/// Float16 C accumulates in a Float workspace rounded once by `finishFloat16`, as on every
/// other path.
@inline(__always)
private func forEachSingleColumnGroup(
  _ p: GEMMProblem, kc: Int, rows: Range<Int>,
  _ sums: (Int, Int, Range<Int>, UnsafeMutablePointer<Float>) -> Void
) {
  let halfC = p.cStorage == .float16
  let kBlocks = (p.k + kc - 1) / kc
  withUnsafeTemporaryAllocation(of: Float.self, capacity: 32) { workspace in
    let w = workspace.baseAddress!
    let sumsOut = w + 16
    var i = rows.lowerBound
    while i < rows.upperBound {
      let count = min(16, rows.upperBound - i)
      if halfC && kBlocks == 1 {
        // One K block into Float16 C: finishFloat16's formula lane by lane, rounded once.
        sums(i, count, 0..<p.k, sumsOut)
        let acc = load16(sumsOut)
        let c = p.c.assumingMemoryBound(to: Float16.self) + i * p.ldc
        if p.ldc == 1 {
          // The same formula on all rows at once (C contiguous).
          @inline(__always) func load(_ q: UnsafePointer<Float16>) -> SIMD16<Float> {
            count == 16 ? loadWidened16(q) : loadPartialWidened16(q, count)
          }
          var v = acc * p.alpha
          if p.beta != 0 { v = v.addingProduct(p.beta, load(c)) }
          if let bias = p.bias { v += SIMD16(repeating: bias[0]) }
          if p.relu { v = rectified(v) }
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
        sums(i, count, (kb * kc)..<min(p.k, kb * kc + kc), sumsOut)
        let acc = load16(sumsOut)
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
