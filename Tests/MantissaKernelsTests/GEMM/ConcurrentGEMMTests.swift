import Dispatch
import Foundation
import MantissaKernels
import Testing

// Many threads calling gemm at once, more threads than cores so that the scheduler preempts
// calls in the middle: each result must be the bits the same call gives alone. The calls cover
// every kind of scratch a call owns (packed B blocks from the pool, a transposed A's pair pack,
// a Float16 C's Float workspace across K blocks, the narrow path's widened Float16 rows), the
// shared worker pool (2-thread calls) and one prepacked B read by all threads. A pool that
// handed one buffer to two calls at once fails here: every call's inputs differ, so a packed
// block overwritten by another call changes the result. CI also runs it under the thread
// sanitizer.

/// One GEMM with inputs of its own; `run` returns C's bits.
private struct ConcurrentCall: Sendable {
  let name: String
  let run: @Sendable (_ threads: Int) -> [UInt32]
}

/// A call's kernel ID (the build's default kernel) and shape, for failure messages.
private func callName(
  _ a: KernelType, _ b: KernelType, _ c: KernelType, _ m: Int, _ n: Int, _ k: Int,
  _ transposes: String, transA: Bool = false, packedB: Bool = false, bias: Bool = false,
  relu: Bool = false
) -> String {
  let id = gemmKernelID(
    a: a, b: b, c: c, packedB: packedB, bias: bias, relu: relu, m: m, n: n, k: k,
    transA: transA)
  return "\(id) \(m)x\(n)x\(k) \(transposes)"
}

/// Values in [-1, 1) from a seed: every call gets different inputs.
private func inputs(_ count: Int, seed: UInt64) -> [Float] {
  var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
  return (0..<count).map { _ in
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Float(Int64(bitPattern: state >> 11) % 2048) / 1024 - 1
  }
}

private func concurrentCalls() -> [ConcurrentCall] {
  var calls: [ConcurrentCall] = []
  // Float, packed path: 2 threads split it through the worker pool.
  do {
    let (m, n, k) = (256, 256, 256)
    let a = inputs(m * k, seed: 1)
    let b = inputs(k * n, seed: 2)
    calls.append(
      ConcurrentCall(name: callName(.f32, .f32, .f32, m, n, k, "nn")) { threads in
        var c = [Float](repeating: 0, count: m * n)
        gemm(
          .noTranspose, .noTranspose, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c, ldc: n,
          threads: threads)
        return c.map(\.bitPattern)
      })
  }
  // A transposed A (packed in pairs) with a transposed B.
  do {
    let (m, n, k) = (200, 300, 300)
    let a = inputs(k * m, seed: 3)
    let b = inputs(n * k, seed: 4)
    calls.append(
      ConcurrentCall(name: callName(.f32, .f32, .f32, m, n, k, "tt", transA: true)) { threads in
        var c = [Float](repeating: 0, count: m * n)
        gemm(
          .transpose, .transpose, m: m, n: n, k: k, a: a, lda: m, b: b, ldb: k, c: &c, ldc: n,
          threads: threads)
        return c.map(\.bitPattern)
      })
  }
  // Float16 C over three K blocks: accumulated in a Float workspace, rounded at the end.
  do {
    let (m, n, k) = (150, 200, 1100)
    let a = inputs(m * k, seed: 5).map { Float16($0) }
    let b = inputs(k * n, seed: 6).map { Float16($0) }
    let bias = inputs(n, seed: 7)
    calls.append(
      ConcurrentCall(name: callName(.f16, .f16, .f16, m, n, k, "nn", bias: true, relu: true)) {
        threads in
        var c = [Float16](repeating: 0, count: m * n)
        gemm(
          .noTranspose, .noTranspose, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c,
          ldc: n, bias: bias, relu: true, threads: threads)
        return c.map { Float($0).bitPattern }
      })
  }
  // One prepacked Float16 B (a layer's weights, [out, in]) shared by every thread.
  do {
    let (m, n, k) = (128, 256, 300)
    let a = inputs(m * k, seed: 8).map { Float16($0) }
    let weights = inputs(n * k, seed: 9).map { Float16($0) }
    let packed = GEMMPackedB(.transpose, k: k, n: n, b: weights, ldb: k)
    calls.append(
      ConcurrentCall(name: callName(.f16, .f16, .f32, m, n, k, "nt", packedB: true)) { threads in
        var c = [Float](repeating: 0, count: m * n)
        gemm(.noTranspose, m: m, a: a, lda: k, b: packed, c: &c, ldc: n, threads: threads)
        return c.map(\.bitPattern)
      })
  }
  // Narrow C with a Float16 A and B: the path that widens blocks of rows into scratch.
  do {
    let (m, n, k) = (1000, 20, 10)
    let a = inputs(m * k, seed: 10).map { Float16($0) }
    let b = inputs(k * n, seed: 11).map { Float16($0) }
    calls.append(
      ConcurrentCall(name: callName(.f16, .f16, .f32, m, n, k, "nn")) { threads in
        var c = [Float](repeating: 0, count: m * n)
        gemm(
          .noTranspose, .noTranspose, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c,
          ldc: n, threads: threads)
        return c.map(\.bitPattern)
      })
  }
  // A Float A with a transposed Float16 B.
  do {
    let (m, n, k) = (300, 100, 600)
    let a = inputs(m * k, seed: 12)
    let b = inputs(n * k, seed: 13).map { Float16($0) }
    calls.append(
      ConcurrentCall(name: callName(.f32, .f16, .f32, m, n, k, "nt")) { threads in
        var c = [Float](repeating: 0, count: m * n)
        gemm(
          .noTranspose, .transpose, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, c: &c, ldc: n,
          threads: threads)
        return c.map(\.bitPattern)
      })
  }
  return calls
}

@Test func concurrentCallsGiveTheBitsOfSerialOnes() {
  let calls = concurrentCalls()
  let expected = calls.map { $0.run(1) }
  // Threads of their own: Dispatch's concurrentPerform would run no more callers than cores.
  let callers = 8
  let rounds = 6
  // One slot per caller (a Mutex's futex is invisible to the thread sanitizer); read after
  // the group's wait, which orders every caller's writes before it.
  let failures = UnsafeMutableBufferPointer<String?>.allocate(capacity: callers)
  failures.initialize(repeating: nil)
  defer { failures.deallocate() }
  let slots = UncheckedSendable(failures)
  let finished = DispatchGroup()
  for caller in 0..<callers {
    finished.enter()
    let thread = Thread {
      for round in 0..<rounds {
        for step in 0..<calls.count {
          // Each caller walks the calls in its own order, half of them on 2 threads.
          let index = (step + caller + round) % calls.count
          let threads = (caller + step) % 2 + 1
          if slots.value[caller] == nil && calls[index].run(threads) != expected[index] {
            slots.value[caller] =
              "\(calls[index].name) on \(threads == 1 ? "1 thread" : "2 threads"), round \(round)"
          }
        }
      }
      finished.leave()
    }
    thread.start()
  }
  finished.wait()
  let failed = failures.compactMap { $0 }
  #expect(failed.isEmpty, "concurrent calls differ from serial ones: \(failed)")
}

/// Hands a value the test synchronizes itself to another thread.
private struct UncheckedSendable<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
