import Dispatch
import MantissaNN

/// The reference example every user tries first: PyTorch's
/// `Linear(10, 20) -> ReLU -> Linear(20, 1)`, MSE, SGD(lr 0.01) on `randn(1000, 10)` and
/// `randn(1000, 1)`, in as many lines of Swift. `precision` is the one argument that switches
/// between FP32 and mixed precision.
public struct SeedExampleResult {
  public var firstLoss: Float
  public var finalLoss: Float
  public var secondsPerStep: Double
  public var scaler: LossScaler?
  public var losses: [Float]
}

public func runSeedExample(precision: Precision, steps: Int, seed: UInt64) -> SeedExampleResult {
  let x = Tensor.randomNormal([1000, 10], seed: seed)
  let y = Tensor.randomNormal([1000, 1], seed: seed + 1)
  let model = Sequential(
    Linear(10, 20, seed: seed + 2), ReLU(), Linear(20, 1, seed: seed + 3), precision: precision)
  let optimizer = SGD(model, learningRate: 0.01)
  let mse = MSELoss()

  var firstLoss: Float = .nan
  var finalLoss: Float = .nan
  var losses: [Float] = []
  losses.reserveCapacity(steps)
  let start = DispatchTime.now().uptimeNanoseconds
  for step in 0..<steps {
    optimizer.zeroGrad()
    let loss = mse(model(x), y)
    optimizer.backward(loss)
    optimizer.step()
    if step == 0 { firstLoss = loss.value }
    finalLoss = loss.value
    losses.append(loss.value)
  }
  let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
  return SeedExampleResult(
    firstLoss: firstLoss, finalLoss: finalLoss, secondsPerStep: seconds / Double(max(steps, 1)),
    scaler: optimizer.scaler, losses: losses)
}
