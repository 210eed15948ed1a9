import MantissaNN
import Testing

// The code of README.md, Docs/MixedPrecisionTraining.md and the DocC getting-started article,
// verbatim between the markers, so the examples cannot drift from the API.

@Test func readmeAndGettingStartedExampleRuns() {
  // --- example (README.md, GettingStarted.md) ---
  let x = Tensor.randomNormal([1000, 10], seed: 0)
  let y = Tensor.randomNormal([1000, 1], seed: 1)
  let model = Sequential(
    Linear(10, 20, seed: 2), ReLU(), Linear(20, 1, seed: 3), precision: .fp32)
  let optimizer = SGD(model, learningRate: 0.01)
  let mse = MSELoss()
  for _ in 0..<1000 {
    optimizer.zeroGrad()
    let loss = mse(model(x), y)
    optimizer.backward(loss)
    optimizer.step()
  }
  // --- end ---
  let final = mse(model(x), y).value
  #expect(final.isFinite && final < 1.0, "final loss \(final)")
  #expect(optimizer.appliedSteps == 1000)
}

@Test func mixedPrecisionDocumentExampleRuns() {
  // --- example (Docs/MixedPrecisionTraining.md) ---
  let x = Tensor.randomNormal([1000, 10], seed: 0)
  let y = Tensor.randomNormal([1000, 1], seed: 1)
  let model = Sequential(
    Linear(10, 20, seed: 2), ReLU(), Linear(20, 1, seed: 3), precision: .mixedFP16)
  let optimizer = SGD(model, learningRate: 0.01)
  let mse = MSELoss()
  for _ in 0..<1000 {
    optimizer.zeroGrad()
    let loss = mse(model(x), y)
    optimizer.backward(loss)
    optimizer.step()
  }
  // --- end ---
  let final = mse(model(x), y).value
  #expect(final.isFinite && final < 1.0, "final loss \(final)")
  #expect(optimizer.scaler != nil && optimizer.scaler!.skippedSteps == 0)
}
