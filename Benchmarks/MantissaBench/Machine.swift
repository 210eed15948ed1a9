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

  /// The pages a benchmark's matrices are on (`--pages`).
  enum Pages: String {
    /// As numpy allocates: huge pages asked for arrays of 4 MiB or more.
    case numpy
    /// 4 KiB pages only, as a Swift Array or `malloc` gets under the default `madvise` setting
    /// of transparent huge pages.
    case small
    /// Every matrix 2 MiB-aligned and asked onto huge pages.
    case huge
  }

  nonisolated(unsafe) static var pages = Pages.numpy

  /// Memory for a benchmark's matrices, by default allocated the way numpy allocates arrays on
  /// Linux, so that our rows and `Benchmarks/compare/gemm_numpy.py`'s OpenBLAS rows run on the
  /// same kind of pages: numpy asks the kernel for transparent huge pages
  /// (`madvise(MADV_HUGEPAGE)` on the page-aligned part) for every array of 4 MiB or more.
  /// Measured on the reference Xeon: 2048^3 f32 ran 3-5% faster on such matrices (TLB misses
  /// on C and while packing A); on Zen 4, 1000^3 (3.8 MiB arrays, so 4 KiB pages) ran 1.6-3.1
  /// points of peak faster with `--pages huge` (session 19). Freed with `deallocate()` (`free`
  /// on Linux, which also frees `posix_memalign`'s memory).
  static func allocateMatrix<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
    #if os(Linux)
      if pages == .huge {
        let hugePage = 2 << 20
        let bytes = (max(1, count * MemoryLayout<T>.stride) + hugePage - 1) / hugePage * hugePage
        var base: UnsafeMutableRawPointer? = nil
        guard posix_memalign(&base, hugePage, bytes) == 0, let base else {
          fatalError("mantissa-bench: cannot allocate \(bytes) bytes on huge pages")
        }
        _ = madvise(base, bytes, MADV_HUGEPAGE)
        return base.bindMemory(to: T.self, capacity: count)
      }
    #endif
    let p = UnsafeMutablePointer<T>.allocate(capacity: count)
    #if os(Linux)
      let bytes = count * MemoryLayout<T>.stride
      if pages == .numpy && bytes >= 4 << 20 {
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
