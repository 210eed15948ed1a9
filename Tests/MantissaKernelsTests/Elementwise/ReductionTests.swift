import MantissaKernels
import MantissaReference
import Testing

@Test(arguments: [0, 1, 15, 17, 64, 65, 1000, 16384, 16385, 100_000])
func sumAndSumOfSquaresWithinTheBlockedBound(count: Int) {
  let x = randomFloats(count, seed: 12)
  let exact = x.reduce(0.0) { $0 + Double($1) }
  let exactSquares = x.reduce(0.0) { $0 + Double($1) * Double($1) }
  let magnitude = x.reduce(0.0) { $0 + abs(Double($1)) }
  // Lane pairs (4) + vectors per accumulator (256) + blocks, each at most one rounding.
  let steps = Double(4 + 256 + count / 16384 + 2)
  let s = sum(x, count: count)
  #expect(
    abs(Double(s) - exact) <= steps * Double(Float.ulpOfOne) * magnitude,
    "f32-rsum-simd16 count \(count)")
  let q = sumOfSquares(x, count: count)
  #expect(
    abs(Double(q) - exactSquares) <= steps * Double(Float.ulpOfOne) * exactSquares * 1.01,
    "f32-rsumsq-simd16 count \(count)")
  let h = x.map { Float16($0) }
  let hs = sum(h, count: count)
  let hExact = h.reduce(0.0) { $0 + Double($1) }
  #expect(
    abs(Double(hs) - hExact) <= steps * Double(Float.ulpOfOne) * magnitude * 1.01,
    "f16-rsum-simd16 count \(count)")
}

@Test func integerSumsAreExact() {
  let x = (0..<50_000).map { Float($0 % 7) - 3 }
  let exact = x.reduce(0, +)
  #expect(sum(x, count: x.count) == exact)
}

@Test func reductionsDoNotDependOnTheThreadCount() {
  let x = randomFloats(300_000, seed: 13)
  var results: [Float] = []
  withBothThreadCounts { threads in
    results.append(sum(x, count: x.count, threads: threads))
    results.append(sumOfSquares(x, count: x.count, threads: threads))
  }
  #expect(results[0].bitPattern == results[2].bitPattern, "f32-rsum-simd16: 1 vs 2 threads")
  #expect(results[1].bitPattern == results[3].bitPattern, "f32-rsumsq-simd16: 1 vs 2 threads")
}

@Test(arguments: [
  (1, 1, 1), (7, 5, 9), (100, 33, 40), (3, 200, 200), (0, 10, 10), (1000, 20, 20), (1000, 1, 1),
])
func columnSumsMatchTheOracle(shape: (Int, Int, Int)) {
  let (rows, columns, ld) = shape
  let x = randomFloats(rows * ld, seed: 14)
  let halves = x.map { Float16($0) }
  let start = randomFloats(columns, seed: 15)
  withBothThreadCounts { threads in
    for accumulate in [false, true] {
      var out = accumulate ? start : [Float](repeating: .nan, count: columns)
      var outHalf = out
      columnSums(
        x, rows: rows, columns: columns, ld: ld, into: &out, accumulate: accumulate,
        threads: threads)
      columnSums(
        halves, rows: rows, columns: columns, ld: ld, into: &outHalf, accumulate: accumulate,
        threads: threads)
      for j in 0..<columns {
        var exact = accumulate ? Double(start[j]) : 0
        var exactHalf = exact
        var magnitude = accumulate ? abs(Double(start[j])) : 0
        for i in 0..<rows {
          exact += Double(x[i * ld + j])
          exactHalf += Double(halves[i * ld + j])
          magnitude += abs(Double(x[i * ld + j]))
        }
        // Four partial sums of rows / 4 terms, then two adds: (rows / 4 + 3) roundings deep.
        let bound = (Double(rows / 4) + 4) * Double(Float.ulpOfOne) * (magnitude + 1e-30)
        #expect(
          abs(Double(out[j]) - exact) <= bound,
          "f32-colsum-simd16 \(shape) accumulate \(accumulate) column \(j): \(out[j]) vs \(exact)")
        #expect(
          abs(Double(outHalf[j]) - exactHalf) <= 1.01 * bound,
          "f16-colsum-simd16 \(shape) accumulate \(accumulate) column \(j)")
      }
    }
  }
}

@Test(arguments: [
  (1000, 20, 20), (1003, 20, 20), (998, 20, 24), (37, 10, 10), (6, 10, 11), (1001, 1, 1),
  (13, 1, 1), (1000, 1, 3), (21, 7, 7), (5, 33, 33),
])
func columnSumsFollowTheDocumentedOrder(shape: (Int, Int, Int)) {
  // Row i into partial sum i % 4, top to bottom, then (s0 + s1) + (s2 + s3), emulated in
  // scalar Float: bit for bit, whichever rows load whole vectors past the block (all but the
  // last few when ld is small) and whether one contiguous column takes its SIMD4 form.
  let (rows, columns, ld) = shape
  let x = randomFloats(rows * ld, seed: 16)
  let halves = x.map { Float16($0) }
  for half in [false, true] {
    var out = [Float](repeating: .nan, count: columns)
    if half {
      columnSums(halves, rows: rows, columns: columns, ld: ld, into: &out)
    } else {
      columnSums(x, rows: rows, columns: columns, ld: ld, into: &out)
    }
    for j in 0..<columns {
      var s = [Float](repeating: 0, count: 4)
      for i in 0..<rows {
        s[i % 4] += half ? Float(halves[i * ld + j]) : x[i * ld + j]
      }
      let expected = (s[0] + s[1]) + (s[2] + s[3])
      #expect(
        out[j].bitPattern == expected.bitPattern,
        "\(half ? "f16" : "f32")-colsum-simd16 \(shape) column \(j): \(out[j]) != \(expected)")
    }
  }
}

@Test func columnSumsOfSmallIntegersAreExact() {
  // Integer-valued inputs whose sums stay below 2^24 must come out exact in any order.
  let rows = 1003
  let columns = 37
  let x = (0..<(rows * columns)).map { Float(($0 * 7919) % 201) - 100 }
  var out = [Float](repeating: .nan, count: columns)
  columnSums(x, rows: rows, columns: columns, ld: columns, into: &out)
  for j in 0..<columns {
    let exact = (0..<rows).reduce(0) { $0 + Int(x[$1 * columns + j]) }
    #expect(out[j] == Float(exact), "f32-colsum-simd16 column \(j)")
  }
}
