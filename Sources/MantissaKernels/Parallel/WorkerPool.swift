import CMantissaCPU
import Dispatch
import Foundation
import Synchronization

/// The threads behind ``runParallel(_:_:)``: workers that stay awake for a while after each
/// parallel region, so that the next region starts without a thread wake-up.
///
/// `DispatchQueue.concurrentPerform` wakes a sleeping worker for every region; on the project's
/// machines that costs 15-40 us a region, and a late worker leaves the caller waiting, so a
/// split paid only from about 180^3 (Docs/Performance.md, session 11). Here a worker polls for
/// new work for ``spinNanoseconds`` after its last region (OpenMP and OpenBLAS do the same)
/// and then sleeps on a semaphore; a region that finds it polling starts it at once.
///
/// One region runs at a time. A call that finds the pool busy (another thread's region, or a
/// region started from inside a region) runs on `concurrentPerform` as before. Which thread
/// runs which index never changes a result: the callers' splits depend on the problem alone.
final class WorkerPool: @unchecked Sendable {
  static let shared = WorkerPool()

  /// How long an idle worker polls before it sleeps: long enough to span the serial work
  /// between the parallel GEMMs of a training step, short enough that an idle process stops
  /// using the other cores at once.
  static let spinNanoseconds: UInt64 = 100_000

  /// The current region's generation, index count and next unclaimed index, in one word so
  /// that a worker claims an index of the region it saw and never one of a later region:
  /// bits 32... the generation, 16..<32 the count, 0..<16 the next index.
  private let claims = Atomic<Int>(0)
  /// Indices of the current region that have finished.
  private let finished = Atomic<Int>(0)
  /// The current region's body (a `RegionBody` on the caller's stack), valid while its
  /// generation has unfinished indices.
  private let body = Atomic<UnsafeMutableRawPointer?>(nil)
  /// Set while a caller owns the pool.
  private let busy = Atomic<Bool>(false)
  /// Workers asleep (or about to be) on ``wake``.
  private let sleepers = Atomic<Int>(0)
  private let wake = DispatchSemaphore(value: 0)
  /// Started workers; changed only by the pool's owner.
  private var workers = 0
  /// Parallel regions run (here, or on `concurrentPerform` when the pool was busy), and
  /// regions here whose every index the caller ran itself because no worker claimed one in
  /// time (``ParallelStatistics``).
  let regions = Atomic<Int>(0)
  let regionsWithoutWorkers = Atomic<Int>(0)

  private struct RegionBody {
    var run: (Int) -> Void
  }

  private static let indexBits = 16
  private static let maximumCount = (1 << indexBits) - 1
  /// Generations wrap at 31 bits, so that the claim word stays positive.
  private static let generationMask = (1 << 31) - 1

  /// Runs `body(0..<count)` on the caller and up to `count - 1` workers; returns when all are
  /// done. False (nothing run) when the pool is busy or `count` is beyond its index field.
  func run(_ count: Int, _ body: (Int) -> Void) -> Bool {
    guard count <= Self.maximumCount,
      busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    else { return false }
    defer { busy.store(false, ordering: .releasing) }
    while workers < count - 1 {
      startWorker()
    }
    withoutActuallyEscaping(body) { body in
      var region = RegionBody(run: body)
      withUnsafeMutablePointer(to: &region) { regionPointer in
        let generation = ((claims.load(ordering: .relaxed) >> 32) + 1) & Self.generationMask
        finished.store(0, ordering: .relaxed)
        self.body.store(UnsafeMutableRawPointer(regionPointer), ordering: .relaxed)
        // Publishes the body and the reset count with the claim word (release), then wakes
        // sleepers; a worker going to sleep checks the word after announcing itself, so one
        // of the two always sees the other (both sequentially consistent).
        claims.store(
          (generation << 32) | (count << Self.indexBits), ordering: .sequentiallyConsistent)
        // Wake only as many as the polling workers leave short: a signal costs the caller a
        // system call.
        let asleep = sleepers.load(ordering: .sequentiallyConsistent)
        let awake = workers - asleep
        for _ in 0..<min(asleep, max(0, count - 1 - awake)) { wake.signal() }
        var ranByCaller = 0
        while let index = claim(generation: generation) {
          regionPointer.pointee.run(index)
          finished.add(1, ordering: .releasing)
          ranByCaller += 1
        }
        regions.add(1, ordering: .relaxed)
        if ranByCaller == count { regionsWithoutWorkers.add(1, ordering: .relaxed) }
        var polls = 0
        while finished.load(ordering: .acquiring) < count {
          mantissa_spin_pause()
          polls += 1
          // A worker descheduled mid-index: let it have this core.
          if polls > 100_000 { sched_yield() }
        }
      }
    }
    return true
  }

  /// The next unclaimed index of region `generation`, or nil when it has none left (or has
  /// been replaced by a later region).
  @inline(__always)
  private func claim(generation: Int) -> Int? {
    var word = claims.load(ordering: .acquiring)
    while true {
      let index = word & Self.maximumCount
      let count = (word >> Self.indexBits) & Self.maximumCount
      guard word >> 32 == generation, index < count else { return nil }
      let (exchanged, current) = claims.compareExchange(
        expected: word, desired: word + 1, ordering: .acquiringAndReleasing)
      if exchanged { return index }
      word = current
    }
  }

  private func startWorker() {
    workers += 1
    // Workers beyond one per other core never poll: a call that asks for more threads than
    // cores would otherwise leave them all spinning on cores the caller needs.
    let polls = workers < MantissaThreads.activeCores
    let thread = Thread { [self] in workerLoop(polls: polls) }
    thread.name = "mantissa-worker-\(workers)"
    thread.start()
  }

  private func workerLoop(polls: Bool) {
    var seen = claims.load(ordering: .acquiring) >> 32
    while true {
      let generation = waitForRegion(after: seen, polls: polls)
      seen = generation
      while let index = claim(generation: generation) {
        // A successful claim proves the region is still running (its caller waits for this
        // index), so its body pointer is still valid.
        let region = body.load(ordering: .acquiring)!.assumingMemoryBound(to: RegionBody.self)
        region.pointee.run(index)
        finished.add(1, ordering: .releasing)
      }
    }
  }

  /// Polls for a generation other than `seen` for ``spinNanoseconds`` (if `polls`), then sleeps
  /// until woken.
  private func waitForRegion(after seen: Int, polls: Bool) -> Int {
    while true {
      let start = DispatchTime.now().uptimeNanoseconds
      while polls {
        for _ in 0..<64 {
          let generation = claims.load(ordering: .acquiring) >> 32
          if generation != seen { return generation }
          mantissa_spin_pause()
        }
        if DispatchTime.now().uptimeNanoseconds - start > Self.spinNanoseconds { break }
      }
      sleepers.add(1, ordering: .sequentiallyConsistent)
      if claims.load(ordering: .sequentiallyConsistent) >> 32 == seen { wake.wait() }
      sleepers.subtract(1, ordering: .sequentiallyConsistent)
    }
  }
}

/// Counts of the worker pool's parallel regions, for benchmarks that must tell a slow machine
/// from a region that ran on one thread: session 12 saw whole benchmark rows on 2 threads run
/// at one thread's speed with no hypervisor steal.
@_spi(Benchmarks)
public enum ParallelStatistics {
  /// Parallel regions run so far (on the pool, or on `concurrentPerform` when it was busy),
  /// and those whose every part the calling thread ran because no pool worker claimed one
  /// before it finished its own.
  public static func snapshot() -> (regions: Int, withoutWorkers: Int) {
    (
      WorkerPool.shared.regions.load(ordering: .relaxed),
      WorkerPool.shared.regionsWithoutWorkers.load(ordering: .relaxed)
    )
  }
}
