import Foundation

/// What can go wrong reading a CSV data set; every case names the place.
public enum CSVDatasetError: Error, Equatable, CustomStringConvertible {
  case unreadable(path: String, reason: String)
  case empty(path: String)
  /// A row with a different number of fields than the first data row.
  case raggedRow(line: Int, expected: Int, found: Int)
  /// A field that is not a number (or, in the label column, not a non-negative integer).
  case nonNumeric(line: Int, column: Int, text: String)
  case labelColumnOutOfRange(column: Int, columns: Int)

  public var description: String {
    switch self {
    case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
    case .empty(let path): "\(path) has no data rows"
    case .raggedRow(let line, let expected, let found):
      "line \(line) has \(found) fields, expected \(expected)"
    case .nonNumeric(let line, let column, let text):
      "line \(line), column \(column): \"\(text)\" is not a number"
    case .labelColumnOutOfRange(let column, let columns):
      "label column \(column) is outside the \(columns) columns"
    }
  }
}

/// A classification data set: a Float32 feature matrix `[samples, features]` and integer
/// class labels, read from CSV.
public struct CSVDataset {
  public var features: Tensor
  public var labels: [Int32]
  public var samples: Int { labels.count }
  public var featureCount: Int { features.columns }

  public init(features: Tensor, labels: [Int32]) {
    mantissaRequireNN(
      features.shape.count == 2 && features.rows == labels.count,
      "CSVDataset: features \(features.shape) and \(labels.count) labels do not match")
    self.features = features
    self.labels = labels
  }

  /// Reads numeric CSV: one sample per line, comma-separated; the label column (default the
  /// last; negative counts from the end) holds non-negative integers; the other columns become
  /// features. A first line with any non-numeric field is taken as a header when `hasHeader` is
  /// nil. Empty lines are skipped.
  /// - Throws: ``CSVDatasetError`` naming the line and column of the first problem.
  public static func load(
    contentsOf url: URL, labelColumn: Int = -1, hasHeader: Bool? = nil
  ) throws -> CSVDataset {
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw CSVDatasetError.unreadable(path: url.path, reason: "\(error.localizedDescription)")
    }
    return try parse(text, path: url.path, labelColumn: labelColumn, hasHeader: hasHeader)
  }

  /// ``load(contentsOf:labelColumn:hasHeader:)`` on text already in memory.
  public static func parse(
    _ text: String, path: String = "<text>", labelColumn: Int = -1, hasHeader: Bool? = nil
  ) throws -> CSVDataset {
    var features: [Float] = []
    var labels: [Int32] = []
    var width: Int?
    var label = 0
    // Split on Character.isNewline: "\r\n" is one Character in Swift, so splitting on "\n"
    // would leave Windows lines joined.
    for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
      .enumerated()
    {
      if line.allSatisfy({ $0 == " " }) { continue }
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      let lineNumber = index + 1
      if width == nil {
        let numeric = fields.allSatisfy { Float($0) != nil }
        if hasHeader ?? !numeric {
          width = fields.count
          label = labelColumn < 0 ? fields.count + labelColumn : labelColumn
          guard label >= 0 && label < fields.count else {
            throw CSVDatasetError.labelColumnOutOfRange(column: labelColumn, columns: fields.count)
          }
          continue
        }
        width = fields.count
        label = labelColumn < 0 ? fields.count + labelColumn : labelColumn
        guard label >= 0 && label < fields.count else {
          throw CSVDatasetError.labelColumnOutOfRange(column: labelColumn, columns: fields.count)
        }
      }
      guard fields.count == width else {
        throw CSVDatasetError.raggedRow(line: lineNumber, expected: width!, found: fields.count)
      }
      for (column, field) in fields.enumerated() {
        if column == label {
          guard let value = Int32(field), value >= 0 else {
            throw CSVDatasetError.nonNumeric(line: lineNumber, column: column + 1, text: field)
          }
          labels.append(value)
        } else {
          guard let value = Float(field), value.isFinite else {
            throw CSVDatasetError.nonNumeric(line: lineNumber, column: column + 1, text: field)
          }
          features.append(value)
        }
      }
    }
    guard let width, !labels.isEmpty else { throw CSVDatasetError.empty(path: path) }
    return CSVDataset(
      features: Tensor(features, shape: [labels.count, width - 1]), labels: labels)
  }

  /// The samples at `indices`, in that order.
  public func subset(_ indices: [Int]) -> CSVDataset {
    let d = featureCount
    let out = Tensor(zeros: [indices.count, d])
    for (row, i) in indices.enumerated() {
      mantissaRequireNN(
        i >= 0 && i < samples, "CSVDataset.subset: index \(i) outside 0..<\(samples)")
      (out.floats + row * d).update(from: features.floats + i * d, count: d)
    }
    return CSVDataset(features: out, labels: indices.map { labels[$0] })
  }

  /// A seeded shuffle split into training and test sets (`testFraction` of the samples, rounded
  /// down, go to test).
  public func split(testFraction: Double, seed: UInt64) -> (train: CSVDataset, test: CSVDataset) {
    mantissaRequireNN(
      testFraction >= 0 && testFraction < 1,
      "CSVDataset.split: testFraction = \(testFraction) must be in [0, 1)")
    var generator = MantissaRandom(seed: seed)
    let order = (0..<samples).shuffled(using: &generator)
    let testCount = Int(Double(samples) * testFraction)
    return (subset(Array(order[testCount...])), subset(Array(order[..<testCount])))
  }

  /// Mini-batches of at most `size` samples in a seeded random order (a new order per `seed`,
  /// e.g. per epoch); the last batch may be smaller.
  public func batches(size: Int, seed: UInt64) -> [CSVDataset] {
    mantissaRequireNN(size >= 1, "CSVDataset.batches: size = \(size) must be at least 1")
    var generator = MantissaRandom(seed: seed)
    let order = (0..<samples).shuffled(using: &generator)
    return stride(from: 0, to: samples, by: size).map {
      subset(Array(order[$0..<min(samples, $0 + size)]))
    }
  }

  /// Multiplies every feature by `factor` (e.g. 1/16 for the digits' 0...16 pixels).
  public func scaled(by factor: Float) -> CSVDataset {
    let out = features.copy()
    for i in 0..<out.count { out.floats[i] *= factor }
    return CSVDataset(features: out, labels: labels)
  }
}
