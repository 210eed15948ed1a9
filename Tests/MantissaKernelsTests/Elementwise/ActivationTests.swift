import MantissaKernels
import Testing

@Test(arguments: elementwiseLengths)
func reluAndLeakyReLUForwardAndBackward(count: Int) {
  var x = randomFloats(count, seed: 9)
  if count > 3 {
    x[0] = .nan
    x[1] = 0
    x[2] = -.infinity
  }
  let g = randomFloats(count, seed: 10)
  withBothThreadCounts { threads in
    for slope: Float in [0, 0.01] {
      var y = [Float](repeating: 0, count: count)
      leakyReLU(x, into: &y, count: count, negativeSlope: slope, threads: threads)
      var dx = g
      leakyReLUBackward(
        x, gradOut: dx, into: &dx, count: count, negativeSlope: slope, threads: threads)
      for i in 0..<count {
        let want: Float = x[i] < 0 ? x[i] * slope : x[i]
        #expect(
          y[i] == want || (want.isNaN && y[i].isNaN),
          "f32-vlrelu-simd16 slope \(slope) at \(i): \(x[i])")
        #expect(dx[i] == (x[i] > 0 ? g[i] : g[i] * slope), "f32-vlrelu-backward-simd16 at \(i)")
      }
    }
  }
}

@Test func reluOnFloat16IsExact() {
  let x = randomHalves(100, seed: 11)
  var y = [Float16](repeating: 0, count: 100)
  leakyReLU(x, into: &y, count: 100)
  for i in 0..<100 { #expect(y[i] == max(x[i], 0), "f16-vrelu-simd16 at \(i)") }
}
