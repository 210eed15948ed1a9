import Dispatch
import Foundation
@_spi(Benchmarks) import MantissaKernels
import Testing

// The worker pool behind every parallel region (WorkerPool.swift): each index of a region must
// run exactly once, on any number of threads, for thousands of regions in a row (workers
// polling and asleep), and while other threads' calls find the pool busy. An accumulating
// GEMM (beta = 1) on small integers shows both a skipped and a repeated part: every result is
// exact, and running a part twice adds its product twice.

/// `C := A * B + C` for an m x n x k problem of small integers, `regions` times in a row, each
/// checked bitwise against the exact result; returns the number of wrong results.
private func accumulateRepeatedly(
  m: Int, n: Int, k: Int, threads: Int, regions: Int, pauseEvery: Int = 0
) -> Int {
  var a = [Float](repeating: 0, count: m * k)
  var b = [Float](repeating: 0, count: k * n)
  for i in a.indices { a[i] = Float(i % 7 - 3) }
  for i in b.indices { b[i] = Float(i % 5 - 2) }
  var product = [Float](repeating: 0, count: m * n)
  for i in 0..<m {
    for j in 0..<n {
      var sum = 0
      for p in 0..<k { sum += Int(a[i * k + p]) * Int(b[p * n + j]) }
      product[i * n + j] = Float(sum)
    }
  }
  var wrong = 0
  var c = [Float](repeating: 0, count: m * n)
  KernelOverrides.$current.withValue(KernelOverrides(forceParallel: true)) {
    for region in 0..<regions {
      for i in c.indices { c[i] = Float(i % 11) }
      gemm(
        .noTranspose, .noTranspose, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, beta: 1,
        c: &c, ldc: n, threads: threads)
      for i in c.indices where c[i] != product[i] + Float(i % 11) {
        wrong += 1
        break
      }
      // Idle long enough for the workers to stop polling and sleep.
      if pauseEvery > 0 && region % pauseEvery == pauseEvery - 1 { usleep(1_000) }
    }
  }
  return wrong
}

@Test(arguments: [2, 3, 5, 8])
func everyPartRunsOnceInManyRegions(threads: Int) {
  let wrong = accumulateRepeatedly(m: 96, n: 96, k: 24, threads: threads, regions: 1_500)
  #expect(wrong == 0, "f32-gemm-8x32-simd16 96x96x24, \(threads) threads: \(wrong) regions wrong")
}

@Test func regionsAreCounted() {
  // Other tests may run regions at the same time: the counts can only grow by more. Regions
  // that find the pool busy (another test's) run on concurrentPerform and count too.
  let before = ParallelStatistics.snapshot()
  let wrong = accumulateRepeatedly(m: 96, n: 96, k: 24, threads: 2, regions: 50)
  let after = ParallelStatistics.snapshot()
  #expect(wrong == 0)
  #expect(after.regions - before.regions >= 50, "regions: \(before) -> \(after)")
  #expect(
    after.withoutWorkers - before.withoutWorkers <= after.regions - before.regions,
    "regions without workers: \(before) -> \(after)")
}

@Test func regionsAfterTheWorkersSleepStillRunEveryPart() {
  let wrong = accumulateRepeatedly(
    m: 64, n: 128, k: 16, threads: 2, regions: 200, pauseEvery: 3)
  #expect(wrong == 0, "f32-gemm-8x32-simd16 64x128x16, 2 threads: \(wrong) regions wrong")
}

@Test func callsFromManyThreadsShareThePoolSafely() {
  // Most of these find the pool busy and fall back to concurrentPerform.
  let wrongCounts = UnsafeMutablePointer<Int>.allocate(capacity: 6)
  defer { wrongCounts.deallocate() }
  nonisolated(unsafe) let results = wrongCounts
  DispatchQueue.concurrentPerform(iterations: 6) { caller in
    results[caller] = accumulateRepeatedly(
      m: 40 + 8 * caller, n: 72, k: 20, threads: 2 + caller % 3, regions: 300)
  }
  let wrong = (0..<6).map { wrongCounts[$0] }
  #expect(wrong.allSatisfy { $0 == 0 }, "wrong regions per calling thread: \(wrong)")
}
