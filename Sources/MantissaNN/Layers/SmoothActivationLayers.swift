import MantissaKernels

/// An elementwise activation layer on a MantissaKernels ``Activation``; keeps its input for
/// backward. Use the named subclasses: ``Sigmoid``, ``Tanh``, ``SiLU``, ``GELU``.
public class ActivationLayer: Layer {
  public let kind: Activation
  public var name: String { kind.rawValue }
  public var parameters: [Parameter] { [] }
  private var input: Tensor?
  private var output: Tensor?
  private var inputGradient: Tensor?

  init(_ kind: Activation) { self.kind = kind }

  public func setPrecision(_ precision: Precision) {}

  public func forward(_ x: Tensor) -> Tensor {
    input = x
    let y = reuse(&output, shape: x.shape, element: x.element)
    switch x.element {
    case .float32: activate(kind, x.floats, into: y.floats, count: x.count)
    case .float16: activate(kind, x.halves, into: y.halves, count: x.count)
    }
    return y
  }

  public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard let x = input else { mantissaArgumentFailure("\(name): backward called before forward") }
    mantissaRequireNN(
      dy.shape == x.shape && dy.element == x.element,
      "\(name): output gradient \(dy) does not match the input \(x)")
    if !needsInputGradient { return nil }
    let dx = reuse(&inputGradient, shape: x.shape, element: x.element)
    switch x.element {
    case .float32:
      activationBackward(kind, input: x.floats, gradOut: dy.floats, into: dx.floats, count: x.count)
    case .float16:
      activationBackward(kind, input: x.halves, gradOut: dy.halves, into: dx.halves, count: x.count)
    }
    return dx
  }
}

/// `1 / (1 + e^-x)`.
public final class Sigmoid: ActivationLayer {
  public init() { super.init(.sigmoid) }
}

/// `tanh(x)`.
public final class Tanh: ActivationLayer {
  public init() { super.init(.tanh) }
}

/// `x * sigmoid(x)`.
public final class SiLU: ActivationLayer {
  public init() { super.init(.silu) }
}

/// GELU: `approximate: true` (default, PyTorch's `approximate='tanh'`) or the erf form.
public final class GELU: ActivationLayer {
  public init(approximate: Bool = true) { super.init(approximate ? .geluTanh : .geluErf) }
}
