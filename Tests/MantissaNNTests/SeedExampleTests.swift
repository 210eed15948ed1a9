import MantissaNN
import Testing

/// The seed example exactly as the docs show it (Docs/MixedPrecisionTraining.md and the DocC
/// getting-started article), returning the first and last loss.
func seedExample(precision: Precision, steps: Int) -> (Float, Float) {
  let x = Tensor.randomNormal([1000, 10], seed: 0)
  let y = Tensor.randomNormal([1000, 1], seed: 1)
  let model = Sequential(
    Linear(10, 20, seed: 2), ReLU(), Linear(20, 1, seed: 3), precision: precision)
  let optimizer = SGD(model, learningRate: 0.01)
  let mse = MSELoss()
  var losses: [Float] = []
  for _ in 0..<steps {
    optimizer.zeroGrad()
    let loss = mse(model(x), y)
    optimizer.backward(loss)
    optimizer.step()
    losses.append(loss.value)
  }
  return (losses.first!, losses.last!)
}

@Test func seedExampleLossDecreasesAndMixedPrecisionTracksFP32() {
  let (first32, last32) = seedExample(precision: .fp32, steps: 300)
  let (first16, last16) = seedExample(precision: .mixedFP16, steps: 300)
  #expect(last32 < first32 * 0.97, "fp32 loss \(first32) -> \(last32) did not decrease")
  #expect(last16 < first16 * 0.97, "mixed loss \(first16) -> \(last16) did not decrease")
  // Stated tolerance: the mixed run's final loss within 0.5% of FP32's (Float16 activations and
  // weight copies; measured difference about 2e-6 at 1000 steps).
  #expect(abs(last16 - last32) <= 0.005 * last32, "mixed \(last16) vs fp32 \(last32)")
}
