import Foundation

/// One measured accuracy figure: a kernel ID (or training run), a case, a metric, the value now,
/// and the derived bound it must stay under (or, for `higherIsBetter` metrics, above).
public struct PrecisionMeasurement: Sendable {
  public var id: String
  public var caseName: String
  public var metric: String
  public var value: Double
  public var bound: Double
  /// Accuracy-like metrics (test accuracy) improve upwards; error metrics downwards.
  public var higherIsBetter: Bool
  /// Where the worst error occurred, for the report (not part of the key).
  public var detail: String = ""

  public var key: String { "\(id)\t\(caseName)\t\(metric)" }

  public var withinBound: Bool { higherIsBetter ? value >= bound : value <= bound }

  /// Whether `value` is worse than `baseline` by more than the stated margin: 10% of the
  /// baseline (for error metrics) plus a small absolute slack per metric (ulp metrics 0.25 ulp, ratios 0.05, losses
  /// 1e-4, accuracy 0.5 point). Results are deterministic for a given build, so the margin only
  /// absorbs changes of libm or CPU level, not run-to-run noise.
  public func isWorse(thanBaseline baseline: Double) -> Bool {
    let slack: Double
    switch metric {
    case "max-ulp": slack = 0.25
    case "final-loss": slack = 1e-4
    case "mean-test-accuracy": slack = 0.005
    default: slack = 0.05
    }
    if higherIsBetter { return value < baseline - slack }
    return value > baseline * 1.1 + slack
  }

  /// Better by more than the baseline file's printing precision (9 significant digits).
  public func isBetter(thanBaseline baseline: Double) -> Bool {
    let resolution = 1e-8 * max(abs(baseline), 1e-30)
    return higherIsBetter ? value > baseline + resolution : value < baseline - resolution
  }
}

/// The checked-in baseline: `Tests/PrecisionTests/precision-baseline.tsv`, one row per kernel
/// ID x case x metric: `id<TAB>case<TAB>metric<TAB>value`, `#` comments. Format and policy:
/// Docs/Precision.md.
public enum PrecisionBaseline {
  public static let path = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Tests/PrecisionTests/precision-baseline.tsv").path

  public enum ReadError: Error, CustomStringConvertible {
    case unreadable(String)
    case malformed(line: Int, text: String)
    public var description: String {
      switch self {
      case .unreadable(let path): "cannot read the precision baseline \(path)"
      case .malformed(let line, let text): "precision baseline line \(line) is malformed: \(text)"
      }
    }
  }

  public static func read(from path: String = path) throws -> [String: Double] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw ReadError.unreadable(path)
    }
    var rows: [String: Double] = [:]
    for (i, line) in text.split(separator: "\n").enumerated() where !line.hasPrefix("#") {
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard fields.count == 4, let value = Double(fields[3]) else {
        throw ReadError.malformed(line: i + 1, text: String(line))
      }
      rows["\(fields[0])\t\(fields[1])\t\(fields[2])"] = value
    }
    return rows
  }

  /// Writes `measurements` as the new baseline, atomically.
  public static func write(_ measurements: [PrecisionMeasurement], to path: String = path) throws {
    var text = """
      # Mantissa precision baseline: id, case, metric, value (tab-separated).
      # Written by `swift run -c release mantissa-bench precision --update-baseline`; change it
      # only in a commit that says why (Docs/Precision.md).

      """
    for m in measurements {
      text += "\(m.key)\t\(String(format: "%.9g", m.value))\n"
    }
    try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
  }
}
