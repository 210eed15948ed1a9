import Foundation
import MantissaKernels

/// A GEMM shape as `--shapes` takes it: `N` (N x N x N) or `MxNxK`, optionally with `:nt`-style
/// transposes of A and B (default `nn`), or the name of a list in Benchmarks/Shapes.
struct GEMMShape: CustomStringConvertible {
  var m: Int
  var n: Int
  var k: Int
  var transA = Transpose.noTranspose
  var transB = Transpose.noTranspose

  /// `nn`, `nt`, `tn` or `tt`.
  var transposes: String {
    (transA == .noTranspose ? "n" : "t") + (transB == .noTranspose ? "n" : "t")
  }

  var description: String {
    "\(m)x\(n)x\(k)" + (transposes == "nn" ? "" : ":\(transposes)")
  }

  static func parse(_ text: String) throws -> GEMMShape {
    let parts = text.split(separator: ":")
    let dims = parts[0].split(separator: "x").compactMap { Int($0) }
    var shape: GEMMShape
    switch dims.count {
    case 1 where parts[0].split(separator: "x").count == 1:
      shape = GEMMShape(m: dims[0], n: dims[0], k: dims[0])
    case 3 where parts[0].split(separator: "x").count == 3:
      shape = GEMMShape(m: dims[0], n: dims[1], k: dims[2])
    default:
      throw BenchError.badArgument("shape \"\(text)\" is not N or MxNxK")
    }
    if parts.count == 2 {
      let t = Array(parts[1])
      guard t.count == 2, t.allSatisfy({ $0 == "n" || $0 == "t" }) else {
        throw BenchError.badArgument("shape \"\(text)\": transposes must be nn, nt, tn or tt")
      }
      shape.transA = t[0] == "t" ? .transpose : .noTranspose
      shape.transB = t[1] == "t" ? .transpose : .noTranspose
    }
    guard shape.m > 0, shape.n > 0, shape.k > 0 else {
      throw BenchError.badArgument("shape \"\(text)\" must have positive sizes")
    }
    return shape
  }

  /// A comma-separated list of shapes or named lists (files in Benchmarks/Shapes, one shape a
  /// line, `#` comments).
  static func parseList(_ text: String) throws -> [GEMMShape] {
    var shapes: [GEMMShape] = []
    for item in text.split(separator: ",").map(String.init) {
      if item.first?.isLetter == true {
        let path = shapesDirectory + "/" + item + ".txt"
        guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
          throw BenchError.badArgument("no shape list named \"\(item)\" (looked for \(path))")
        }
        for line in contents.split(separator: "\n") {
          let entry = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .trimmingCharacters(in: .whitespaces)
          if !entry.isEmpty { shapes.append(try parse(entry)) }
        }
      } else {
        shapes.append(try parse(item))
      }
    }
    return shapes
  }

  static let shapesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Shapes").path
}
