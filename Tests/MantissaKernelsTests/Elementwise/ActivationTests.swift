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
        // ReLU sends -inf to 0 (not -inf * 0 = NaN), as PyTorch does.
        let want: Float = x[i] < 0 ? (slope == 0 ? 0 : x[i] * slope) : x[i]
        #expect(
          y[i] == want || (want.isNaN && y[i].isNaN),
          "f32-vlrelu-simd16 slope \(slope) at \(i): \(x[i])")
        #expect(dx[i] == (x[i] > 0 ? g[i] : g[i] * slope), "f32-vlrelu-backward-simd16 at \(i)")
      }
    }
  }
}

@Test func reluOnEveryFloat16Value() {
  // All 65,536 patterns, in both thread counts and at an odd offset so the 32-lane loop and the
  // scalar tail each see every class (NaN payloads of both signs, -0, subnormals, infinities).
  let x = (0..<65_536).map { Float16(bitPattern: UInt16($0)) } + [-.infinity, .nan]
  withBothThreadCounts { threads in
    for start in [0, 7] {
      let n = x.count - start
      var y = [Float16](repeating: 1, count: n)
      x.withUnsafeBufferPointer {
        leakyReLU($0.baseAddress! + start, into: &y, count: n, threads: threads)
      }
      for i in 0..<n {
        let v = x[start + i]
        let ok =
          v.isNaN
          ? (y[i].bitPattern == v.bitPattern)
          : (y[i].bitPattern == (v < 0 || v == 0 ? 0 : v.bitPattern))
        #expect(ok, "f16-vrelu-simd32 at \(start + i): \(v) gave \(y[i])")
      }
    }
  }
}
