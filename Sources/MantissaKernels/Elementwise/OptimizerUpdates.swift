import Foundation

// f32-sgd-simd16, f32-adam-simd16: optimizer updates on Float32 master weights, one fused pass
// over weights, gradients and state, optionally also writing the Float16 working copy.

/// Hyperparameters of ``sgdUpdate(weights:gradients:momentumBuffer:count:options:halfCopy:threads:)``,
/// with PyTorch's `torch.optim.SGD` meanings.
public struct SGDOptions: Sendable {
  public var learningRate: Float
  public var momentum: Float
  public var dampening: Float
  public var weightDecay: Float
  public var nesterov: Bool
  /// True on the first step with momentum: the buffer is set to the gradient, not blended.
  public var firstStep: Bool

  public init(
    learningRate: Float, momentum: Float = 0, dampening: Float = 0, weightDecay: Float = 0,
    nesterov: Bool = false, firstStep: Bool = false
  ) {
    self.learningRate = learningRate
    self.momentum = momentum
    self.dampening = dampening
    self.weightDecay = weightDecay
    self.nesterov = nesterov
    self.firstStep = firstStep
  }
}

/// One SGD step on Float32 master weights (`f32-sgd-simd16`), PyTorch's algorithm:
/// `g = grad + weightDecay * w`; with momentum, `buf = firstStep ? g : momentum * buf +
/// (1 - dampening) * g` and `g = nesterov ? g + momentum * buf : buf`; then `w -= lr * g`.
/// When `halfCopy` is given, the updated weights are also written there as Float16 (the
/// working copy of mixed precision) in the same pass. `momentumBuffer` may be nil only when
/// `momentum == 0`.
/// - Precondition: `count >= 0`; `momentumBuffer != nil` when `momentum != 0`.
public func sgdUpdate(
  weights: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
  momentumBuffer: UnsafeMutablePointer<Float>?, count: Int, options o: SGDOptions,
  halfCopy: UnsafeMutablePointer<Float16>? = nil, threads: Int? = nil
) {
  mantissaRequire(count >= 0, "sgdUpdate: count = \(count) must be non-negative")
  mantissaRequire(
    o.momentum == 0 || momentumBuffer != nil,
    "sgdUpdate: momentumBuffer = nil but momentum = \(o.momentum)")
  forEachChunk(count: count, threads: threads, function: "sgdUpdate") { range in
    @inline(__always)
    func step(_ w: SIMD16<Float>, _ grad: SIMD16<Float>, _ buf: SIMD16<Float>) -> (
      SIMD16<Float>, SIMD16<Float>
    ) {
      var g = o.weightDecay == 0 ? grad : grad.addingProduct(o.weightDecay, w)
      var b = buf
      if o.momentum != 0 {
        b = o.firstStep ? g : (g * (1 - o.dampening)).addingProduct(o.momentum, buf)
        g = o.nesterov ? g.addingProduct(o.momentum, b) : b
      }
      return (w.addingProduct(-o.learningRate, g), b)
    }
    var i = range.lowerBound
    while i + 16 <= range.upperBound {
      let buf = momentumBuffer.map { Float.load16($0 + i) } ?? SIMD16<Float>()
      let (w, b) = step(Float.load16(weights + i), Float.load16(gradients + i), buf)
      Float.store16(w, weights + i)
      if let momentumBuffer { Float.store16(b, momentumBuffer + i) }
      if let halfCopy { Float16.store16(w, halfCopy + i) }
      i += 16
    }
    if i < range.upperBound {
      let n = range.upperBound - i
      let buf = momentumBuffer.map { loadPartial($0 + i, n) } ?? SIMD16<Float>()
      let (w, b) = step(loadPartial(weights + i, n), loadPartial(gradients + i, n), buf)
      for j in 0..<n {
        weights[i + j] = w[j]
        momentumBuffer?[i + j] = b[j]
        halfCopy?[i + j] = Float16(w[j])
      }
    }
  }
}

/// Hyperparameters of ``adamUpdate(weights:gradients:firstMoment:secondMoment:count:options:halfCopy:threads:)``,
/// with PyTorch's `torch.optim.Adam` / `AdamW` meanings.
public struct AdamOptions: Sendable {
  public var learningRate: Float
  public var beta1: Float
  public var beta2: Float
  public var epsilon: Float
  public var weightDecay: Float
  /// AdamW: decay the weights directly (`w -= lr * weightDecay * w`) instead of adding
  /// `weightDecay * w` to the gradient (Adam's L2 penalty).
  public var decoupledWeightDecay: Bool
  /// The 1-based step number, for bias correction.
  public var step: Int

  public init(
    learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
    weightDecay: Float = 0, decoupledWeightDecay: Bool = false, step: Int
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.decoupledWeightDecay = decoupledWeightDecay
    self.step = step
  }
}

/// One Adam or AdamW step on Float32 master weights (`f32-adam-simd16`, `f32-adamw-simd16`):
/// `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g²`,
/// `w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)`, with the weight decay of
/// ``AdamOptions/decoupledWeightDecay``. Bias corrections are computed once in Double.
/// `halfCopy`, when given, receives the updated weights as Float16 in the same pass.
/// - Precondition: `count >= 0`, `options.step >= 1`.
public func adamUpdate(
  weights: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
  firstMoment: UnsafeMutablePointer<Float>, secondMoment: UnsafeMutablePointer<Float>, count: Int,
  options o: AdamOptions, halfCopy: UnsafeMutablePointer<Float16>? = nil, threads: Int? = nil
) {
  mantissaRequire(count >= 0, "adamUpdate: count = \(count) must be non-negative")
  mantissaRequire(o.step >= 1, "adamUpdate: options.step = \(o.step) must be at least 1")
  let correction1 = Float(1 / (1 - pow(Double(o.beta1), Double(o.step))))
  let correction2 = Float(1 / (1 - pow(Double(o.beta2), Double(o.step))))
  forEachChunk(count: count, threads: threads, function: "adamUpdate") { range in
    @inline(__always)
    func step(
      _ w: SIMD16<Float>, _ grad: SIMD16<Float>, _ m: SIMD16<Float>, _ v: SIMD16<Float>
    ) -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
      var w = w
      var g = grad
      if o.weightDecay != 0 {
        if o.decoupledWeightDecay {
          w = w.addingProduct(-o.learningRate * o.weightDecay, w)
        } else {
          g = g.addingProduct(o.weightDecay, w)
        }
      }
      let m1 = (g * (1 - o.beta1)).addingProduct(o.beta1, m)
      let v1 = (g * g * (1 - o.beta2)).addingProduct(o.beta2, v)
      let denominator = squareRoot(v1 * correction2) + o.epsilon
      return (w.addingProduct(-o.learningRate, m1 * correction1 / denominator), m1, v1)
    }
    var i = range.lowerBound
    while i + 16 <= range.upperBound {
      let (w, m, v) = step(
        Float.load16(weights + i), Float.load16(gradients + i), Float.load16(firstMoment + i),
        Float.load16(secondMoment + i))
      Float.store16(w, weights + i)
      Float.store16(m, firstMoment + i)
      Float.store16(v, secondMoment + i)
      if let halfCopy { Float16.store16(w, halfCopy + i) }
      i += 16
    }
    if i < range.upperBound {
      let n = range.upperBound - i
      let (w, m, v) = step(
        loadPartial(weights + i, n), loadPartial(gradients + i, n),
        loadPartial(firstMoment + i, n), loadPartial(secondMoment + i, n))
      for j in 0..<n {
        weights[i + j] = w[j]
        firstMoment[i + j] = m[j]
        secondMoment[i + j] = v[j]
        halfCopy?[i + j] = Float16(w[j])
      }
    }
  }
}
