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
  static func bestTime(minimumTime: Double = 0.25, minimumRuns: Int = 3, _ body: () -> Void)
    -> Double
  {
    body()
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
}
