import MantissaKernels
import Testing

@Test(arguments: [Float.infinity, -.infinity, .nan])
func unscaleFindsOneNonFiniteValueAtAnyPosition(bad: Float) {
  let count = 83  // five vectors and a tail of 3
  for position in 0..<count {
    var g = randomFloats(count, seed: 15)
    g[position] = bad
    #expect(
      !unscaleAndCheckFinite(&g, count: count, inverseScale: 0.5),
      "f32-vunscale-checkfinite-simd16 missed \(bad) at \(position)")
  }
}

@Test func unscaleScalesEveryElementAndReportsFinite() {
  let g0 = randomFloats(5000, seed: 16)
  withBothThreadCounts { threads in
    var g = g0
    #expect(unscaleAndCheckFinite(&g, count: g.count, inverseScale: 1.0 / 1024, threads: threads))
    for i in 0..<g.count { #expect(g[i] == g0[i] * (1.0 / 1024)) }
    var h = g0
    h[4999] = .nan
    #expect(!unscaleAndCheckFinite(&h, count: h.count, inverseScale: 1, threads: threads))
    // Overflow while unscaling (a huge gradient times a scale above 1) is non-finite too.
    var big = g0
    big[17] = 3e38
    #expect(!unscaleAndCheckFinite(&big, count: big.count, inverseScale: 4, threads: threads))
  }
}

@Test func allFiniteChecksEveryFloat16Position() {
  #expect(allFinite([Float16](repeating: 65504, count: 40), count: 40))
  for position in 0..<40 {
    for bad: Float16 in [.infinity, -.infinity, .nan] {
      var x = [Float16](repeating: 1, count: 40)
      x[position] = bad
      #expect(!allFinite(x, count: 40), "f16-checkfinite-simd16 missed \(bad) at \(position)")
    }
  }
  for position in 0..<40 {
    var x = [Float](repeating: 1, count: 40)
    x[position] = .nan
    #expect(!allFinite(x, count: 40), "f32-checkfinite-simd16 missed NaN at \(position)")
  }
}
