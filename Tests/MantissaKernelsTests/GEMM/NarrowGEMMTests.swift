import MantissaKernels
import Testing

// The narrow-C path (`*-gemm-8x16-simd16direct`, `*-gemm-4x32-simd16direct`): n <= 32, A and
// (when rows are contiguous) B read in place.

let narrowCombinations = Combination.allCases

@Test(arguments: [1, 2, 7, 10, 15, 16, 17, 20, 31, 32], [1, 3, 20, 300, 600])
func narrowPathAcrossWidthsAndDepths(n: Int, k: Int) {
  for m in [1, 3, 4, 5, 37] {
    for combination in [Combination.f32, .f16] {
      checkGEMM(
        GEMMCase(
          m: m, n: n, k: k, beta: 1.3, padC: 1, combination: combination, bias: n % 2 == 0,
          narrow: true))
    }
  }
}

@Test(arguments: narrowCombinations, [(false, false), (false, true), (true, false), (true, true)])
func narrowPathTypesAndTransposes(combination: Combination, transposes: (Bool, Bool)) {
  checkGEMM(
    GEMMCase(
      m: 45, n: 20, k: 53, transA: transposes.0, transB: transposes.1, alpha: 0.7, beta: 1,
      padA: 2, padB: 3, combination: combination, relu: true, narrow: true))
}

@Test(arguments: [Float(0), 1, 0.7], [Float(0), 1, 1.3])
func narrowPathAlphaAndBeta(alpha: Float, beta: Float) {
  checkGEMM(
    GEMMCase(m: 17, n: 10, k: 40, alpha: alpha, beta: beta, blocking: tinyBlocking, narrow: true))
}

@Test func narrowPathIntegersAreExact() {
  checkGEMM(GEMMCase(m: 33, n: 20, k: 1000, beta: 1, narrow: true, integers: true))
}

@Test(arguments: narrowCombinations)
func narrowPathAgreesBitwiseWithThePackedKernelsAndAcrossThreads(combination: Combination) {
  // A both ways: a Float16 A is widened into a scratch (k-major when transposed) first.
  for n in [1, 10, 20, 32] {
    for transA in [false, true] {
      var c = GEMMCase(
        m: 70, n: n, k: 600, transA: transA, beta: 1.3, combination: combination, bias: true,
        relu: true)
      let packed = checkGEMM(c)
      c.narrow = true
      let narrow = checkGEMM(c)
      #expect(packed == narrow, "\(c.testDescription): narrow path differs from the packed kernel")
      c.threads = 2
      c.forceParallel = true
      #expect(checkGEMM(c) == narrow, "\(c.testDescription): 2 threads differ from 1")
    }
  }
}

@Test(arguments: narrowCombinations, [false, true])
func singleColumnAgreesBitwiseWithThePackedKernels(combination: Combination, transA: Bool) {
  // n == 1 takes the 16-rows-per-vector forms: A transposed read as vectors, A row-major
  // transposed 8 x 8 in registers from 32 rows up, scalar chains below. Row counts around 16
  // exercise the masked or repeated last group, k = 20 one K block (a Float16 C rounded from
  // registers), k = 600 several.
  for m in [1, 15, 16, 17, 40, 70] {
    for k in [1, 20, 600] {
      var c = GEMMCase(
        m: m, n: 1, k: k, transA: transA, beta: 1.3, padA: 3, combination: combination,
        bias: true, relu: true)
      let packed = checkGEMM(c)
      c.narrow = true
      let narrow = checkGEMM(c)
      #expect(packed == narrow, "\(c.testDescription): narrow path differs from the packed kernel")
      c.threads = 2
      c.forceParallel = true
      #expect(checkGEMM(c) == narrow, "\(c.testDescription): 2 threads differ from 1")
    }
  }
}
