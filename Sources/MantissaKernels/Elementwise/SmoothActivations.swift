// f32-vsigmoid-simd16, f32-vtanh-simd16, f32-vsilu-simd16, f32-vgelu-tanh-simd16,
// f32-vgelu-erf-simd16 (and f16- for Float16 storage), with their -backward- kernels. All are
// built on the vector exp (f32-vexp-simd16); measured errors are in Docs/Kernels.md and checked
// by Tests/MantissaKernelsTests/Elementwise/SmoothActivationTests.swift.

/// The smooth activation functions.
public enum Activation: String, CaseIterable, Sendable {
  /// `1 / (1 + e^-x)`.
  case sigmoid
  /// `tanh(x)`.
  case tanh
  /// `x * sigmoid(x)` (SiLU, swish).
  case silu
  /// GELU, tanh approximation: `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`.
  case geluTanh
  /// GELU, exact form: `0.5 x (1 + erf(x / √2))`, with erf to about 1.5e-7 absolute.
  case geluErf

  /// The kernel ID stem, e.g. `vgelu-tanh`.
  public var idStem: String {
    switch self {
    case .sigmoid: "vsigmoid"
    case .tanh: "vtanh"
    case .silu: "vsilu"
    case .geluTanh: "vgelu-tanh"
    case .geluErf: "vgelu-erf"
    }
  }
}

// The vector functions below are transparent: as `@inline(__always)`, tanh, erf and
// activationDerivative stayed out-of-line calls, one per 16 values, with their vectors passed
// through memory (65536 values, Zen 4, 1 thread: f32-vgelu-tanh 75 -> 52 us, f32-vgelu-erf 64 ->
// 43, f32-vgelu-tanh-backward 83 -> 60; the same bits).
@_transparent
func sigmoid(_ x: SIMD16<Float>) -> SIMD16<Float> {
  // e^-x overflows to +inf for x < -88.7, giving 1 / inf = 0: the right limit.
  1 / (1 + exp(-x))
}

@_transparent
func tanh(_ x: SIMD16<Float>) -> SIMD16<Float> {
  let magnitude = x.replacing(with: -x, where: x .< 0)
  // |x| >= 0.4: 1 - 2 / (e^{2|x|} + 1); below, the odd Taylor series to x^15 (truncation
  // below 1e-10 relative), which avoids the cancellation of e^{2|x|} - 1 near zero (a 0.2
  // threshold with terms to x^9 measured 4.8 ulp just above it).
  let large = 1 - 2 / (exp(2 * magnitude) + 1)
  let x2 = x * x
  var p = SIMD16<Float>(repeating: -929_569.0 / 638_512_896)  // 638,512,875 rounded to Float
  p = SIMD16<Float>(repeating: 21844.0 / 6_081_075).addingProduct(p, x2)
  p = SIMD16<Float>(repeating: -1382.0 / 155_925).addingProduct(p, x2)
  p = SIMD16<Float>(repeating: 62.0 / 2835).addingProduct(p, x2)
  p = SIMD16<Float>(repeating: -17.0 / 315).addingProduct(p, x2)
  p = SIMD16<Float>(repeating: 2.0 / 15).addingProduct(p, x2)
  p = SIMD16<Float>(repeating: -1.0 / 3).addingProduct(p, x2)
  let small = x.addingProduct(x * x2, p)
  let signed = large.replacing(with: -large, where: x .< 0)
  return signed.replacing(with: small, where: magnitude .< 0.4)
}

/// erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), odd-extended.
@_transparent
func erf(_ x: SIMD16<Float>) -> SIMD16<Float> {
  let a = x.replacing(with: -x, where: x .< 0)
  let t = 1 / SIMD16<Float>(repeating: 1).addingProduct(0.327_591_1, a)
  var p = SIMD16<Float>(repeating: 1.061_405_429)
  p = SIMD16<Float>(repeating: -1.453_152_027).addingProduct(p, t)
  p = SIMD16<Float>(repeating: 1.421_413_741).addingProduct(p, t)
  p = SIMD16<Float>(repeating: -0.284_496_736).addingProduct(p, t)
  p = SIMD16<Float>(repeating: 0.254_829_592).addingProduct(p, t)
  let y = 1 - p * t * exp(-a * a)
  return y.replacing(with: -y, where: x .< 0)
}

@usableFromInline let sqrt2OverPi: Float = 0.797_884_560_802_865_4
@usableFromInline let inverseSqrt2: Float = 0.707_106_781_186_547_5
@usableFromInline let inverseSqrt2Pi: Float = 0.398_942_280_401_432_7

@_transparent
func activationForward(_ kind: Activation, _ x: SIMD16<Float>) -> SIMD16<Float> {
  switch kind {
  case .sigmoid: return sigmoid(x)
  case .tanh: return tanh(x)
  case .silu: return x * sigmoid(x)
  case .geluTanh:
    let inner = sqrt2OverPi * x.addingProduct(0.044_715 * x * x, x)
    return 0.5 * x * (1 + tanh(inner))
  case .geluErf: return 0.5 * x * (1 + erf(x * inverseSqrt2))
  }
}

/// d activation / dx at the forward input `x`.
@_transparent
func activationDerivative(_ kind: Activation, _ x: SIMD16<Float>) -> SIMD16<Float> {
  switch kind {
  case .sigmoid:
    let s = sigmoid(x)
    return s * (1 - s)
  case .tanh:
    let t = tanh(x)
    return 1 - t * t
  case .silu:
    let s = sigmoid(x)
    return s * (1 + x * (1 - s))
  case .geluTanh:
    let x2 = x * x
    let t = tanh(sqrt2OverPi * x.addingProduct(0.044_715 * x2, x))
    let dInner = sqrt2OverPi * SIMD16<Float>(repeating: 1).addingProduct(3 * 0.044_715, x2)
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dInner
  case .geluErf:
    return 0.5 * (1 + erf(x * inverseSqrt2)) + x * inverseSqrt2Pi * exp(-0.5 * x * x)
  }
}

/// `out[i] = f(x[i])` for the activation `kind` (`f32-vsigmoid-simd16`, `f16-vtanh-simd16`, ...:
/// `<type>-<kind.idStem>-simd16`), computed in Float. `out` may be `x`. NaN propagates.
/// - Precondition: `count >= 0`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func activate<T: VectorElement>(
  _ kind: Activation, _ x: UnsafePointer<T>, into out: UnsafeMutablePointer<T>, count: Int,
  threads: Int? = nil
) {
  mantissaRequire(count >= 0, "activate(\(kind)): count = \(count) must be non-negative")
  forEachChunk(count: count, threads: threads, function: "activate") { range in
    @inline(__always)
    func run(_ kind: Activation) {
      var i = range.lowerBound
      while i + 16 <= range.upperBound {
        T.store16(activationForward(kind, T.load16(x + i)), out + i)
        i += 16
      }
      if i < range.upperBound {
        let v = activationForward(kind, loadPartial(x + i, range.upperBound - i))
        for j in 0..<(range.upperBound - i) { T.store1(v[j], out + i + j) }
      }
    }
    // One loop per kind, so the switch is outside the loop.
    switch kind {
    case .sigmoid: run(.sigmoid)
    case .tanh: run(.tanh)
    case .silu: run(.silu)
    case .geluTanh: run(.geluTanh)
    case .geluErf: run(.geluErf)
    }
  }
}

/// `gradIn[i] = gradOut[i] * f'(x[i])` at the forward input `x` (`f32-vsigmoid-backward-simd16`,
/// ...). `gradIn` may be `gradOut`.
/// - Precondition: `count >= 0`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func activationBackward<T: VectorElement>(
  _ kind: Activation, input x: UnsafePointer<T>, gradOut: UnsafePointer<T>,
  into gradIn: UnsafeMutablePointer<T>, count: Int, threads: Int? = nil
) {
  mantissaRequire(count >= 0, "activationBackward(\(kind)): count = \(count) must be non-negative")
  forEachChunk(count: count, threads: threads, function: "activationBackward") { range in
    @inline(__always)
    func run(_ kind: Activation) {
      var i = range.lowerBound
      while i + 16 <= range.upperBound {
        T.store16(T.load16(gradOut + i) * activationDerivative(kind, T.load16(x + i)), gradIn + i)
        i += 16
      }
      if i < range.upperBound {
        let n = range.upperBound - i
        let v = loadPartial(gradOut + i, n) * activationDerivative(kind, loadPartial(x + i, n))
        for j in 0..<n { T.store1(v[j], gradIn + i + j) }
      }
    }
    switch kind {
    case .sigmoid: run(.sigmoid)
    case .tanh: run(.tanh)
    case .silu: run(.silu)
    case .geluTanh: run(.geluTanh)
    case .geluErf: run(.geluErf)
    }
  }
}
