import MantissaKernels
import Testing

// Blockings other than the default, including K blocks longer than the default KC and NC
// blocks narrower than a panel sweep: results must still match the oracle.

@Test(arguments: [
  GEMMBlocking(kc: 768, mc: 192, nc: 320), GEMMBlocking(kc: 512, mc: 96, nc: 64),
  GEMMBlocking(kc: 1000, mc: 8, nc: 32), GEMMBlocking(kc: 7, mc: 13, nc: 40),
])
func unusualBlockingsStayCorrect(blocking: GEMMBlocking) {
  for combination in Combination.allCases {
    checkGEMM(
      GEMMCase(m: 150, n: 170, k: 1000, beta: 1, combination: combination, blocking: blocking))
  }
}

// The default blocking of a transposed A with the 8x32 kernel is wider (NC 1024): n = 1100 spans
// two of its NC blocks and k = 600 two K blocks, on one thread and split over two.
@Test(arguments: Combination.allCases)
func transposedADefaultBlockingStaysCorrect(combination: Combination) {
  let blocking = GEMMBlocking.defaults(for: .tile8x32SIMD16, transposedA: true)
  #expect(blocking.nc == 1024 && 1100 > blocking.nc)
  #expect(GEMMBlocking.defaults(for: .tile8x32SIMD16).nc < blocking.nc)
  var c = GEMMCase(m: 40, n: 1100, k: 600, transA: true, beta: 1.3, combination: combination)
  let one = checkGEMM(c)
  c.threads = 2
  c.forceParallel = true
  let two = checkGEMM(c)
  #expect(one == two, "\(c.testDescription): 2 threads differ from 1")
}
