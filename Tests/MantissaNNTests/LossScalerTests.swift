import MantissaNN
import Testing

@Test func scalerFollowsGradScalerSemanticsAndClamps() {
  let scaler = LossScaler(
    initialScale: 1024, growthInterval: 3, minimumScale: 256, maximumScale: 4096)
  scaler.update(foundNonFinite: true)
  #expect(scaler.scale == 512 && scaler.skippedSteps == 1)
  scaler.update(foundNonFinite: true)
  scaler.update(foundNonFinite: true)
  #expect(scaler.scale == 256, "clamped at the minimum")
  for _ in 0..<3 { scaler.update(foundNonFinite: false) }
  #expect(scaler.scale == 512 && scaler.growthTracker == 0)
  for _ in 0..<30 { scaler.update(foundNonFinite: false) }
  #expect(scaler.scale == 4096, "clamped at the maximum")
  scaler.update(foundNonFinite: false)
  scaler.update(foundNonFinite: true)
  #expect(scaler.growthTracker == 0, "backoff resets the growth tracker")
}

@Test func nonFiniteGradientSkipsTheStepAndLeavesEverythingUntouched() {
  let x = Tensor.randomNormal([32, 4], seed: 9)
  let y = Tensor.randomNormal([32, 2], seed: 10)
  let model = Sequential(
    Linear(4, 8, seed: 11), ReLU(), Linear(8, 2, seed: 12), precision: .mixedFP16)
  let optimizer = SGD(model, learningRate: 0.1, momentum: 0.9)
  let mse = MSELoss()
  // One clean step so the momentum buffers exist.
  optimizer.zeroGrad()
  optimizer.backward(mse(model(x), y))
  #expect(optimizer.step())
  let before = model.parameters.map { $0.value.toArray().map(\.bitPattern) }
  let halvesBefore = model.parameters.map { $0.half!.toArray().map(\.bitPattern) }
  let scaleBefore = optimizer.scaler!.scale
  for injected in [Float.infinity, .nan] {
    optimizer.zeroGrad()
    optimizer.backward(mse(model(x), y))
    model.parameters[2].gradient[3] = injected
    #expect(!optimizer.step(), "a step with \(injected) in a gradient must be skipped")
    #expect(model.parameters.map { $0.value.toArray().map(\.bitPattern) } == before)
    #expect(model.parameters.map { $0.half!.toArray().map(\.bitPattern) } == halvesBefore)
  }
  #expect(optimizer.scaler!.scale == scaleBefore / 4)
  #expect(optimizer.scaler!.skippedSteps == 2)
  // Training continues after the skipped steps.
  optimizer.zeroGrad()
  optimizer.backward(mse(model(x), y))
  #expect(optimizer.step())
  #expect(model.parameters.map { $0.value.toArray().map(\.bitPattern) } != before)
}

@Test func scaleTooLargeForFloat16OverflowsAndBacksOff() {
  // Initial scale 2^24 makes the Float16 loss gradient overflow: the scaler must back off
  // until steps go through, as GradScaler does in the first iterations.
  let x = Tensor.randomNormal([100, 10], seed: 13)
  let y = Tensor.randomNormal([100, 1], seed: 14).converted(to: .float32)
  for i in 0..<100 { y[i] = y[i] * 1000 }
  let model = Sequential(
    Linear(10, 20, seed: 15), ReLU(), Linear(20, 1, seed: 16), precision: .mixedFP16)
  let scaler = LossScaler(initialScale: 0x1p24, maximumScale: 0x1p24)
  let optimizer = SGD(model, learningRate: 0.001, scaler: scaler)
  var applied = 0
  for _ in 0..<20 {
    optimizer.zeroGrad()
    optimizer.backward(MSELoss()(model(x), y))
    if optimizer.step() { applied += 1 }
  }
  #expect(scaler.skippedSteps >= 1)
  #expect(applied >= 1)
  #expect(model.parameters.allSatisfy { p in p.value.toArray().allSatisfy(\.isFinite) })
}
