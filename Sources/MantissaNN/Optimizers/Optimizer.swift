import MantissaKernels

/// What every optimizer does around its update rule: zeroing gradients, backward through the
/// model with the loss scaled (mixed precision), unscaling and checking the gradients,
/// optional global-norm clipping (after unscaling), the update, and the loss scale's update.
///
/// A training step reads like PyTorch's:
/// ```swift
/// optimizer.zeroGrad()
/// let loss = mse(model(x), y)
/// optimizer.backward(loss)
/// optimizer.step()
/// ```
/// Under ``Precision/fp32`` there is no scaler and the same code runs unscaled.
public class Optimizer {
  public let model: Sequential
  public let parameters: [Parameter]
  public var learningRate: Float
  /// Clip the global L2 norm of all gradients to this value before the update (after
  /// unscaling, as it must be); nil for no clipping.
  public var maxGradientNorm: Float?
  /// The loss scaler, present under mixed precision.
  public let scaler: LossScaler?
  /// Steps applied (skipped steps not counted).
  public private(set) var appliedSteps = 0

  init(_ model: Sequential, learningRate: Float, scaler: LossScaler?) {
    mantissaRequireNN(
      learningRate >= 0, "Optimizer: learningRate = \(learningRate) must be non-negative")
    self.model = model
    parameters = model.parameters
    self.learningRate = learningRate
    self.scaler = scaler ?? (model.precision == .mixedFP16 ? LossScaler() : nil)
  }

  /// Sets every parameter's gradient to zero.
  public func zeroGrad() {
    for p in parameters { p.zeroGradient() }
  }

  /// Backward through the model from `loss`, scaled by the loss scale under mixed precision.
  public func backward(_ loss: LossValue) {
    // The model's input gradient is not needed for training: the first layer skips it.
    _ = model.backward(loss.gradient(scale: scaler?.scale ?? 1), needsInputGradient: false)
  }

  /// Unscales and checks the gradients, clips them if asked, applies the update and refreshes
  /// the Float16 weight copies. A step with a non-finite gradient leaves weights and optimizer
  /// state bit for bit untouched and lowers the loss scale.
  /// - Returns: whether the update was applied.
  @discardableResult
  public func step() -> Bool {
    var finite = true
    let inverse = 1 / (scaler?.scale ?? 1)
    for p in parameters {
      // Unscale every gradient even after a non-finite one: they are zeroed next step anyway,
      // and a partial unscale would leave misleading values for inspection.
      if !unscaleAndCheckFinite(p.gradient.floats, count: p.gradient.count, inverseScale: inverse) {
        finite = false
      }
    }
    scaler?.update(foundNonFinite: !finite)
    if !finite { return false }
    if let maxNorm = maxGradientNorm { clip(to: maxNorm) }
    for (index, p) in parameters.enumerated() { update(p, index: index) }
    appliedSteps += 1
    return true
  }

  /// The global L2 norm of all gradients (Float32 sums of squares, added in parameter order).
  public func gradientNorm() -> Float {
    var total: Float = 0
    for p in parameters { total += sumOfSquares(p.gradient.floats, count: p.gradient.count) }
    return total.squareRoot()
  }

  private func clip(to maxNorm: Float) {
    let norm = gradientNorm()
    if norm > maxNorm {
      let factor = maxNorm / (norm + 1e-6)
      for p in parameters {
        scale(p.gradient.floats, by: factor, into: p.gradient.floats, count: p.gradient.count)
      }
    }
  }

  /// The update rule for one parameter; subclasses write the Float16 copy in the same pass.
  func update(_ parameter: Parameter, index: Int) {
    fatalError("Optimizer.update must be overridden")
  }

  /// For checkpoints: the optimizer's name, its state tensors (nil where not created yet) and
  /// their element counts when created.
  var kind: String { "optimizer" }
  var stateTensors: [Tensor?] { [] }
  var stateShapes: [Int] { [] }

  func restore(appliedSteps: Int, learningRate: Float, tensors: [[Float]?]) {
    self.appliedSteps = appliedSteps
    self.learningRate = learningRate
    restoreState(tensors)
  }

  func restoreState(_ tensors: [[Float]?]) {}
}

/// Copies `values` into `tensor`.
func fill(_ tensor: Tensor, with values: [Float]) {
  values.withUnsafeBufferPointer {
    tensor.floats.update(from: $0.baseAddress!, count: values.count)
  }
}

/// Stochastic gradient descent with PyTorch's `torch.optim.SGD` semantics (momentum,
/// dampening, weight decay, Nesterov), state in Float32.
public final class SGD: Optimizer {
  public var momentum: Float
  public var dampening: Float
  public var weightDecay: Float
  public var nesterov: Bool
  private var momentumBuffers: [Tensor?]

  public init(
    _ model: Sequential, learningRate: Float, momentum: Float = 0, dampening: Float = 0,
    weightDecay: Float = 0, nesterov: Bool = false, scaler: LossScaler? = nil
  ) {
    mantissaRequireNN(
      !nesterov || (momentum > 0 && dampening == 0),
      "SGD: nesterov needs momentum > 0 (momentum = \(momentum)) and dampening = 0 (dampening = \(dampening))"
    )
    self.momentum = momentum
    self.dampening = dampening
    self.weightDecay = weightDecay
    self.nesterov = nesterov
    momentumBuffers = []
    super.init(model, learningRate: learningRate, scaler: scaler)
    momentumBuffers = Array(repeating: nil, count: parameters.count)
  }

  override var kind: String { "sgd" }
  override var stateTensors: [Tensor?] { momentumBuffers }
  override var stateShapes: [Int] { parameters.map(\.value.count) }

  override func restoreState(_ tensors: [[Float]?]) {
    for (i, values) in tensors.enumerated() {
      if let values {
        momentumBuffers[i] = Tensor(zeros: parameters[i].value.shape)
        fill(momentumBuffers[i]!, with: values)
      } else {
        momentumBuffers[i] = nil
      }
    }
  }

  override func update(_ p: Parameter, index: Int) {
    var firstStep = false
    if momentum != 0 && momentumBuffers[index] == nil {
      momentumBuffers[index] = Tensor(zeros: p.value.shape)
      firstStep = true
    }
    sgdUpdate(
      weights: p.value.floats, gradients: p.gradient.floats,
      momentumBuffer: momentumBuffers[index]?.floats, count: p.value.count,
      options: SGDOptions(
        learningRate: learningRate, momentum: momentum, dampening: dampening,
        weightDecay: weightDecay, nesterov: nesterov, firstStep: firstStep),
      halfCopy: p.half?.halves)
  }
}

/// Adam (`decoupledWeightDecay: false`) or AdamW (`true`) with PyTorch's semantics and
/// defaults; moments in Float32.
public final class Adam: Optimizer {
  public var beta1: Float
  public var beta2: Float
  public var epsilon: Float
  public var weightDecay: Float
  public let decoupledWeightDecay: Bool
  private var moments: [(Tensor, Tensor)]

  public init(
    _ model: Sequential, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
    epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false,
    scaler: LossScaler? = nil
  ) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.decoupledWeightDecay = decoupledWeightDecay
    moments = []
    super.init(model, learningRate: learningRate, scaler: scaler)
    moments = parameters.map { (Tensor(zeros: $0.value.shape), Tensor(zeros: $0.value.shape)) }
  }

  override var kind: String { decoupledWeightDecay ? "adamw" : "adam" }
  override var stateTensors: [Tensor?] { moments.flatMap { [$0.0, $0.1] } }
  override var stateShapes: [Int] { parameters.flatMap { [$0.value.count, $0.value.count] } }

  override func restoreState(_ tensors: [[Float]?]) {
    for i in 0..<moments.count {
      if let m = tensors[2 * i] { fill(moments[i].0, with: m) }
      if let v = tensors[2 * i + 1] { fill(moments[i].1, with: v) }
    }
  }

  override func update(_ p: Parameter, index: Int) {
    adamUpdate(
      weights: p.value.floats, gradients: p.gradient.floats, firstMoment: moments[index].0.floats,
      secondMoment: moments[index].1.floats, count: p.value.count,
      options: AdamOptions(
        learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
        weightDecay: weightDecay, decoupledWeightDecay: decoupledWeightDecay,
        step: appliedSteps + 1),
      halfCopy: p.half?.halves)
  }
}
