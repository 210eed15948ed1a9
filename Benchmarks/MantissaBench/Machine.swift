import Foundation
import MantissaKernels

/// The CPU model and family as /proc/cpuinfo reports them, printed beside every figure because
/// machines of this kind change generation between sessions.
enum Machine {
  static let cpu: String = {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
      return "unknown CPU"
    }
    func field(_ name: String) -> String? {
      for line in text.split(separator: "\n") where line.hasPrefix(name) {
        if let colon = line.firstIndex(of: ":") {
          return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
      }
      return nil
    }
    let model = field("model name") ?? "unknown CPU"
    let family = field("cpu family").map { " (family \($0))" } ?? ""
    return model + family
  }()

  /// The best of several timed runs of `body`, in seconds, after one warm-up run; repeats until
  /// `minimumTime` has been spent so short kernels are timed over many calls.
  static func bestTime(
    minimumTime: Double = 0.25, minimumRuns: Int = 3, warmUp: Bool = true, _ body: () -> Void
  ) -> Double {
    if warmUp { body() }
    var best = Double.infinity
    var spent = 0.0
    var runs = 0
    while runs < minimumRuns || spent < minimumTime {
      let start = DispatchTime.now().uptimeNanoseconds
      body()
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
      best = min(best, seconds)
      spent += seconds
      runs += 1
      if runs >= 10_000 { break }
    }
    return best
  }

  /// ``bestTime(minimumTime:minimumRuns:_:)`` for several bodies, timed in turns (`rounds`
  /// rounds of `minimumTime / rounds` each), so that a burst of load from another tenant slows
  /// every body alike instead of the one that happened to run during it.
  static func interleavedBestTimes(
    minimumTime: Double, rounds: Int = 5, _ bodies: [() -> Void]
  ) -> [Double] {
    var best = [Double](repeating: .infinity, count: bodies.count)
    for body in bodies { body() }
    for round in 0..<rounds {
      for (i, body) in bodies.enumerated() {
        let seconds = bestTime(
          minimumTime: minimumTime / Double(rounds), minimumRuns: round == 0 ? 2 : 1,
          warmUp: false, body)
        best[i] = min(best[i], seconds)
      }
    }
    return best
  }

  /// Memory for a benchmark's matrices, allocated the way numpy allocates arrays on Linux, so
  /// that our rows and `Benchmarks/compare/gemm_numpy.py`'s OpenBLAS rows run on the same kind
  /// of pages: numpy asks the kernel for transparent huge pages (`madvise(MADV_HUGEPAGE)` on the
  /// page-aligned part) for every array of 4 MiB or more. Measured on the reference Xeon:
  /// 2048^3 f32 ran 3-5% faster on such matrices (TLB misses on C and while packing A).
  static func allocateMatrix<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
    let p = UnsafeMutablePointer<T>.allocate(capacity: count)
    #if os(Linux)
      let bytes = count * MemoryLayout<T>.stride
      if bytes >= 4 << 20 {
        let page = 4096
        let start = Int(bitPattern: p)
        let offset = (page - start % page) % page
        _ = madvise(
          UnsafeMutableRawPointer(bitPattern: start + offset), bytes - offset, MADV_HUGEPAGE)
      }
    #endif
    return p
  }
}
