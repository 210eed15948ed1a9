import Foundation

/// One benchmark measurement, the row format every suite writes to JSON (and that the
/// `Benchmarks/compare` scripts write for peers), keyed by kernel ID and shape.
struct BenchRow: Codable {
  var suite: String
  var id: String
  var m: Int
  var n: Int
  var k: Int
  /// GEMM transposes of A and B, `nn`, `nt`, `tn` or `tt`; nil for other suites.
  var trans: String?
  var threads: Int
  var seconds: Double
  var gflops: Double?
  var peak_fraction: Double?
  var cpu: String
  var elements: Int?
  var gbps: Double?
  var stream_fraction: Double?
  /// GEMM cache blocks of the row when `--blocking` compared several; nil otherwise.
  var blocking: String? = nil
  /// The share of the vCPUs' time stolen by the hypervisor while the row was timed
  /// (``RowConditions``); nil where /proc/stat is unreadable.
  var steal_fraction: Double? = nil
  /// The share of the row's parallel regions that ran all their parts on the calling thread
  /// (no worker joined in time); nil when the row ran none.
  var solo_fraction: Double? = nil
  /// The FMA peak read right after the row, as a share of the run's highest reading; nil where
  /// the suite reads none. Far below 1 on several threads, the vCPUs were sharing one core's FMA
  /// units (SMT siblings, or another guest on the sibling), which steal time does not show.
  var fma_rate_fraction: Double? = nil
  /// The L2 read rate measured right after the row (``CacheRate``), as a share of the run's
  /// highest reading; nil where the suite reads none. Below ~0.9 the row's cache-bound work was
  /// slowed by something the FMA rate does not show (another tenant sharing L1 and L2).
  var cache_rate_fraction: Double? = nil
}

enum BenchError: Error, CustomStringConvertible {
  case badArgument(String)
  case unreadable(String, String)

  var description: String {
    switch self {
    case .badArgument(let text): "mantissa-bench: \(text)"
    case .unreadable(let path, let why): "mantissa-bench: cannot read \(path): \(why)"
    }
  }
}

enum Report {
  /// Writes `rows` as a JSON array, atomically (a temporary file renamed over the target).
  static func writeJSON(_ rows: [BenchRow], to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(rows).write(to: URL(fileURLWithPath: path), options: .atomic)
  }

  static func readJSON(_ path: String) throws -> [BenchRow] {
    do {
      let data = try Data(contentsOf: URL(fileURLWithPath: path))
      return try JSONDecoder().decode([BenchRow].self, from: data)
    } catch {
      throw BenchError.unreadable(path, "\(error)")
    }
  }

  /// Left-aligns the first column and right-aligns the others.
  static func table(_ header: [String], _ rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for row in rows {
      for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
    }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { i, cell in
        let pad = String(repeating: " ", count: widths[i] - cell.count)
        return i == 0 ? cell + pad : pad + cell
      }.joined(separator: "  ")
    }
    return
      ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line))
      .joined(separator: "\n")
  }

  static func format(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
}
