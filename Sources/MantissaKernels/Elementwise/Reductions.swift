// f32-rsum-simd16, f16-rsum-simd16, f32-rsumsq-simd16, f32-colsum-simd16 ...: reductions with
// Float32 accumulation in an order fixed by the data length alone (never by the thread count).

/// Elements per reduction block: blocks are summed independently (possibly on different
/// threads) and their partial sums added in block order.
let reductionBlock = 1 << 14

/// Elements from which reductions split over threads: later than other kernels, because a sum
/// reads one stream and writes nothing (measured: 2 threads slower at 2^19, 1.7x faster at
/// 2^21; Docs/Performance.md).
let reductionParallelCount = 1 << 20

/// Sums the terms of `source` over `0..<count` in the documented order: within each block of 16,384 elements, four SIMD16 accumulators take consecutive
/// vectors in turn and the tail goes into a fifth; they are combined ((a0 + a1) + (a2 + a3)) +
/// tail and reduced across lanes pairwise; block sums are then added left to right. The order
/// depends on `count` alone, never on the thread count.
/// The values a blocked sum adds, as a type rather than closures so that the per-thread loop
/// calls them statically (see `ElementOperation`).
protocol SumTerms {
  /// The 16 terms at `i..<i + 16`.
  func terms(at i: Int) -> SIMD16<Float>
  /// The `n < 16` terms at `i..<i + n` in the low lanes, zeros above.
  func partialTerms(at i: Int, count n: Int) -> SIMD16<Float>
}

struct Values<T: VectorElement>: SumTerms {
  let x: UnsafePointer<T>
  @inline(__always) func terms(at i: Int) -> SIMD16<Float> { T.load16(x + i) }
  @inline(__always) func partialTerms(at i: Int, count n: Int) -> SIMD16<Float> {
    loadPartial(x + i, n)
  }
}

struct Squares<T: VectorElement>: SumTerms {
  let x: UnsafePointer<T>
  @inline(__always) func terms(at i: Int) -> SIMD16<Float> {
    let v = T.load16(x + i)
    return v * v
  }
  @inline(__always) func partialTerms(at i: Int, count n: Int) -> SIMD16<Float> {
    let v = loadPartial(x + i, n)
    return v * v
  }
}

@inline(__always)
func blockedSum<Terms: SumTerms>(
  count: Int, threads: Int?, function: String, _ source: Terms
) -> Float {
  let blocks = (count + reductionBlock - 1) / reductionBlock
  if blocks == 0 { return 0 }
  return withUnsafeTemporaryAllocation(of: Float.self, capacity: blocks) { partials in
    let partialBase = partials.baseAddress!
    forEachChunk(
      count: blocks, threads: threads,
      minimumCount: reductionParallelCount / reductionBlock, function: function
    ) { range in
      for block in range {
        let start = block * reductionBlock
        let end = min(count, start + reductionBlock)
        var a0 = SIMD16<Float>()
        var a1 = SIMD16<Float>()
        var a2 = SIMD16<Float>()
        var a3 = SIMD16<Float>()
        var i = start
        while i + 64 <= end {
          a0 += source.terms(at: i)
          a1 += source.terms(at: i + 16)
          a2 += source.terms(at: i + 32)
          a3 += source.terms(at: i + 48)
          i += 64
        }
        var tail = SIMD16<Float>()
        while i + 16 <= end {
          tail += source.terms(at: i)
          i += 16
        }
        if i < end { tail += source.partialTerms(at: i, count: end - i) }
        partialBase[block] = horizontalSum(((a0 + a1) + (a2 + a3)) + tail)
      }
    }
    var total: Float = 0
    for block in 0..<blocks { total += partialBase[block] }
    return total
  }
}

/// The sums of up to 16 columns (as `load` reads them from a row's start) over `rows` rows `ld`
/// apart, in ``columnSums(_:rows:columns:ld:into:accumulate:threads:)``'s order. Rows from
/// `fullRows` on (where `load`'s whole vector would pass the matrix's end), and the last
/// rows of fewer than four, are read with `partial`.
@inline(__always)
func columnBlockSum<T>(
  _ x: UnsafePointer<T>, rows: Int, ld: Int, fullRows: Int,
  _ load: (UnsafePointer<T>) -> SIMD16<Float>, partial: (UnsafePointer<T>) -> SIMD16<Float>
) -> SIMD16<Float> {
  var s0 = SIMD16<Float>()
  var s1 = SIMD16<Float>()
  var s2 = SIMD16<Float>()
  var s3 = SIMD16<Float>()
  var i = 0
  while i &+ 4 <= fullRows {
    s0 += load(x + i &* ld)
    s1 += load(x + (i &+ 1) &* ld)
    s2 += load(x + (i &+ 2) &* ld)
    s3 += load(x + (i &+ 3) &* ld)
    i &+= 4
  }
  while i < rows {
    let v = partial(x + i &* ld)
    switch i & 3 {
    case 0: s0 += v
    case 1: s1 += v
    case 2: s2 += v
    default: s3 += v
    }
    i &+= 1
  }
  return (s0 + s1) + (s2 + s3)
}

/// ``columnBlockSum(_:rows:ld:_:)`` for two blocks of columns in one pass over the rows (the
/// same order for each column, eight add chains in flight; a layer of 20 outputs read its rows
/// twice, once per block).
@inline(__always)
func columnBlockSums<T>(
  _ x: UnsafePointer<T>, rows: Int, ld: Int, fullRows: Int,
  _ load0: (UnsafePointer<T>) -> SIMD16<Float>, _ load1: (UnsafePointer<T>) -> SIMD16<Float>,
  partial1: (UnsafePointer<T>) -> SIMD16<Float>
) -> (SIMD16<Float>, SIMD16<Float>) {
  var s0 = SIMD16<Float>()
  var s1 = SIMD16<Float>()
  var s2 = SIMD16<Float>()
  var s3 = SIMD16<Float>()
  var u0 = SIMD16<Float>()
  var u1 = SIMD16<Float>()
  var u2 = SIMD16<Float>()
  var u3 = SIMD16<Float>()
  var i = 0
  var r = x
  while i &+ 4 <= fullRows {
    s0 += load0(r)
    u0 += load1(r)
    s1 += load0(r + ld)
    u1 += load1(r + ld)
    s2 += load0(r + 2 &* ld)
    u2 += load1(r + 2 &* ld)
    s3 += load0(r + 3 &* ld)
    u3 += load1(r + 3 &* ld)
    i &+= 4
    r += 4 &* ld
  }
  while i < rows {
    let v = load0(r)
    let w = partial1(r)
    switch i & 3 {
    case 0:
      s0 += v
      u0 += w
    case 1:
      s1 += v
      u1 += w
    case 2:
      s2 += v
      u2 += w
    default:
      s3 += v
      u3 += w
    }
    i &+= 1
    r += ld
  }
  return ((s0 + s1) + (s2 + s3), (u0 + u1) + (u2 + u3))
}

/// ``columnSums(_:rows:columns:ld:into:accumulate:threads:)`` of one column with its rows back
/// to back: the four partial sums are the lanes of a `SIMD4`, each 16 rows four adds in turn
/// (the same order; row by row through partial loads it cost 2 cycles a row for Float and 4 for
/// Float16 in AVX2 builds).
@inline(__always)
func contiguousColumnSum<T: VectorElement>(_ x: UnsafePointer<T>, rows: Int) -> Float {
  var s = SIMD4<Float>()
  var i = 0
  while i &+ 16 <= rows {
    let v = T.load16(x + i)
    s += v.lowHalf.lowHalf
    s += v.lowHalf.highHalf
    s += v.highHalf.lowHalf
    s += v.highHalf.highHalf
    i &+= 16
  }
  while i < rows {
    s[i & 3] += T.load1(x + i)
    i &+= 1
  }
  return (s[0] + s[1]) + (s[2] + s[3])
}

/// The first `n` values at `p` in the low lanes of a vector, zeros above.
@inline(__always)
func loadPartial<T: VectorElement>(_ p: UnsafePointer<T>, _ n: Int) -> SIMD16<Float> {
  if T.self == Float.self {
    return loadPartial16(UnsafeRawPointer(p).assumingMemoryBound(to: Float.self), n)
  }
  if T.self == Float16.self {
    return loadPartialWidened16(UnsafeRawPointer(p).assumingMemoryBound(to: Float16.self), n)
  }
  var v = SIMD16<Float>()
  for j in 0..<n { v[j] = T.load1(p + j) }
  return v
}

/// Pairwise sum of the 16 lanes: 8 + 8, 4 + 4, 2 + 2, 1 + 1, as vector adds (`.sum()` would
/// be 15 dependent scalar adds).
@inline(__always)
func horizontalSum(_ v: SIMD16<Float>) -> Float {
  let s8 = v.lowHalf + v.highHalf
  let s4 = s8.lowHalf + s8.highHalf
  let s2 = s4.lowHalf + s4.highHalf
  return s2[0] + s2[1]
}

/// The sum of `count` values accumulated in Float32 (`f32-rsum-simd16`, `f16-rsum-simd16`), in
/// an order that depends on `count` only, so any thread count gives the same bits.
///
/// ### Precision
/// Blocked summation: the error is at most about `(log2(16) + 16384/64 + count/16384) * eps32 *
/// sum |x|`, far below a plain left-to-right sum's `count * eps32 * sum |x|` for large counts.
/// - Precondition: `count >= 0`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func sum<T: VectorElement>(_ x: UnsafePointer<T>, count: Int, threads: Int? = nil) -> Float {
  mantissaRequire(count >= 0, "sum: count = \(count) must be non-negative")
  return blockedSum(count: count, threads: threads, function: "sum", Values(x: x))
}

/// The sum of squares of `count` values (`f32-rsumsq-simd16`, `f16-rsumsq-simd16`), accumulated
/// in Float32 in the order of ``sum(_:count:threads:)``; for gradient norms.
/// - Precondition: `count >= 0`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func sumOfSquares<T: VectorElement>(
  _ x: UnsafePointer<T>, count: Int, threads: Int? = nil
) -> Float {
  mantissaRequire(count >= 0, "sumOfSquares: count = \(count) must be non-negative")
  return blockedSum(count: count, threads: threads, function: "sumOfSquares", Squares(x: x))
}

/// Column sums of a `rows` x `columns` matrix (row stride `ld`): `out[j] = sum_i x[i, j]` in
/// Float32 (`f32-colsum-simd16`, `f16-colsum-simd16`); the bias gradient of a linear layer.
/// Order: row i goes to partial sum `i % 4` (rows top to bottom within each), and the column's
/// sum is `(s0 + s1) + (s2 + s3)`, added to the old `out[j]` when `accumulate` is true (else
/// `out` is overwritten). Four partial sums keep four add chains in flight per 16 columns (one
/// chain per column was latency-bound) and halve the rounding error's growth. Threads split the
/// columns, so the order, and the result, is the same for any thread count.
/// - Precondition: `rows`, `columns` >= 0, `ld >= columns`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func columnSums<T: VectorElement>(
  _ x: UnsafePointer<T>, rows: Int, columns: Int, ld: Int, into out: UnsafeMutablePointer<Float>,
  accumulate: Bool = false, threads: Int? = nil
) {
  mantissaRequire(rows >= 0, "columnSums: rows = \(rows) must be non-negative")
  mantissaRequire(columns >= 0, "columnSums: columns = \(columns) must be non-negative")
  mantissaRequire(ld >= columns, "columnSums: ld = \(ld) must be >= columns = \(columns)")
  forEachChunk(
    count: columns, threads: threads,
    minimumCount: max(16, elementwiseParallelCount / max(rows, 1)),
    function: "columnSums"
  ) { range in
    if columns == 1 && ld == 1 {
      let total = contiguousColumnSum(x, rows: rows)
      out[0] = accumulate ? out[0] + total : total
      return
    }
    // Rows whose whole vectors of `span` values from column j end inside the matrix: those
    // load whole vectors (lanes past the block are summed and dropped); partial loads cost
    // 1000x20 and 1000x1 colsums 2-4 cycles a row (the AVX2 builds' masked loads).
    let last = (rows - 1) * ld + columns
    @inline(__always) func fullRows(from j: Int, span: Int) -> Int {
      rows == 0 || last - j - span < 0 ? 0 : min(rows, (last - j - span) / ld + 1)
    }
    var j = range.lowerBound
    while j < range.upperBound {
      if range.upperBound - j > 16 {
        // 17-32 columns: both blocks in one pass.
        let width = min(16, range.upperBound - j - 16)
        let load1 = { (p: UnsafePointer<T>) in T.load16(p + 16) }
        var (total0, total1) =
          width == 16
          ? columnBlockSums(
            x + j, rows: rows, ld: ld, fullRows: rows, { T.load16($0) }, load1, partial1: load1)
          : columnBlockSums(
            x + j, rows: rows, ld: ld, fullRows: fullRows(from: j, span: 32), { T.load16($0) },
            load1, partial1: { loadPartial($0 + 16, width) })
        if accumulate {
          total0 = load16(out + j) + total0
          total1 = loadPartial16(out + j + 16, width) + total1
        }
        store(total0, to: out + j)
        storePartial16(total1, to: out + j + 16, width)
        j += 16 + width
        continue
      }
      // 16 columns, or the last few through masked loads and stores.
      let width = min(16, range.upperBound - j)
      let load = { (p: UnsafePointer<T>) in T.load16(p) }
      var total =
        width == 16
        ? columnBlockSum(x + j, rows: rows, ld: ld, fullRows: rows, load, partial: load)
        : columnBlockSum(
          x + j, rows: rows, ld: ld, fullRows: fullRows(from: j, span: 16), load,
          partial: { loadPartial($0, width) })
      if accumulate { total = loadPartial16(out + j, width) + total }
      storePartial16(total, to: out + j, width)
      j += width
    }
  }
}
