import Foundation

/// The share of the machine's vCPU time that the hypervisor gave to other guests ("steal" in
/// /proc/stat) over a stretch of the run. On these shared VMs a burst of steal can take a core
/// away for seconds: session 12 saw every 2-thread row at 1000^3 and 1024^3 run at the speed of
/// one thread, each type alike, and nothing in the code explained it. Rows timed under steal are
/// flagged instead of being read as the code's speed.
struct StealMeter {
  private let startTicks: Int?
  private let start = DispatchTime.now().uptimeNanoseconds

  init() { startTicks = Self.stealTicks() }

  /// Stolen time since `init`, as a share of all vCPUs' time; nil where /proc/stat is missing.
  func fraction() -> Double? {
    guard let startTicks, let now = Self.stealTicks() else { return nil }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    let cpus = Double(ProcessInfo.processInfo.activeProcessorCount)
    guard seconds > 0, ticksPerSecond > 0 else { return nil }
    return Double(now - startTicks) / (seconds * ticksPerSecond * cpus)
  }

  /// The summed steal ticks of all vCPUs: the eighth number of /proc/stat's `cpu` line.
  private static func stealTicks() -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
      let line = text.split(separator: "\n").first, line.hasPrefix("cpu ")
    else { return nil }
    let fields = line.split(separator: " ").dropFirst()
    guard fields.count >= 8 else { return nil }
    return Int(fields[fields.startIndex + 7])
  }

  /// Rows whose stretch lost at least this share to steal are flagged.
  static let flagged = 0.01

  /// A note naming the rows timed under steal, or nil when there were none.
  static func note(_ rows: [BenchRow]) -> String? {
    let stolen = rows.filter { ($0.steal_fraction ?? 0) >= flagged }
    guard !stolen.isEmpty else { return nil }
    let names = stolen.map { row in
      let shape = row.suite == "gemm" ? "\(row.m)x\(row.n)x\(row.k)" : "\(row.elements ?? 0)"
      let share = String(format: "%.0f%%", 100 * row.steal_fraction!)
      return "\(row.id) \(shape) on \(row.threads) thread(s) (\(share))"
    }
    return "steal: the hypervisor gave this share of the vCPUs' time to other guests while"
      + " these rows ran; read their speeds as lower bounds:\n  " + names.joined(separator: "\n  ")
  }
}
