import Foundation
import MantissaKernels
import Testing

// Bad arguments stop the program with a message naming the argument and its value. These run
// in a child process (exit tests) and read what it printed.

/// Checks that a child process that stopped printed `expected` (exit-test bodies cannot capture
/// values, so each test spells its call inline).
func expectMessage(
  _ result: ExitTest.Result?, _ expected: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let text = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
  #expect(
    text.contains(expected), "expected \"\(expected)\" in: \(text)", sourceLocation: sourceLocation)
}

func callGEMM(
  m: Int = 4, n: Int = 4, k: Int = 4, transA: Transpose = .noTranspose,
  transB: Transpose = .noTranspose, lda: Int = 4, ldb: Int = 4, ldc: Int = 4, threads: Int? = nil
) {
  let buffer = [Float](repeating: 1, count: 64)
  var c = [Float](repeating: 0, count: 64)
  gemm(
    transA, transB, m: m, n: n, k: k, a: buffer, lda: lda, b: buffer, ldb: ldb, c: &c, ldc: ldc,
    threads: threads)
}

@Test func negativeSizesAreNamed() async {
  expectMessage(
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      callGEMM(m: -1)
    },
    "gemm: m = -1 must be non-negative")
  expectMessage(
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      callGEMM(n: -2)
    },
    "gemm: n = -2 must be non-negative")
  expectMessage(
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      callGEMM(k: -3)
    },
    "gemm: k = -3 must be non-negative")
}

@Test func shortLeadingDimensionsAreNamed() async {
  expectMessage(
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      callGEMM(lda: 3)
    },
    "gemm: lda = 3 must be >= max(1, k) = 4")
  expectMessage(
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      callGEMM(m: 3, transA: .transpose, lda: 2)
    },
    "gemm: lda = 2 must be >= max(1, m) = 3")
  expectMessage(
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      callGEMM(ldb: 3)
    },
    "gemm: ldb = 3 must be >= max(1, n) = 4")
  expectMessage(
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      callGEMM(transB: .transpose, ldb: 3)
    },
    "gemm: ldb = 3 must be >= max(1, k) = 4")
  expectMessage(
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      callGEMM(ldc: 0)
    },
    "gemm: ldc = 0 must be >= max(1, n) = 4")
}

@Test func badThreadCountIsNamed() async {
  expectMessage(
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      callGEMM(threads: 0)
    },
    "gemm: threads = 0 must be at least 1")
}

@Test func packedBChecksItsArguments() async {
  expectMessage(
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let b = [Float](repeating: 0, count: 4)
      _ = GEMMPackedB(.noTranspose, k: -1, n: 2, b: b, ldb: 2)
    },
    "GEMMPackedB: k = -1 must be non-negative")
  expectMessage(
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let b = [Float](repeating: 0, count: 4)
      _ = GEMMPackedB(.transpose, k: 2, n: 2, b: b, ldb: 1)
    },
    "GEMMPackedB: ldb = 1 must be >= max(1, k) = 2")
}
