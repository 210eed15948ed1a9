import Foundation
@_spi(Benchmarks) import MantissaKernels

/// What else happened while a row was timed: the share of the machine's vCPU time that the
/// hypervisor gave to other guests ("steal" in /proc/stat), and the share of the row's parallel
/// regions that ran on the calling thread alone. On these shared VMs a whole row on 2 threads
/// has run at one thread's speed (session 12: 1000^3, 1024^3, 2048^3 and 257^3 in different
/// runs, every type alike, with no steal); such rows are named after the table instead of
/// being read as the code's speed. The GEMM suite also reads the FMA peak right after each
/// shape (``BenchRow/fma_rate_fraction``), which catches the vCPUs sharing one core, and an
/// L2 read rate (``BenchRow/cache_rate_fraction``), which catches cache-bound work slowed by a
/// neighbour while the FMA units are untouched.
struct RowConditions {
  private let startTicks: Int?
  private let start = DispatchTime.now().uptimeNanoseconds
  private let startRegions = ParallelStatistics.snapshot()

  init() { startTicks = Self.stealTicks() }

  /// Stolen time since `init`, as a share of all vCPUs' time; nil where /proc/stat is missing.
  func stealFraction() -> Double? {
    guard let startTicks, let now = Self.stealTicks() else { return nil }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    let cpus = Double(ProcessInfo.processInfo.activeProcessorCount)
    guard seconds > 0, ticksPerSecond > 0 else { return nil }
    return Double(now - startTicks) / (seconds * ticksPerSecond * cpus)
  }

  /// The share of the parallel regions since `init` that no worker joined; nil if none ran.
  func soloFraction() -> Double? {
    let now = ParallelStatistics.snapshot()
    let regions = now.regions - startRegions.regions
    guard regions > 0 else { return nil }
    return Double(now.withoutWorkers - startRegions.withoutWorkers) / Double(regions)
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

  /// Rows that lost at least this share of the vCPUs' time to steal are named.
  static let flaggedSteal = 0.01
  /// Rows on several threads with at least this share of regions run by the caller alone are
  /// named. A region finishes without a worker only when the worker starts later than the
  /// caller's own part takes, which in a row of back-to-back calls should be rare.
  static let flaggedSolo = 0.25

  /// Rows followed by an FMA-peak reading below this share of the run's best are named: on 2
  /// threads of these VMs the reading has dropped to one core's rate for minutes at a time
  /// (session 13, Zen 3: a 2-thread row at 45% of peak with no steal and every region joined).
  static let flaggedFMARate = 0.85

  /// Rows followed by an L2 read-rate reading below this share of the run's best are named
  /// (``CacheRate``; quiet readings were within 1-2% of the best, slowed ones 13-21% below).
  static let flaggedCacheRate = 0.9

  /// A note naming the rows timed under steal or without workers, or nil when there were none.
  static func note(_ rows: [BenchRow]) -> String? {
    var lines: [String] = []
    for row in rows {
      let shape = row.suite == "gemm" ? "\(row.m)x\(row.n)x\(row.k)" : "\(row.elements ?? 0)"
      var why: [String] = []
      if let steal = row.steal_fraction, steal >= flaggedSteal {
        why.append(String(format: "%.0f%% of the vCPUs' time stolen", 100 * steal))
      }
      if row.threads > 1, let solo = row.solo_fraction, solo >= flaggedSolo {
        why.append(String(format: "%.0f%% of its parallel regions without a worker", 100 * solo))
      }
      if let rate = row.fma_rate_fraction, rate < flaggedFMARate {
        why.append(
          String(
            format: "the FMA peak read right after it was %.0f%% of the run's best", 100 * rate))
      }
      if let rate = row.cache_rate_fraction, rate < flaggedCacheRate {
        why.append(
          String(
            format: "the L2 read rate right after it was %.0f%% of the run's best", 100 * rate))
      }
      if !why.isEmpty {
        lines.append("\(row.id) \(shape) on \(row.threads) threads: " + why.joined(separator: ", "))
      }
    }
    guard !lines.isEmpty else { return nil }
    return "Rows timed under other load (read their speeds as lower bounds):\n  "
      + lines.joined(separator: "\n  ")
  }
}
