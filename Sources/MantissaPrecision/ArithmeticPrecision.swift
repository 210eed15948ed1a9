import Foundation
import MantissaKernels
import MantissaReference

/// Accuracy of the arithmetic, reduction and row kernels: Float32 arithmetic must be correctly
/// rounded (0 mismatches against the Double result rounded once); Float16 arithmetic computes
/// in Float32 and rounds once (bound 0.5 Float16 ulp plus 2^-12 for the rare double rounding of
/// an inexact Float32 result); reductions and softmax against their derived bounds.
public enum ArithmeticPrecision {
  public static func measure(count: Int) -> [PrecisionMeasurement] {
    var rows: [PrecisionMeasurement] = []
    var g = SeededGenerator(seed: 2024)
    // Float32 pairs over many binades.
    let a = (0..<count).map { _ in Float(wide(&g)) }
    let b = (0..<count).map { _ in Float(wide(&g)) }
    var out = [Float](repeating: 0, count: count)
    add(a, b, into: &out, count: count)
    rows.append(
      mismatches(
        "f32-vadd-simd16",
        zip(zip(a, b), out).filter { Float(Double($0.0) + Double($0.1)) != $1 }.count))
    subtract(a, b, into: &out, count: count)
    rows.append(
      mismatches(
        "f32-vsub-simd16",
        zip(zip(a, b), out).filter { Float(Double($0.0) - Double($0.1)) != $1 }.count))
    multiply(a, b, into: &out, count: count)
    rows.append(
      mismatches(
        "f32-vmul-simd16",
        zip(zip(a, b), out).filter { Float(Double($0.0) * Double($0.1)) != $1 }.count))
    out = b
    axpy(alpha: 0.7, x: a, y: &out, count: count)
    rows.append(
      mismatches(
        "f32-vaxpy-simd16",
        zip(zip(a, b), out).filter { Float(Double($0.1) + Double(Float(0.7)) * Double($0.0)) != $1 }
          .count))

    // Float16: every finite value against a shuffled partner.
    let halves = (0...UInt16.max).map { Float16(bitPattern: $0) }.filter(\.isFinite)
    let partners = halves.shuffled(using: &g)
    var h = [Float16](repeating: 0, count: halves.count)
    func worstULP(_ want: (Int) -> Double) -> Double {
      var worst = 0.0
      for i in 0..<halves.count {
        let w = want(i)
        if abs(w) > 65504 { continue }  // overflow to infinity is the right answer there
        let ulp = Double(Float16(Float(abs(w))).ulp)
        worst = max(worst, abs(Double(h[i]) - w) / max(ulp, Double(Float16.leastNonzeroMagnitude)))
      }
      return worst
    }
    add(halves, partners, into: &h, count: halves.count)
    rows.append(ulpRow("f16-vadd-simd16", worstULP { Double(halves[$0]) + Double(partners[$0]) }))
    multiply(halves, partners, into: &h, count: halves.count)
    rows.append(ulpRow("f16-vmul-simd16", worstULP { Double(halves[$0]) * Double(partners[$0]) }))
    scale(halves, by: 0.3, into: &h, count: halves.count)
    rows.append(ulpRow("f16-vscale-simd16", worstULP { Double(halves[$0]) * Double(Float(0.3)) }))

    // Reductions: the blocked-sum bound in units of u32 * sum |x|.
    let x = (0..<count).map { _ in Float(g.uniform(-1, 1)) }
    let exact = x.reduce(0.0) { $0 + Double($1) }
    let magnitude = x.reduce(0.0) { $0 + abs(Double($1)) }
    let s = sum(x, count: count)
    rows.append(
      PrecisionMeasurement(
        id: "f32-rsum-simd16", caseName: "uniform-\(count)", metric: "error-over-u32-sum-abs",
        value: abs(Double(s) - exact) / (0x1p-24 * magnitude),
        bound: Double(2 * (4 + 256 + count / 16384 + 2)), higherIsBetter: false))

    // Softmax: relative error over (8 + |x - max|) * 2^-23, bound 1 (Docs/Precision.md).
    let columns = 37
    let softRows = max(1, count / 1000)
    let logits = (0..<(softRows * columns)).map { _ in Float(g.uniform(-30, 30)) }
    var p = [Float](repeating: 0, count: logits.count)
    softmax(logits, rows: softRows, columns: columns, ld: columns, into: &p, ldOut: columns)
    var worst = 0.0
    for r in 0..<softRows {
      let row = (0..<columns).map { Double(logits[r * columns + $0]) }
      let m = row.max()!
      let total = row.reduce(0) { $0 + Foundation.exp($1 - m) }
      for j in 0..<columns {
        let want = Foundation.exp(row[j] - m) / total
        let allowed = (8 + abs(row[j] - m)) * 0x1p-23 * want
        worst = max(worst, abs(Double(p[r * columns + j]) - want) / max(allowed, 1e-45))
      }
    }
    rows.append(
      PrecisionMeasurement(
        id: "f32-softmax-simd16", caseName: "uniform-[-30,30]-\(softRows)x\(columns)",
        metric: "error-over-derived", value: worst, bound: 1, higherIsBetter: false))
    return rows
  }

  static func wide(_ g: inout SeededGenerator) -> Double {
    let m = Double(sign: .plus, exponent: g.integer(-20...20), significand: g.uniform(1, 2))
    return g.uniform(0, 1) < 0.5 ? -m : m
  }

  static func mismatches(_ id: String, _ count: Int) -> PrecisionMeasurement {
    PrecisionMeasurement(
      id: id, caseName: "wide-pairs", metric: "mismatches", value: Double(count), bound: 0,
      higherIsBetter: false)
  }

  static func ulpRow(_ id: String, _ worst: Double) -> PrecisionMeasurement {
    PrecisionMeasurement(
      id: id, caseName: "all-finite-f16-pairs", metric: "max-ulp", value: worst,
      bound: 0.5 + 0x1p-12, higherIsBetter: false)
  }
}
