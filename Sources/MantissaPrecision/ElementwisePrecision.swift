import Foundation
import MantissaKernels
import MantissaReference

/// Elementwise accuracy: max error in ulps of the result type and where it occurs, over every
/// finite Float16 input for Float16 kernels, and over a dense sample plus special values for
/// Float32 ones. Bounds: 0 for exact kernels (ReLU, conversions), 1 Float16 ulp beyond the
/// Float32 kernel's absolute floor for Float16 transcendental kernels (0.5 for the final
/// rounding plus the Float32 error, far smaller), and
/// the documented measured bounds for Float32 transcendental kernels (Docs/Kernels.md).
public enum ElementwisePrecision {
  static let float32Bounds: [Activation: Double] = [
    .sigmoid: 3, .tanh: 3, .silu: 3, .geluTanh: 2, .geluErf: 1,
  ]
  /// Absolute error allowed before counting ulps (functions whose result passes through zero).
  static let absoluteFloor: [Activation: Double] = [
    .sigmoid: 1e-9, .tanh: 1e-9, .silu: 1e-9, .geluTanh: 1e-7, .geluErf: 4e-7,
  ]

  public static func measure(denseStep: Float) -> [PrecisionMeasurement] {
    var rows: [PrecisionMeasurement] = []
    let halves = (0...UInt16.max).map { Float16(bitPattern: $0) }.filter(\.isFinite)

    // Exact kernels over all Float16 values.
    var widened = [Float](repeating: 0, count: halves.count)
    convert(halves, to: &widened, count: halves.count)
    let convertErrors = zip(halves, widened).filter { Float($0) != $1 }.count
    rows.append(exact("f16-f32-vcvt-simd16", "all-finite-f16", Double(convertErrors)))
    var relu = [Float16](repeating: 0, count: halves.count)
    leakyReLU(halves, into: &relu, count: halves.count)
    let reluErrors = zip(halves, relu).filter { ($0 < 0 ? 0 : $0) != $1 }.count
    rows.append(exact("f16-vrelu-simd32", "all-finite-f16", Double(reluErrors)))
    // f32 -> f16 against integer round-to-nearest-even on all Float16 values and the midpoints.
    var probes: [Float] = []
    for bits in UInt16(0)..<0x7BFF {
      let here = Float(Float16(bitPattern: bits))
      let next = Float(Float16(bitPattern: bits + 1))
      let mid = here + (next - here) / 2
      probes += [here, mid, mid.nextUp, mid.nextDown, -mid]
    }
    var narrowed = [Float16](repeating: 0, count: probes.count)
    convert(probes, to: &narrowed, count: probes.count)
    let narrowErrors = zip(probes, narrowed).filter {
      Reference.float16Bits(nearest: $0) != $1.bitPattern
    }.count
    rows.append(exact("f32-f16-vcvt-simd16", "f16-values-and-midpoints", Double(narrowErrors)))

    // Float16 transcendental kernels over every finite Float16 input.
    for kind in Activation.allCases {
      var out = [Float16](repeating: 0, count: halves.count)
      activate(kind, halves, into: &out, count: halves.count)
      var worst = 0.0
      var worstAt: Float16 = 0
      let floor = absoluteFloor[kind]!
      for (x, y) in zip(halves, out) {
        let want = Reference.activation(kind.rawValue, Double(x))
        let ulp = Double(Float16(Float(abs(want))).ulp)
        // The Float32 kernel's absolute error floor carries over: it matters only where the
        // result is a Float16 subnormal (GELU far left).
        let error =
          max(0, abs(Double(y) - want) - floor) / max(ulp, Double(Float16.leastNonzeroMagnitude))
        if error > worst {
          worst = error
          worstAt = x
        }
      }
      rows.append(
        PrecisionMeasurement(
          id: "f16-\(kind.idStem)-simd16", caseName: "all-finite-f16", metric: "max-ulp",
          value: worst, bound: 1, higherIsBetter: false,
          detail: "x = \(worstAt), beyond \(floor) absolute"))
    }

    // Float32 transcendental kernels on a dense sample.
    let xs = stride(from: Float(-12), through: 12, by: denseStep).map { $0 }
    for kind in Activation.allCases {
      var out = [Float](repeating: 0, count: xs.count)
      activate(kind, xs, into: &out, count: xs.count)
      let floor = absoluteFloor[kind]!
      var worst = 0.0
      var worstAt: Float = 0
      for (x, y) in zip(xs, out) {
        let want = Reference.activation(kind.rawValue, Double(x))
        let error = max(0, abs(Double(y) - want) - floor) / Double(Float(want).ulp)
        if error > worst {
          worst = error
          worstAt = x
        }
      }
      rows.append(
        PrecisionMeasurement(
          id: "f32-\(kind.idStem)-simd16", caseName: "dense-[-12,12]-step-\(denseStep)",
          metric: "max-ulp", value: worst, bound: float32Bounds[kind]!, higherIsBetter: false,
          detail: "x = \(worstAt), beyond \(floor) absolute"))
    }
    let expXs = stride(from: Float(-87.3), through: 88.7, by: denseStep).map { $0 }
    var expOut = [Float](repeating: 0, count: expXs.count)
    vectorExp(expXs, into: &expOut, count: expXs.count)
    var expWorst = 0.0
    for (x, y) in zip(expXs, expOut) {
      let want = Foundation.exp(Double(x))
      expWorst = max(expWorst, abs(Double(y) - want) / Double(Float(want).ulp))
    }
    rows.append(
      PrecisionMeasurement(
        id: "f32-vexp-simd16", caseName: "dense-[-87.3,88.7]-step-\(denseStep)", metric: "max-ulp",
        value: expWorst, bound: 2, higherIsBetter: false))
    return rows
  }

  static func exact(_ id: String, _ caseName: String, _ mismatches: Double) -> PrecisionMeasurement
  {
    PrecisionMeasurement(
      id: id, caseName: caseName, metric: "mismatches", value: mismatches, bound: 0,
      higherIsBetter: false)
  }
}
