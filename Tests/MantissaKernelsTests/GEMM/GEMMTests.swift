import MantissaKernels
import Testing

// Named edge-case families of issue 3, each run on every microkernel this build can execute.
// A failure message starts with the kernel ID and the shape (GEMMHarness.swift).

let kernels = GEMMMicrokernel.allCases
/// Small blocks force several K, M and N blocks at test sizes.
let tinyBlocking = GEMMBlocking(kc: 16, mc: 16, nc: 64)

/// The default KC, so that the k sweep stays below, at and above it when the blocks change.
let defaultKC = GEMMBlocking.defaults(for: .preferred).kc

@Test(
  arguments: kernels,
  [1, 3, 4, 5, 8, 16, 17, 255, defaultKC - 1, defaultKC, defaultKC + 1, 2 * defaultKC + 1])
func kAroundUnrollAndBlock(kernel: GEMMMicrokernel, k: Int) {
  checkGEMM(GEMMCase(m: 19, n: 37, k: k, kernel: kernel))
}

@Test(arguments: kernels, [1, 2, 5, 6, 7, 8, 9, 15])
func mBelowAndAroundTheTileRows(kernel: GEMMMicrokernel, m: Int) {
  checkGEMM(GEMMCase(m: m, n: 40, k: 33, kernel: kernel))
}

@Test(arguments: kernels, [1, 7, 15, 16, 17, 31, 32, 33, 65, 100])
func nNotAMultipleOfTheTileColumns(kernel: GEMMMicrokernel, n: Int) {
  checkGEMM(GEMMCase(m: 13, n: n, k: 29, kernel: kernel))
}

@Test(arguments: kernels, [(false, false), (false, true), (true, false), (true, true)])
func everyTransposeCombination(kernel: GEMMMicrokernel, transposes: (Bool, Bool)) {
  for combination in Combination.allCases {
    checkGEMM(
      GEMMCase(
        m: 45, n: 70, k: 53, transA: transposes.0, transB: transposes.1, combination: combination,
        kernel: kernel))
  }
}

@Test(arguments: kernels, Combination.allCases)
func stridedOperands(kernel: GEMMMicrokernel, combination: Combination) {
  for (ta, tb) in [(false, false), (true, true)] {
    checkGEMM(
      GEMMCase(
        m: 23, n: 35, k: 41, transA: ta, transB: tb, padA: 3, padB: 5, padC: 7,
        combination: combination, kernel: kernel))
  }
}

@Test(arguments: [Float(0), 1, 0.7], [Float(0), 1, 1.3])
func alphaAndBeta(alpha: Float, beta: Float) {
  for combination in Combination.allCases {
    checkGEMM(
      GEMMCase(m: 17, n: 33, k: 20, alpha: alpha, beta: beta, padC: 2, combination: combination))
    checkGEMM(
      GEMMCase(
        m: 17, n: 33, k: 40, alpha: alpha, beta: beta, combination: combination,
        blocking: tinyBlocking))
  }
}

@Test(arguments: kernels, Combination.allCases)
func severalBlocksInEveryDimension(kernel: GEMMMicrokernel, combination: Combination) {
  checkGEMM(
    GEMMCase(
      m: 70, n: 150, k: 75, beta: 1.3, padC: 1, combination: combination, kernel: kernel,
      bias: true, relu: true, blocking: tinyBlocking))
}

@Test(arguments: kernels, Combination.allCases)
func fusedBiasAndReLU(kernel: GEMMMicrokernel, combination: Combination) {
  for (bias, relu) in [(true, false), (false, true), (true, true)] {
    checkGEMM(
      GEMMCase(
        m: 29, n: 45, k: 31, alpha: 0.7, beta: 1, combination: combination, kernel: kernel,
        bias: bias, relu: relu))
  }
}

@Test(arguments: kernels, Combination.allCases)
func prepackedB(kernel: GEMMMicrokernel, combination: Combination) {
  for tb in [false, true] {
    checkGEMM(
      GEMMCase(
        m: 37, n: 50, k: 44, transB: tb, beta: 1, combination: combination, kernel: kernel,
        bias: true, packedB: true))
    checkGEMM(
      GEMMCase(
        m: 37, n: 50, k: 44, transB: tb, combination: combination, kernel: kernel, packedB: true,
        blocking: tinyBlocking))
  }
}

@Test(arguments: kernels)
func integerInputsGiveExactResults(kernel: GEMMMicrokernel) {
  for combination in [Combination.f32, .f16f16f32, .f32f16f32] {
    checkGEMM(
      GEMMCase(
        m: 33, n: 66, k: 1000, beta: 1, combination: combination, kernel: kernel, integers: true))
  }
  // Float16 C holds integers exactly up to 2048: k * 9 stays below.
  checkGEMM(
    GEMMCase(m: 20, n: 40, k: 100, beta: 1, combination: .f16, kernel: kernel, integers: true))
}

@Test(arguments: kernels, Combination.allCases)
func oneAndTwoThreadsAgreeBitwise(kernel: GEMMMicrokernel, combination: Combination) {
  for (m, n) in [(64, 40), (9, 200), (100, 100)] {
    var c = GEMMCase(
      m: m, n: n, k: 70, beta: 1.3, combination: combination, kernel: kernel, bias: true,
      blocking: tinyBlocking)
    let one = checkGEMM(c)
    c.threads = 2
    c.forceParallel = true
    let two = checkGEMM(c)
    #expect(one == two, "\(c.testDescription): 2 threads differ from 1")
  }
}

// Two K blocks (a Float16 C through the Float workspace) and one (rounded in the kernels'
// registers; A read in place), with every epilogue, and three K blocks and one with none (C
// overwritten, then accumulated, or a Float16 C rounded from alpha * acc alone: the 6x16
// kernel's merges without per-vector tests): the bits must not depend on the kernel.
@Test(arguments: Combination.allCases)
func microkernelsAgreeBitwise(combination: Combination) {
  for (k, alpha, beta, epilogue, reluMask) in [
    (defaultKC + 88, Float(1), Float(1.3), true, false), (120, 1, 1.3, true, false),
    (120, 1, 1.3, true, true), (2 * defaultKC + 1, 0.7, 0, false, false),
    (120, 0.7, 0, false, false),
  ] {
    let results = kernels.map {
      checkGEMM(
        GEMMCase(
          m: 50, n: 70, k: k, alpha: alpha, beta: beta, combination: combination, kernel: $0,
          bias: epilogue, relu: epilogue && !reluMask, reluMask: reluMask))
    }
    #expect(
      results.allSatisfy { $0 == results[0] }, "\(combination) k \(k): microkernels disagree")
  }
}

@Test func zeroSizesAreValid() {
  for (m, n, k) in [(0, 5, 5), (5, 0, 5), (5, 5, 0), (0, 0, 0)] {
    for combination in Combination.allCases {
      checkGEMM(GEMMCase(m: m, n: n, k: k, beta: 1.3, combination: combination, bias: true))
      checkGEMM(GEMMCase(m: m, n: n, k: k, combination: combination))
    }
  }
}

@Test func largeProblemUsesBothThreadsAndMatchesOneThread() {
  var c = GEMMCase(m: 300, n: 260, k: 200, beta: 1)
  let one = checkGEMM(c)
  c.threads = 2
  #expect(checkGEMM(c) == one)
}

// A Float B with rows 2 KiB or more apart is packed two panels per tile of the first row
// (FusedBPacking.pairs): five full panels (two pairs and one alone) and a partial one, with A
// read in place and packed (transposed), two MC blocks or fewer rows than a tile, 1 and 2
// threads bitwise.
@Test(arguments: kernels)
func bPanelsPackedInPairs(kernel: GEMMMicrokernel) {
  for (m, transA, padB) in [(203, false, 600), (203, true, 2100), (5, false, 600), (203, false, 0)]
  {
    var c = GEMMCase(
      m: m, n: 5 * 32 + 7, k: 150, transA: transA, beta: 0.7, padB: padB, kernel: kernel,
      bias: true, relu: true)
    let one = checkGEMM(c)
    c.threads = 2
    c.forceParallel = true
    #expect(checkGEMM(c) == one, "\(c.testDescription): 2 threads differ from 1")
  }
}

// Sources whose rows are a page or more apart are packed row by row across all panels, closer
// ones panel by panel: both orders, with a tail panel, for B and for a transposed A, from Float
// and Float16 storage.
@Test(arguments: Combination.allCases)
func packingOrdersFollowTheRowStride(combination: Combination) {
  for pad in [3, 2100] {
    checkGEMM(
      GEMMCase(
        m: 37, n: 70, k: 300, transA: true, beta: 0.7, padA: pad, padB: pad,
        combination: combination, bias: true))
  }
}
