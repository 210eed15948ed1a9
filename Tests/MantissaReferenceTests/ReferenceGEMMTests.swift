import MantissaReference
import Testing

@Test func referenceGEMMMatchesAHandComputedProduct() {
  // [1 2; 3 4] * [5 6; 7 8] = [19 22; 43 50]; then 2 * that + 1 * C + bias, ReLU.
  let r = Reference.gemm(
    transA: false, transB: false, m: 2, n: 2, k: 2, alpha: 2, a: [1, 2, 3, 4], lda: 2,
    b: [5, 6, 7, 8], ldb: 2, beta: 1, c: [1, -200, 0, 0], ldc: 2, bias: [0, 1], relu: true)
  #expect(r.value == [39, 0, 86, 101])
  #expect(r.magnitude == [39, 245, 86, 101])
}

@Test func referenceGEMMTransposesReadTheOtherLayout() {
  // A stored 2x1 used as Aᵀ (1x2); B stored 1x2 used as Bᵀ (2x1): result 1x1 = 1*3 + 2*4.
  let r = Reference.gemm(
    transA: true, transB: true, m: 1, n: 1, k: 2, alpha: 1, a: [1, 2], lda: 1, b: [3, 4], ldb: 2,
    beta: 0, c: [.nan], ldc: 1)
  #expect(r.value == [11])
}

@Test func seededGeneratorRepeatsAndStaysInRange() {
  var g1 = SeededGenerator(seed: 7)
  var g2 = SeededGenerator(seed: 7)
  let xs = (0..<1000).map { _ in g1.uniform(-1, 1) }
  let ys = (0..<1000).map { _ in g2.uniform(-1, 1) }
  #expect(xs == ys)
  #expect(xs.allSatisfy { $0 >= -1 && $0 < 1 })
  #expect(Set(xs).count > 990)
}
