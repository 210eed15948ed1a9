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
