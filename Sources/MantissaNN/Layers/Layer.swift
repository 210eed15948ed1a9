/// A layer with an explicit forward and backward pass (there is no autodiff engine).
///
/// `forward` caches what `backward` needs; `backward` takes the gradient of the loss with
/// respect to the layer's output, adds the gradients of its parameters into
/// ``Parameter/gradient`` and returns the gradient with respect to its input. Tensors returned
/// by a layer are owned by it and overwritten by its next call.
public protocol Layer: AnyObject {
  /// A short description for messages, e.g. `Linear(10 -> 20)`.
  var name: String { get }
  var parameters: [Parameter] { get }
  /// Switches storage types (``Precision``); called by ``Sequential``.
  func setPrecision(_ precision: Precision)
  func forward(_ input: Tensor) -> Tensor
  /// Backward; when `needsInputGradient` is false (the first layer of a model) the layer may
  /// skip computing the input gradient and return nil.
  func backward(_ gradientOfOutput: Tensor, needsInputGradient: Bool) -> Tensor?
}

extension Layer {
  /// Backward, returning the gradient with respect to the input.
  public func backward(_ gradientOfOutput: Tensor) -> Tensor {
    backward(gradientOfOutput, needsInputGradient: true)!
  }
}

/// Reuses `cached` when it has `shape` and `element`, else makes a new zero tensor: layers keep
/// their activations from step to step without allocating.
func reuse(_ cached: inout Tensor?, shape: [Int], element: Tensor.Element) -> Tensor {
  if let t = cached, t.shape == shape, t.element == element { return t }
  let t = Tensor(zeros: shape, element: element)
  cached = t
  return t
}
