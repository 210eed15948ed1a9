import Foundation
import MantissaKernels

/// A fully connected layer: `y = x Wᵀ + b` for a batch `x` of shape `[batch, inputs]`, with the
/// weight stored `[outputs, inputs]` as in PyTorch and PyTorch's default initialization
/// (weights and bias uniform in ±1/√inputs).
///
/// Forward is one GEMM with the bias add fused into its store; backward is two GEMMs
/// (`dW += dYᵀ X`, `dX = dY W`) and a column sum (`db += Σ dY`). Under mixed precision the
/// GEMMs read the Float16 weight copy and Float16 activations and accumulate in Float32; the
/// parameter gradients are Float32.
public final class Linear: Layer {
  public let inputs: Int
  public let outputs: Int
  public let weight: Parameter
  public let bias: Parameter?
  public var name: String { "Linear(\(inputs) -> \(outputs))" }
  public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

  private var precision = Precision.fp32
  private var input: Tensor?
  private var output: Tensor?
  private var inputGradient: Tensor?

  /// - Parameter seed: seeds the initialization, so models are reproducible.
  /// - Precondition: `inputs`, `outputs` >= 1.
  public init(_ inputs: Int, _ outputs: Int, bias: Bool = true, seed: UInt64 = 0) {
    mantissaRequireNN(inputs >= 1, "Linear: inputs = \(inputs) must be at least 1")
    mantissaRequireNN(outputs >= 1, "Linear: outputs = \(outputs) must be at least 1")
    self.inputs = inputs
    self.outputs = outputs
    let bound = 1 / Float(inputs).squareRoot()
    weight = Parameter(
      Tensor.randomUniform([outputs, inputs], in: -bound...bound, seed: seed), name: "weight")
    self.bias =
      bias
      ? Parameter(
        Tensor.randomUniform([outputs], in: -bound...bound, seed: seed &+ 0x5EED), name: "bias")
      : nil
  }

  public func setPrecision(_ precision: Precision) {
    self.precision = precision
    for p in parameters { p.prepare(for: precision) }
  }

  public func forward(_ x: Tensor) -> Tensor { forward(x, fusingReLU: false) }

  /// Forward with ReLU applied in the GEMM's store (`y = relu(x Wᵀ + b)`), which
  /// ``Sequential`` uses for a Linear followed by a ReLU: one pass over the activations less.
  func forward(_ x: Tensor, fusingReLU relu: Bool) -> Tensor {
    mantissaRequireNN(
      x.shape.count == 2 && x.columns == inputs,
      "\(name): input shape \(x.shape) must be [batch, \(inputs)]")
    mantissaRequireNN(x.rows >= 1, "\(name): empty batch (input shape \(x.shape))")
    let element = precision.activationElement
    mantissaRequireNN(
      x.element == element,
      "\(name): input is \(x.element) but the layer runs \(precision) (convert the input)")
    input = x
    let y = reuse(&output, shape: [x.rows, outputs], element: element)
    let biasPointer = bias.map { UnsafePointer($0.value.floats) }
    switch precision {
    case .fp32:
      gemm(
        .noTranspose, .transpose, m: x.rows, n: outputs, k: inputs, a: x.floats, lda: inputs,
        b: weight.value.floats, ldb: inputs, c: y.floats, ldc: outputs, bias: biasPointer,
        relu: relu)
    case .mixedFP16:
      gemm(
        .noTranspose, .transpose, m: x.rows, n: outputs, k: inputs, a: x.halves, lda: inputs,
        b: weight.half!.halves, ldb: inputs, c: y.halves, ldc: outputs, bias: biasPointer,
        relu: relu)
    }
    return y
  }

  public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
    backward(dy, needsInputGradient: needsInputGradient, throughReLU: false)
  }

  /// Backward, with `throughReLU` when this layer's input is a ReLU's output: the input
  /// gradient is then masked by that ReLU in the GEMM's store (`dX = (dY W) ⊙ [X > 0]`, the
  /// `reluMask` epilogue), which ``Sequential`` uses instead of the ReLU's own backward pass.
  func backward(_ dy: Tensor, needsInputGradient: Bool, throughReLU: Bool) -> Tensor? {
    guard let x = input else {
      mantissaArgumentFailure("\(name): backward called before forward")
    }
    mantissaRequireNN(
      dy.shape == [x.rows, outputs] && dy.element == x.element,
      "\(name): output gradient \(dy) must be [\(x.rows), \(outputs)] of \(x.element)")
    let batch = x.rows
    let dx = reuse(&inputGradient, shape: [batch, inputs], element: x.element)
    switch precision {
    case .fp32:
      gemm(
        .transpose, .noTranspose, m: outputs, n: inputs, k: batch, a: dy.floats, lda: outputs,
        b: x.floats, ldb: inputs, beta: 1, c: weight.gradient.floats, ldc: inputs)
      if let bias {
        columnSums(
          dy.floats, rows: batch, columns: outputs, ld: outputs, into: bias.gradient.floats,
          accumulate: true)
      }
      if !needsInputGradient { return nil }
      gemm(
        .noTranspose, .noTranspose, m: batch, n: inputs, k: outputs, a: dy.floats, lda: outputs,
        b: weight.value.floats, ldb: inputs, c: dx.floats, ldc: inputs,
        reluMask: throughReLU ? UnsafePointer(x.floats) : nil)
    case .mixedFP16:
      gemm(
        .transpose, .noTranspose, m: outputs, n: inputs, k: batch, a: dy.halves, lda: outputs,
        b: x.halves, ldb: inputs, beta: 1, c: weight.gradient.floats, ldc: inputs)
      if let bias {
        columnSums(
          dy.halves, rows: batch, columns: outputs, ld: outputs, into: bias.gradient.floats,
          accumulate: true)
      }
      if !needsInputGradient { return nil }
      gemm(
        .noTranspose, .noTranspose, m: batch, n: inputs, k: outputs, a: dy.halves, lda: outputs,
        b: weight.half!.halves, ldb: inputs, c: dx.halves, ldc: inputs,
        reluMask: throughReLU ? UnsafePointer(x.halves) : nil)
    }
    return dx
  }
}

extension Linear {
  /// `layer(x)` runs ``forward(_:)``.
  public func callAsFunction(_ x: Tensor) -> Tensor { forward(x) }
}
