import Dispatch
import Foundation
import Synchronization

/// How many threads Mantissa's kernels may use.
///
/// A call's `threads` argument wins; otherwise ``MantissaThreads/defaultCount`` if set; otherwise
/// the `MANTISSA_THREADS` environment variable (read once); otherwise every active core.
/// Kernels use fewer threads when the work is too small to pay for a parallel region
/// (``WorkerPool``; Docs/Kernels.md has the thresholds and their measurements).
public enum MantissaThreads {
  private static let setting = Atomic<Int>(0)

  /// The process-wide default thread count; nil (the initial value) defers to
  /// `MANTISSA_THREADS` and then to the number of active cores.
  public static var defaultCount: Int? {
    get {
      let value = setting.load(ordering: .relaxed)
      return value > 0 ? value : nil
    }
    set {
      if let newValue {
        mantissaRequire(
          newValue >= 1, "MantissaThreads.defaultCount = \(newValue) must be at least 1")
      }
      setting.store(newValue ?? 0, ordering: .relaxed)
    }
  }

  static let environmentCount: Int? = {
    guard let text = ProcessInfo.processInfo.environment["MANTISSA_THREADS"] else { return nil }
    guard let value = Int(text), value >= 1 else {
      mantissaArgumentFailure("MANTISSA_THREADS = \"\(text)\" must be a positive integer")
    }
    return value
  }()

  /// The thread count for a call whose `threads` argument is `requested`.
  public static func resolve(_ requested: Int?, function: String = #function) -> Int {
    if let requested {
      mantissaRequire(requested >= 1, "\(function): threads = \(requested) must be at least 1")
      return requested
    }
    return defaultCount ?? environmentCount ?? activeCores
  }

  /// Read once: Foundation answers by reading cgroup files (measured at a third of a small
  /// training step when asked on every call).
  static let activeCores = ProcessInfo.processInfo.activeProcessorCount
}

/// Runs `body(0..<count)` on `count` threads (the caller's among them) and returns when all are
/// done. Callers decide `count` from the work size; a count of 1 runs inline with no thread
/// cost. The ``WorkerPool`` runs it when it is free, else `concurrentPerform`.
func runParallel(_ count: Int, _ body: (Int) -> Void) {
  if count <= 1 {
    body(0)
    return
  }
  if WorkerPool.shared.run(count, body) { return }
  WorkerPool.shared.regions.add(1, ordering: .relaxed)
  withoutActuallyEscaping(body) { body in
    nonisolated(unsafe) let body = body
    DispatchQueue.concurrentPerform(iterations: count) { body($0) }
  }
}
