// f32-gemm-4x32-simd16direct (and every other type combination): the path for narrow C (n <= 32),
// the shape of small layers (n = 1, 10, 20). A 32-wide register tile would waste most of its
// lanes there and merge every tile through scratch memory; instead A is read in place, B too
// where its rows are contiguous (else packed into rows of 16 or 32 Floats), and 4 rows of C are
// computed at a time with up to 8 SIMD16<Float> accumulators. Same summation order and update formulas as
// the packed microkernels (one FMA per term in increasing k within each K block, TileUpdate),
// so results are bitwise identical to theirs.
// Measured: see Docs/Performance.md (`mantissa-bench gemm --shapes small`).

/// Whether a problem takes the narrow path: B not prepacked, n <= 32, and not
/// disabled by a forced microkernel (tests force each kernel to cover it) unless forced on.
func usesNarrowPath(_ p: GEMMProblem, _ overrides: KernelOverrides) -> Bool {
  guard p.n <= 32, case .view = p.b else { return false }
  if let forced = overrides.narrowGEMM { return forced }
  return overrides.gemmMicrokernel == nil
}

func runNarrowGEMM(_ p: GEMMProblem, kc: Int, threads: Int, forceParallel: Bool) {
  guard case .view(let bView) = p.b else { return }
  let width = p.n <= 16 ? 16 : 32
  // A B with contiguous rows is read in place (lanes past n compute values that are never
  // stored), except its last rows, where a full-width load would run past the end of B: those,
  // and a transposed B, are packed into rows of `width` (packing B cost 18% of a seed-example
  // step).
  // Float16 rows are widened as they are loaded.
  var directStride = width
  var directRows = 0
  if bView.columnStride == 1 && p.k > 0 {
    let rs = bView.rowStride
    let lastSafeStart = (p.k - 1) * rs + p.n - width
    directRows = lastSafeStart < 0 ? 0 : min(p.k, lastSafeStart / rs + 1)
    directStride = rs
  }
  let packedRows = p.k - directRows
  let packed = UnsafeMutablePointer<Float>.allocate(capacity: max(1, packedRows * width))
  defer { packed.deallocate() }
  if packedRows > 0 {
    packB(
      bView, depth0: directRows, column0: 0, depth: packedRows, columns: p.n, nr: width,
      into: packed)
  }
  let rowsOfB = BRows(
    direct: bView.base, directIsHalf: bView.storage == .float16, directStride: directStride,
    directRows: directRows, packed: UnsafePointer(packed), width: width)
  let groups = (p.m + 3) / 4
  var parts = 1
  if threads > 1 && (forceParallel || p.m * p.n * p.k >= gemmParallelWork) {
    parts = min(threads, groups)
  }
  let groupsPerPart = (groups + parts - 1) / parts
  parts = (groups + groupsPerPart - 1) / groupsPerPart
  nonisolated(unsafe) let b = rowsOfB
  runParallel(parts) { part in
    let rows = (part * groupsPerPart * 4)..<min(p.m, (part + 1) * groupsPerPart * 4)
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
    switch p.a.storage {
    case .float32:
      narrowRows(
        p, a: p.a.base.assumingMemoryBound(to: Float.self), b: b, width: width, kc: kc,
        rows: rows)
    case .float16:
      narrowRows(
        p, a: p.a.base.assumingMemoryBound(to: Float16.self), b: b, width: width, kc: kc,
        rows: rows)
    }
  }
}

@inline(__always)
private func narrowRows<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, b: BRows, width: Int, kc: Int, rows: Range<Int>
) {
  // A Float16 C accumulates its K blocks in a Float scratch of 4 rows, rounded once at the end
  // by the packed path's `finishFloat16`, so both paths give the same bits.
  let halfC = p.cStorage == .float16
  let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 4 * 32)
  defer { scratch.deallocate() }
  let rs = p.a.rowStride
  let cs = p.a.columnStride
  let kBlocks = (p.k + kc - 1) / kc
  var i = rows.lowerBound
  while i < rows.upperBound {
    let count = min(4, rows.upperBound - i)
    // Rows past the end read row i again (in bounds) and are not stored.
    let a0 = a + i * rs
    let a1 = a + (count > 1 ? i + 1 : i) * rs
    let a2 = a + (count > 2 ? i + 2 : i) * rs
    let a3 = a + (count > 3 ? i + 3 : i) * rs
    for kb in 0..<kBlocks {
      let p0 = kb * kc
      let p1 = min(p.k, p0 + kc)
      var c00 = SIMD16<Float>()
      var c01 = SIMD16<Float>()
      var c10 = SIMD16<Float>()
      var c11 = SIMD16<Float>()
      var c20 = SIMD16<Float>()
      var c21 = SIMD16<Float>()
      var c30 = SIMD16<Float>()
      var c31 = SIMD16<Float>()
      if width == 16 {
        for q in p0..<p1 {
          let b0 = b.load(q, 0)
          c00 = c00.addingProduct(T.widen(a0 + q * cs), b0)
          c10 = c10.addingProduct(T.widen(a1 + q * cs), b0)
          c20 = c20.addingProduct(T.widen(a2 + q * cs), b0)
          c30 = c30.addingProduct(T.widen(a3 + q * cs), b0)
        }
      } else {
        for q in p0..<p1 {
          let b0 = b.load(q, 0)
          let b1 = b.load(q, 16)
          var x = SIMD16<Float>(repeating: T.widen(a0 + q * cs))
          c00 = c00.addingProduct(x, b0)
          c01 = c01.addingProduct(x, b1)
          x = SIMD16<Float>(repeating: T.widen(a1 + q * cs))
          c10 = c10.addingProduct(x, b0)
          c11 = c11.addingProduct(x, b1)
          x = SIMD16<Float>(repeating: T.widen(a2 + q * cs))
          c20 = c20.addingProduct(x, b0)
          c21 = c21.addingProduct(x, b1)
          x = SIMD16<Float>(repeating: T.widen(a3 + q * cs))
          c30 = c30.addingProduct(x, b0)
          c31 = c31.addingProduct(x, b1)
        }
      }
      let update = p.tileUpdate(kBlock: kb, of: kBlocks, column: 0, intoFloatWorkspace: halfC)
      let (row, ld) =
        halfC ? (scratch, 32) : (p.c.assumingMemoryBound(to: Float.self) + i * p.ldc, p.ldc)
      storeNarrow(c00, c01, to: row, n: p.n, update)
      if count > 1 { storeNarrow(c10, c11, to: row + ld, n: p.n, update) }
      if count > 2 { storeNarrow(c20, c21, to: row + 2 * ld, n: p.n, update) }
      if count > 3 { storeNarrow(c30, c31, to: row + 3 * ld, n: p.n, update) }
    }
    if halfC {
      finishFloat16(
        workspace: scratch, workspaceStride: 32,
        c: p.c.assumingMemoryBound(to: Float16.self) + i * p.ldc, ldc: p.ldc, rows: count,
        columns: p.n, beta: p.beta, bias: p.bias, relu: p.relu)
    }
    i += count
  }
}

/// n == 1 (a matrix-vector product): eight rows at a time as eight independent scalar FMA chains,
/// each in increasing k like every other path, so the results are the same bits; a 16-lane
/// vector per row would waste 15 lanes (1000x1x20 took 11.7 us that way).
@inline(__always)
private func singleColumnRows<T: PackableElement>(
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

/// Where row q of op(B) is: in place (Float or Float16) for the first `directRows` rows, then
/// packed (Float).
struct BRows {
  let direct: UnsafeRawPointer
  let directIsHalf: Bool
  let directStride: Int
  let directRows: Int
  let packed: UnsafePointer<Float>
  let width: Int

  /// Column 0 of row `q`, as Float.
  @inline(__always)
  func first(_ q: Int) -> Float {
    if q < directRows {
      let index = q * directStride
      return directIsHalf
        ? Float(direct.assumingMemoryBound(to: Float16.self)[index])
        : direct.assumingMemoryBound(to: Float.self)[index]
    }
    return packed[(q - directRows) * width]
  }

  /// The 16 values of row `q` from column `offset`, as Float.
  @inline(__always)
  func load(_ q: Int, _ offset: Int) -> SIMD16<Float> {
    if q < directRows {
      let index = q * directStride + offset
      return directIsHalf
        ? Float16.load16(direct.assumingMemoryBound(to: Float16.self) + index)
        : load16(direct.assumingMemoryBound(to: Float.self) + index)
    }
    return load16(packed + (q - directRows) * width + offset)
  }
}

/// Stores one row of up to 32 results with the tile-update formulas, whole vectors where they
/// fit inside the row and lane by lane after.
@inline(__always)
private func storeNarrow(
  _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, to row: UnsafeMutablePointer<Float>, n: Int,
  _ update: TileUpdate
) {
  if n >= 16 {
    update.apply(v0, to: row, column: 0)
    if n == 32 {
      update.apply(v1, to: row + 16, column: 16)
    } else if n > 16 {
      update.applyPartial(v1, to: row + 16, column: 16, count: n - 16)
    }
  } else {
    update.applyPartial(v0, to: row, column: 0, count: n)
  }
}
