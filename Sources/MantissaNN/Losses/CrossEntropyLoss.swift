import MantissaKernels

/// Softmax cross-entropy against class indices, PyTorch's `CrossEntropyLoss()` (mean
/// reduction): `loss = mean_r (log Σ_j e^{x_rj} - x_r,label_r)`, computed max-subtracted in
/// Float32 even for Float16 logits.
public final class CrossEntropyLoss {
  private var gradientBuffer: Tensor?
  private var labelBuffer: [Int32] = []

  public init() {}

  /// - Precondition: `logits` is `[rows, classes]` with `rows == labels.count >= 1`; every label
  ///   is in `0..<classes`.
  public func callAsFunction(_ logits: Tensor, _ labels: [Int32]) -> LossValue {
    mantissaRequireNN(
      logits.shape.count == 2 && logits.rows == labels.count && logits.rows >= 1,
      "CrossEntropyLoss: logits \(logits.shape) and \(labels.count) labels do not match")
    labelBuffer = labels
    let (rows, classes) = (logits.rows, logits.columns)
    let value = labelBuffer.withUnsafeBufferPointer { l in
      switch logits.element {
      case .float32:
        softmaxCrossEntropy(
          logits: logits.floats, rows: rows, classes: classes, ld: classes, labels: l.baseAddress!)
      case .float16:
        softmaxCrossEntropy(
          logits: logits.halves, rows: rows, classes: classes, ld: classes, labels: l.baseAddress!)
      }
    }
    return LossValue(value: value) { [self] scale in
      let g = reuse(&gradientBuffer, shape: logits.shape, element: logits.element)
      labelBuffer.withUnsafeBufferPointer { l in
        switch logits.element {
        case .float32:
          _ = softmaxCrossEntropy(
            logits: logits.floats, rows: rows, classes: classes, ld: classes,
            labels: l.baseAddress!, gradient: g.floats, gradientScale: scale)
        case .float16:
          _ = softmaxCrossEntropy(
            logits: logits.halves, rows: rows, classes: classes, ld: classes,
            labels: l.baseAddress!, gradient: g.halves, gradientScale: scale)
        }
      }
      return g
    }
  }
}

/// The fraction of rows of `logits` whose largest value is at the label's index.
public func accuracy(_ logits: Tensor, _ labels: [Int32]) -> Double {
  mantissaRequireNN(
    logits.shape.count == 2 && logits.rows == labels.count,
    "accuracy: logits \(logits.shape) and \(labels.count) labels do not match")
  var predicted = [Int32](repeating: 0, count: labels.count)
  switch logits.element {
  case .float32:
    argmaxRows(
      logits.floats, rows: logits.rows, classes: logits.columns, ld: logits.columns,
      into: &predicted)
  case .float16:
    argmaxRows(
      logits.halves, rows: logits.rows, classes: logits.columns, ld: logits.columns,
      into: &predicted)
  }
  let correct = zip(predicted, labels).filter { $0 == $1 }.count
  return Double(correct) / Double(max(1, labels.count))
}
