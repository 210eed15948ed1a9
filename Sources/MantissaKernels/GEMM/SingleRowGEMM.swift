// f32-gemm-1x32-simd16split4 and f32-gemm-1x16-simd16split4 (and every other type combination):
// the narrow path for m == 1, a row vector times a matrix (the weight gradient of a one-output
// layer, dYᵀ X with dY one column). In the order of every other path each of the n results is
// one chain of k dependent FMAs, so the product runs at the FMA latency whatever the width
// (1x20x1000:tn took 2.2 us, ~4 cycles per k step). Here term q goes to partial sum q mod 4
// (one FMA each, in increasing q), and the four partial sums are added as (s0 + s1) + (s2 + s3):
// eight independent chains for 17-32 columns. This order is the product's own (stated in the
// gemm contract and Docs/Precision.md, emulated bit for bit by a test); its error bound is
// smaller than one chain's. One row cannot be split between threads, so it runs on one.

/// The tile and implementation part of the kernel ID for m == 1.
func singleRowTileID(n: Int) -> String { n <= 16 ? "1x16-simd16split4" : "1x32-simd16split4" }

/// Whether a narrow problem takes ``singleRowSums(_:a:b:)``: one row, more than one column (n
/// == 1 is a dot product, SingleColumnGEMM.swift) and more than one term (k == 1 is one FMA
/// per value in any order).
func usesSingleRow(m: Int, n: Int, k: Int) -> Bool { m == 1 && n > 1 && k > 1 }

/// C[0, 0..<n] of a one-row problem, through the narrow path's rows of op(B).
@inline(never)
func singleRowSums<T: PackableElement>(_ p: GEMMProblem, a: UnsafePointer<T>, b: BRows) {
  guard T.self == Float16.self, p.k <= 4096 else {
    return singleRowSums(p, a: a, columnStride: p.a.columnStride, b: b)
  }
  // A Float16 row widened once, 16 values per conversion, instead of a scalar conversion
  // beside every term's FMAs (the same values, so the same bits).
  let half = UnsafeRawPointer(a).assumingMemoryBound(to: Float16.self)
  let cs = p.a.columnStride
  withUnsafeTemporaryAllocation(of: Float.self, capacity: p.k) { buffer in
    let widened = buffer.baseAddress!
    if cs == 1 {
      Float16.copyWidened(half, to: widened, count: p.k)
    } else {
      for q in 0..<p.k { widened[q] = Float(half[q * cs]) }
    }
    singleRowSums(p, a: UnsafePointer(widened), columnStride: 1, b: b)
  }
}

@inline(__always)
private func singleRowSums<T: PackableElement>(
  _ p: GEMMProblem, a: UnsafePointer<T>, columnStride cs: Int, b: BRows
) {
  if p.n > 16 && p.n <= 24 {
    // Columns 17-24 on 8 lanes: eight SIMD16 sums fill all 16 ymm registers of an AVX2 build,
    // which spilled them, and a Float16 B converts a third less.
    var s = RowPartialSums24()
    if b.directIsHalf {
      s.add(b.directHalves, a, cs, 0..<b.directRows)
    } else {
      s.add(b.directFloats, a, cs, 0..<b.directRows)
    }
    s.add(b.packedFloats, a, cs, b.directRows..<p.k)
    storeSingleRow(
      (s.s0 + s.s1) + (s.s2 + s.s3), lowEightOf((s.u0 + s.u1) + (s.u2 + s.u3)), p)
    return
  }
  var s = RowPartialSums()
  if p.n > 16 {
    if b.directIsHalf {
      s.add(b.directHalves, a, cs, 0..<b.directRows, wide: true)
    } else {
      s.add(b.directFloats, a, cs, 0..<b.directRows, wide: true)
    }
    s.add(b.packedFloats, a, cs, b.directRows..<p.k, wide: true)
  } else {
    if b.directIsHalf {
      s.add(b.directHalves, a, cs, 0..<b.directRows, wide: false)
    } else {
      s.add(b.directFloats, a, cs, 0..<b.directRows, wide: false)
    }
    s.add(b.packedFloats, a, cs, b.directRows..<p.k, wide: false)
  }
  storeSingleRow((s.s0 + s.s1) + (s.s2 + s.s3), (s.u0 + s.u1) + (s.u2 + s.u3), p)
}

/// Merges one row's sums of columns 0-15 (`v0`) and 16-31 (`v1`) into C.
@inline(__always)
private func storeSingleRow(_ v0: SIMD16<Float>, _ v1: SIMD16<Float>, _ p: GEMMProblem) {
  // The whole depth is one block: the update of a single K block (into the Float workspace
  // and `finishFloat16` for a Float16 C), merged from a scratch row with the packed path's
  // helpers. Not NarrowRowUpdate: one more caller of its row stores made the compiler stop
  // inlining them into the other narrow forms (1000x20x10 5.7 -> 9 us, 1000x10x20 6.2 ->
  // 8.5), and one row gains nothing from them.
  withUnsafeTemporaryAllocation(of: Float.self, capacity: 32) { scratch in
    let row = scratch.baseAddress!
    store(v0, to: row)
    store(v1, to: row + 16)
    let halfC = p.cStorage == .float16
    let update = p.tileUpdate(kBlock: 0, of: 1, column: 0, intoFloatWorkspace: halfC)
    if halfC {
      update.merge(tile: row, tileStride: 32, into: row, ldc: 32, rows: 1, columns: p.n)
      finishFloat16(
        workspace: row, workspaceStride: 32, c: p.c.assumingMemoryBound(to: Float16.self),
        ldc: p.ldc, rows: 1, columns: p.n, beta: p.beta, bias: p.bias, relu: p.relu,
        reluMaskDelta: p.reluMaskDelta)
    } else {
      update.merge(
        tile: row, tileStride: 32, into: p.c.assumingMemoryBound(to: Float.self), ldc: p.ldc,
        rows: 1, columns: p.n)
    }
  }
}

/// The four partial sums of columns 0-15 (`s0`-`s3`) and 16-31 (`u0`-`u3`).
private struct RowPartialSums {
  var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
  var u0 = SIMD16<Float>(), u1 = SIMD16<Float>(), u2 = SIMD16<Float>(), u3 = SIMD16<Float>()

  /// Adds the terms `qs` (op(A)'s value q at `a + q * cs` times row q of `rows`), each to
  /// partial sum q mod 4; `wide` (a constant at the call) adds columns 16-31 too.
  @inline(__always)
  mutating func add<T: PackableElement, Rows: NarrowBSource>(
    _ rows: Rows, _ a: UnsafePointer<T>, _ cs: Int, _ qs: Range<Int>, wide: Bool
  ) {
    @inline(__always) func term(_ partial: Int, _ q: Int) {
      let x = SIMD16<Float>(repeating: T.widen(a + q &* cs))
      let lower = rows.load(q, 0)
      switch partial {
      case 0: s0 = s0.addingProduct(x, lower)
      case 1: s1 = s1.addingProduct(x, lower)
      case 2: s2 = s2.addingProduct(x, lower)
      default: s3 = s3.addingProduct(x, lower)
      }
      guard wide else { return }
      let upper = rows.load(q, 16)
      switch partial {
      case 0: u0 = u0.addingProduct(x, upper)
      case 1: u1 = u1.addingProduct(x, upper)
      case 2: u2 = u2.addingProduct(x, upper)
      default: u3 = u3.addingProduct(x, upper)
      }
    }
    forEachTermInFours(qs, term)
  }
}

/// Calls `term(q mod 4, q)` for every q in `qs`, in increasing q, with the partial-sum index a
/// constant in the unrolled middle.
@inline(__always)
private func forEachTermInFours(_ qs: Range<Int>, _ term: (Int, Int) -> Void) {
  var q = qs.lowerBound
  while q < qs.upperBound && q & 3 != 0 {
    term(q & 3, q)
    q &+= 1
  }
  while q &+ 4 <= qs.upperBound {
    term(0, q)
    term(1, q &+ 1)
    term(2, q &+ 2)
    term(3, q &+ 3)
    q &+= 4
  }
  while q < qs.upperBound {
    term(q & 3, q)
    q &+= 1
  }
}

/// ``RowPartialSums`` for 17-24 columns: the sums of columns 16-23 (`u0`-`u3`) on 8 lanes.
private struct RowPartialSums24 {
  var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
  var u0 = SIMD8<Float>(), u1 = SIMD8<Float>(), u2 = SIMD8<Float>(), u3 = SIMD8<Float>()

  @inline(__always)
  mutating func add<T: PackableElement, Rows: NarrowBSource>(
    _ rows: Rows, _ a: UnsafePointer<T>, _ cs: Int, _ qs: Range<Int>
  ) {
    @inline(__always) func term(_ partial: Int, _ q: Int) {
      let x = SIMD16<Float>(repeating: T.widen(a + q &* cs))
      let lower = rows.load(q, 0)
      let upper = rows.load8(q, 16)
      switch partial {
      case 0:
        s0 = s0.addingProduct(x, lower)
        u0 = u0.addingProduct(lowEight(x), upper)
      case 1:
        s1 = s1.addingProduct(x, lower)
        u1 = u1.addingProduct(lowEight(x), upper)
      case 2:
        s2 = s2.addingProduct(x, lower)
        u2 = u2.addingProduct(lowEight(x), upper)
      default:
        s3 = s3.addingProduct(x, lower)
        u3 = u3.addingProduct(lowEight(x), upper)
      }
    }
    forEachTermInFours(qs, term)
  }
}
