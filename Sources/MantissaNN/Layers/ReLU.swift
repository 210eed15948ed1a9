import MantissaKernels

/// `max(x, 0)` elementwise (NaN passes through); `LeakyReLU` when `negativeSlope != 0`.
/// Backward uses the cached output (same sign as the input), so the input need not be kept.
public final class ReLU: Layer {
  public let negativeSlope: Float
  public var name: String { negativeSlope == 0 ? "ReLU" : "LeakyReLU(\(negativeSlope))" }
  public var parameters: [Parameter] { [] }
  private var output: Tensor?
  private var inputGradient: Tensor?

  public init(negativeSlope: Float = 0) { self.negativeSlope = negativeSlope }

  public func setPrecision(_ precision: Precision) {}

  /// Takes an output the previous layer already passed through ReLU (a fused Linear + ReLU),
  /// keeping it for backward.
  func adoptFusedOutput(_ y: Tensor) -> Tensor {
    output = y
    return y
  }

  public func forward(_ x: Tensor) -> Tensor {
    let y = reuse(&output, shape: x.shape, element: x.element)
    switch x.element {
    case .float32: leakyReLU(x.floats, into: y.floats, count: x.count, negativeSlope: negativeSlope)
    case .float16: leakyReLU(x.halves, into: y.halves, count: x.count, negativeSlope: negativeSlope)
    }
    return y
  }

  public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard let y = output else { mantissaArgumentFailure("\(name): backward called before forward") }
    mantissaRequireNN(
      dy.shape == y.shape && dy.element == y.element,
      "\(name): output gradient \(dy) does not match the output \(y)")
    let dx = reuse(&inputGradient, shape: y.shape, element: y.element)
    switch y.element {
    case .float32:
      leakyReLUBackward(
        y.floats, gradOut: dy.floats, into: dx.floats, count: y.count, negativeSlope: negativeSlope)
    case .float16:
      leakyReLUBackward(
        y.halves, gradOut: dy.halves, into: dx.halves, count: y.count, negativeSlope: negativeSlope)
    }
    return dx
  }
}
