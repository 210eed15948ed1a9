/// A trainable tensor: the Float32 master value, its Float32 gradient, and under mixed
/// precision a Float16 working copy that forward and backward read.
public final class Parameter {
  /// A name for messages and checkpoints, e.g. `fc1.weight`.
  public var name: String
  /// The master value (Float32).
  public let value: Tensor
  /// The gradient (Float32), accumulated by backward until ``zeroGradient()``.
  public let gradient: Tensor
  /// The Float16 working copy under ``Precision/mixedFP16``, nil under `fp32`.
  public private(set) var half: Tensor?

  public init(_ value: Tensor, name: String) {
    mantissaRequireNN(value.element == .float32, "Parameter \(name): master value must be Float32")
    self.name = name
    self.value = value
    gradient = Tensor(zeros: value.shape)
  }

  public func zeroGradient() { gradient.zero() }

  /// Creates or drops the Float16 copy for `precision`, and refreshes it from the master value.
  func prepare(for precision: Precision) {
    switch precision {
    case .fp32: half = nil
    case .mixedFP16:
      if half == nil { half = Tensor(zeros: value.shape, element: .float16) }
      half!.copyConverting(from: value)
    }
  }
}
