/// How a model computes.
///
/// - `fp32`: everything in Float32.
/// - `mixedFP16`: mixed precision after Micikevicius et al. (2018) and Apex O2. Master weights,
///   gradients and optimizer state stay Float32; each layer keeps a Float16 working copy of its
///   weights, refreshed in the optimizer's pass; activations and the gradients flowing between
///   layers are Float16; every GEMM reads Float16 and accumulates in Float32; losses and
///   reductions run in Float32. The loss is scaled before backward (``LossScaler``) so small
///   gradients survive Float16, and unscaled before the update. See
///   Docs/MixedPrecisionTraining.md.
public enum Precision: Sendable, Equatable {
  case fp32
  case mixedFP16

  /// The storage type of activations and of the weights' working copies.
  public var activationElement: Tensor.Element { self == .fp32 ? .float32 : .float16 }
}
