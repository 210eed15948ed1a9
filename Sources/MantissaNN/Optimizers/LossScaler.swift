/// Dynamic loss scaling with the semantics and defaults of PyTorch's `torch.amp.GradScaler`:
/// the loss gradient is multiplied by ``scale`` before backward so that small Float16 gradients
/// do not flush to zero; gradients are unscaled before the update; a step whose gradients hold
/// inf or NaN is skipped and the scale halves; after ``growthInterval`` clean steps in a row
/// it doubles. Unlike PyTorch, the scale is clamped to `minimumScale...maximumScale`.
public final class LossScaler {
  public private(set) var scale: Float
  public let growthFactor: Float
  public let backoffFactor: Float
  public let growthInterval: Int
  public let minimumScale: Float
  public let maximumScale: Float
  /// Clean steps since the last growth or backoff.
  public private(set) var growthTracker = 0
  /// Steps skipped because a gradient was not finite.
  public private(set) var skippedSteps = 0
  /// Scale changes as (step index, new scale), for the summary `mantissa-train` prints.
  public private(set) var history: [(step: Int, scale: Float)] = []
  private var steps = 0

  /// - Precondition: `0 < minimumScale <= initialScale <= maximumScale`, `growthFactor > 1`,
  ///   `0 < backoffFactor < 1`, `growthInterval >= 1`.
  public init(
    initialScale: Float = 65536, growthFactor: Float = 2, backoffFactor: Float = 0.5,
    growthInterval: Int = 2000, minimumScale: Float = 1, maximumScale: Float = 0x1p24
  ) {
    mantissaRequireNN(
      minimumScale > 0 && minimumScale <= initialScale && initialScale <= maximumScale,
      "LossScaler: need 0 < minimumScale (\(minimumScale)) <= initialScale (\(initialScale)) <= maximumScale (\(maximumScale))"
    )
    mantissaRequireNN(growthFactor > 1, "LossScaler: growthFactor = \(growthFactor) must be > 1")
    mantissaRequireNN(
      backoffFactor > 0 && backoffFactor < 1,
      "LossScaler: backoffFactor = \(backoffFactor) must be in (0, 1)")
    mantissaRequireNN(
      growthInterval >= 1, "LossScaler: growthInterval = \(growthInterval) must be >= 1")
    scale = initialScale
    self.growthFactor = growthFactor
    self.backoffFactor = backoffFactor
    self.growthInterval = growthInterval
    self.minimumScale = minimumScale
    self.maximumScale = maximumScale
  }

  /// Records one step's outcome and adjusts the scale (GradScaler.update).
  public func update(foundNonFinite: Bool) {
    steps += 1
    let old = scale
    if foundNonFinite {
      skippedSteps += 1
      scale = max(minimumScale, scale * backoffFactor)
      growthTracker = 0
    } else {
      growthTracker += 1
      if growthTracker >= growthInterval {
        scale = min(maximumScale, scale * growthFactor)
        growthTracker = 0
      }
    }
    if scale != old { history.append((steps, scale)) }
  }

  /// The state to save in a checkpoint: scale, growth tracker and skipped-step count.
  public var state: (scale: Float, growthTracker: Int, skippedSteps: Int) {
    (scale, growthTracker, skippedSteps)
  }

  /// Restores ``state``.
  public func restore(scale: Float, growthTracker: Int, skippedSteps: Int) {
    mantissaRequireNN(
      scale >= minimumScale && scale <= maximumScale,
      "LossScaler.restore: scale = \(scale) is outside \(minimumScale)...\(maximumScale)")
    self.scale = scale
    self.growthTracker = growthTracker
    self.skippedSteps = skippedSteps
  }
}
