import MantissaKernels

/// The value of a loss and the way to get its gradient with respect to the prediction,
/// scaled for mixed precision. Pass it to ``Optimizer/backward(_:)``.
public struct LossValue {
  /// The loss (Float32, unscaled).
  public let value: Float
  let makeGradient: (_ scale: Float) -> Tensor

  init(value: Float, gradient: @escaping (_ scale: Float) -> Tensor) {
    self.value = value
    makeGradient = gradient
  }

  /// `scale * d(loss)/d(prediction)`, in the prediction's storage type, in a buffer the loss
  /// owns (overwritten by the loss's next call).
  public func gradient(scale: Float = 1) -> Tensor { makeGradient(scale) }
}

/// Mean squared error over all elements, PyTorch's `MSELoss()` (mean reduction):
/// `loss = mean((prediction - target)²)`, accumulated in Float32 even for Float16 predictions.
public final class MSELoss {
  private var gradientBuffer: Tensor?

  public init() {}

  /// - Precondition: `prediction` and `target` have the same shape and at least one element;
  ///   `target` is Float32.
  public func callAsFunction(_ prediction: Tensor, _ target: Tensor) -> LossValue {
    mantissaRequireNN(
      prediction.shape == target.shape,
      "MSELoss: prediction shape \(prediction.shape) differs from target shape \(target.shape)")
    mantissaRequireNN(prediction.count >= 1, "MSELoss: empty prediction \(prediction)")
    mantissaRequireNN(target.element == .float32, "MSELoss: target must be Float32, not \(target)")
    let value: Float
    switch prediction.element {
    case .float32:
      value = mseLoss(prediction: prediction.floats, target: target.floats, count: target.count)
    case .float16:
      value = mseLoss(prediction: prediction.halves, target: target.floats, count: target.count)
    }
    return LossValue(value: value) { [self] scale in
      let g = reuse(&gradientBuffer, shape: prediction.shape, element: prediction.element)
      switch prediction.element {
      case .float32:
        _ = mseLoss(
          prediction: prediction.floats, target: target.floats, count: target.count,
          gradient: g.floats, gradientScale: scale)
      case .float16:
        _ = mseLoss(
          prediction: prediction.halves, target: target.floats, count: target.count,
          gradient: g.halves, gradientScale: scale)
      }
      return g
    }
  }
}
