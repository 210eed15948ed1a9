import Foundation
import MantissaKernels
import MantissaReference
import Testing

func referenceActivation(_ kind: Activation, _ x: Double) -> Double {
  Reference.activation(kind.rawValue, x)
}

func referenceDerivative(_ kind: Activation, _ x: Double) -> Double {
  let h = 1e-5
  return (referenceActivation(kind, x + h) - referenceActivation(kind, x - h)) / (2 * h)
}

/// Error bounds, in Float ulps of the result plus an absolute floor, set just above what was
/// measured (printed by the test; Docs/Kernels.md records the figures).
let activationBounds: [Activation: (ulps: Double, absolute: Double)] = [
  .sigmoid: (3, 1e-9), .tanh: (3, 1e-9), .silu: (3, 1e-9), .geluTanh: (2, 1e-7),
  .geluErf: (1, 4e-7),
]

@Test(arguments: Activation.allCases)
func smoothActivationsWithinMeasuredBounds(kind: Activation) {
  let xs: [Float] =
    stride(from: Float(-12), through: 12, by: 0.0007).map { $0 } + [0, -0.0, 1e-6, -1e-6, 80, -80]
  var out = [Float](repeating: 0, count: xs.count)
  activate(kind, xs, into: &out, count: xs.count)
  let bound = activationBounds[kind]!
  var worst = 0.0
  var worstAt: Float = 0
  for (i, x) in xs.enumerated() {
    let want = referenceActivation(kind, Double(x))
    let error = abs(Double(out[i]) - want)
    let ulps = max(0, error - bound.absolute) / Double(Float(want).ulp)
    if ulps > worst {
      worst = ulps
      worstAt = x
    }
  }
  print(
    "f32-\(kind.idStem)-simd16: max \(worst) ulp beyond \(bound.absolute) absolute, at x = \(worstAt)"
  )
  #expect(worst <= bound.ulps, "f32-\(kind.idStem)-simd16: \(worst) ulp at x = \(worstAt)")
  var nanOut: [Float] = [0]
  activate(kind, [Float.nan], into: &nanOut, count: 1)
  #expect(nanOut[0].isNaN, "f32-\(kind.idStem)-simd16 must propagate NaN")
}

@Test(arguments: Activation.allCases)
func smoothActivationDerivativesMatchCentralDifferences(kind: Activation) {
  let xs: [Float] = stride(from: Float(-8), through: 8, by: 0.013).map { $0 }
  let g = randomFloats(xs.count, seed: 50)
  var out = [Float](repeating: 0, count: xs.count)
  withBothThreadCounts { threads in
    activationBackward(kind, input: xs, gradOut: g, into: &out, count: xs.count, threads: threads)
    for (i, x) in xs.enumerated() {
      let want = Double(g[i]) * referenceDerivative(kind, Double(x))
      #expect(
        abs(Double(out[i]) - want) <= 2e-6 * max(1, abs(Double(g[i]))),
        "f32-\(kind.idStem)-backward-simd16 at x = \(x)")
    }
  }
}

@Test func float16ActivationsRoundOnce() {
  let xs = randomHalves(200, seed: 51)
  var out = [Float16](repeating: 0, count: 200)
  activate(.silu, xs, into: &out, count: 200)
  for i in 0..<200 {
    #expect(
      half16ULPs(out[i], referenceActivation(.silu, Double(xs[i]))) <= 1, "f16-vsilu-simd16 at \(i)"
    )
  }
}
