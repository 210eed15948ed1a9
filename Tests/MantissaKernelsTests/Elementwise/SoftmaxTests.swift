import Foundation
import MantissaKernels
import MantissaReference
import Testing

/// ULP distance of a Float from the exact value, in units of the exact value's Float ulp.
func floatULPs(_ got: Float, _ want: Double) -> Double {
  let ulp = Double(Float(want).ulp)
  return abs(Double(got) - want) / ulp
}

@Test func vectorExpErrorIsWithinTwoULPs() {
  // Dense sample over the normal-result range plus special values.
  var xs: [Float] = stride(from: Float(-87.3), through: 88.7, by: 0.000_73).map { $0 }
  xs += [0, -0.0, 1, -1, 1e-8, -1e-8, 0.5 * Float(M_LN2), -0.5 * Float(M_LN2)]
  var out = [Float](repeating: 0, count: xs.count)
  vectorExp(xs, into: &out, count: xs.count)
  var worst = 0.0
  var worstAt: Float = 0
  for (i, x) in xs.enumerated() {
    let e = floatULPs(out[i], Foundation.exp(Double(x)))
    if e > worst {
      worst = e
      worstAt = x
    }
  }
  // Measured 1.0x ulp on Sapphire Rapids (printed for Docs/Kernels.md).
  print("f32-vexp-simd16: max error \(worst) ulp at x = \(worstAt) over \(xs.count) points")
  #expect(worst <= 2, "f32-vexp-simd16: \(worst) ulp at x = \(worstAt)")
  let special: [Float] = [-100, -87.5, 89, 100, .infinity, -.infinity, .nan]
  var specialOut = [Float](repeating: 1, count: special.count)
  vectorExp(special, into: &specialOut, count: special.count)
  #expect(specialOut[0] == 0 && specialOut[1] == 0)
  #expect(specialOut[2] == .infinity && specialOut[3] == .infinity && specialOut[4] == .infinity)
  #expect(specialOut[5] == 0)
  #expect(specialOut[6].isNaN)
}

@Test(arguments: [1, 3, 10, 16, 17, 40])
func softmaxCrossEntropyMatchesDouble(classes: Int) {
  let rows = 9
  let ld = classes + 2
  var g = SeededGenerator(seed: UInt64(classes))
  let logits = (0..<(rows * ld)).map { _ in Float(g.uniform(-8, 8)) }
  let labels = (0..<rows).map { _ in Int32(g.integer(0...(classes - 1))) }
  var gradient = [Float](repeating: .nan, count: rows * ld)
  let loss = softmaxCrossEntropy(
    logits: logits, rows: rows, classes: classes, ld: ld, labels: labels, gradient: &gradient,
    gradientScale: 4)
  var exactLoss = 0.0
  for r in 0..<rows {
    let row = (0..<classes).map { Double(logits[r * ld + $0]) }
    let m = row.max()!
    let s = row.reduce(0) { $0 + Foundation.exp($1 - m) }
    exactLoss += Foundation.log(s) + m - row[Int(labels[r])]
    for j in 0..<classes {
      let want = 4 * (Foundation.exp(row[j] - m) / s - (j == Int(labels[r]) ? 1 : 0)) / Double(rows)
      #expect(
        abs(Double(gradient[r * ld + j]) - want) <= 1e-6,
        "f32-softmax-xent-simd16 gradient [\(r), \(j)]")
    }
    for j in classes..<ld { #expect(gradient[r * ld + j].isNaN, "wrote past the row") }
  }
  exactLoss /= Double(rows)
  #expect(abs(Double(loss) - exactLoss) <= 1e-5 * max(1, exactLoss), "f32-softmax-xent-simd16 loss")
}

@Test func softmaxCrossEntropyIsStableForHugeLogits() {
  let logits: [Float] = [1e30, 0, -1e30, 50000]
  let loss = softmaxCrossEntropy(logits: logits, rows: 1, classes: 4, ld: 4, labels: [Int32(0)])
  #expect(loss == 0)
  let halves: [Float16] = [60000, 0, -60000, 1]
  let loss16 = softmaxCrossEntropy(logits: halves, rows: 1, classes: 4, ld: 4, labels: [Int32(1)])
  #expect(abs(loss16 - 60000) <= 1)
}

@Test func argmaxTakesTheFirstOfTies() {
  let x: [Float] = [1, 3, 3, 0, -1, -2, 5, 5, .nan, 2, 2, 1]
  var out = [Int32](repeating: -1, count: 3)
  argmaxRows(x, rows: 3, classes: 4, ld: 4, into: &out)
  #expect(out == [1, 2, 1])
}

@Test func labelOutOfRangeIsNamed() async {
  let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
    _ = softmaxCrossEntropy(
      logits: [Float](repeating: 0, count: 6), rows: 2, classes: 3, ld: 3, labels: [Int32(0), 3])
  }
  let text = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
  #expect(text.contains("softmaxCrossEntropy: labels[1] = 3 is outside 0..<3"), "\(text)")
}

@Test(arguments: [1, 5, 16, 33])
func softmaxAndLogSoftmaxMatchDouble(columns: Int) {
  let rows = 6
  let ld = columns + 1
  var g = SeededGenerator(seed: UInt64(columns) + 100)
  var x = (0..<(rows * ld)).map { _ in Float(g.uniform(-20, 20)) }
  x[0] = 1e30  // one huge logit: max subtraction must keep it finite
  var soft = [Float](repeating: .nan, count: rows * ld)
  var logSoft = [Float](repeating: .nan, count: rows * ld)
  softmax(x, rows: rows, columns: columns, ld: ld, into: &soft, ldOut: ld)
  logSoftmax(x, rows: rows, columns: columns, ld: ld, into: &logSoft, ldOut: ld)
  for r in 0..<rows {
    let row = (0..<columns).map { Double(x[r * ld + $0]) }
    let m = row.max()!
    let s = row.reduce(0) { $0 + Foundation.exp($1 - m) }
    for j in 0..<columns {
      let p = Foundation.exp(row[j] - m) / s
      let lp = row[j] - m - Foundation.log(s)
      // x - m is rounded in Float32 (absolute error up to |x - m| u32), which e^ turns into that
      // much relative error; plus a few ulps for exp, the sum and the division.
      let relative = (8 + abs(row[j] - m)) * 0x1p-23
      #expect(
        abs(Double(soft[r * ld + j]) - p) <= relative * p + 1e-38, "f32-softmax-simd16 [\(r), \(j)]"
      )
      #expect(
        abs(Double(logSoft[r * ld + j]) - lp) <= 2e-6 * max(1, abs(lp)),
        "f32-logsoftmax-simd16 [\(r), \(j)]")
    }
    #expect(soft[r * ld + columns].isNaN, "softmax wrote past the row")
  }
  // In place on Float16.
  var h = (0..<(rows * ld)).map { _ in Float16(g.uniform(-4, 4)) }
  let h0 = h
  softmax(h, rows: rows, columns: columns, ld: ld, into: &h, ldOut: ld)
  for r in 0..<rows {
    let row = (0..<columns).map { Double(h0[r * ld + $0]) }
    let m = row.max()!
    let s = row.reduce(0) { $0 + Foundation.exp($1 - m) }
    for j in 0..<columns {
      #expect(
        half16ULPs(h[r * ld + j], Foundation.exp(row[j] - m) / s) <= 1,
        "f16-softmax-simd16 in place")
    }
  }
}

@Test(arguments: [1, 15, 16, 17, 40])
func rowMaximaMatchAScan(columns: Int) {
  let rows = 5
  let ld = columns + 3
  var x = randomFloats(rows * ld, seed: UInt64(columns) + 7, scale: 100)
  x[ld + columns - 1] = 1000  // the maximum in the tail
  x[2 * ld] = .nan
  var out = [Float](repeating: 0, count: rows)
  maxRows(x, rows: rows, columns: columns, ld: ld, into: &out)
  for r in 0..<rows {
    let want = (0..<columns).map { x[r * ld + $0] }.filter { !$0.isNaN }.max() ?? -.infinity
    #expect(out[r] == want, "f32-rmax-simd16 row \(r)")
  }
  let h = x.map { Float16($0) }
  maxRows(h, rows: rows, columns: columns, ld: ld, into: &out)
  #expect(out[1] == 1000, "f16-rmax-simd16: the tail maximum")
}
