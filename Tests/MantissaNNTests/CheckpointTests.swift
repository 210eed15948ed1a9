import Foundation
import MantissaNN
import Testing

private func temporaryURL(_ name: String) -> URL {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
    "mantissa-tests-\(UUID().uuidString)")
  try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  return dir.appendingPathComponent(name)
}

private func makeModel(_ precision: Precision) -> Sequential {
  Sequential(Linear(6, 8, seed: 1), ReLU(), Linear(8, 3, seed: 2), precision: precision)
}

private func train(_ model: Sequential, _ optimizer: Optimizer, steps: Int, seed: UInt64) {
  let x = Tensor.randomNormal([16, 6], seed: seed)
  let y = Tensor.randomNormal([16, 3], seed: seed + 1)
  let mse = MSELoss()
  for _ in 0..<steps {
    optimizer.zeroGrad()
    optimizer.backward(mse(model(x), y))
    optimizer.step()
  }
}

private func bits(_ model: Sequential) -> [[UInt32]] {
  model.parameters.map { $0.value.toArray().map(\.bitPattern) }
}

@Test(arguments: ["sgd", "adam"], [Precision.fp32, .mixedFP16])
func roundTripResumesTrainingBitForBit(optimizerName: String, precision: Precision) throws {
  func makeOptimizer(_ m: Sequential) -> Optimizer {
    optimizerName == "sgd" ? SGD(m, learningRate: 0.05, momentum: 0.9) : Adam(m, learningRate: 0.01)
  }
  let url = temporaryURL("model.ckpt")
  let a = makeModel(precision)
  let optA = makeOptimizer(a)
  train(a, optA, steps: 5, seed: 10)
  try Checkpoint.save(model: a, optimizer: optA, to: url)
  train(a, optA, steps: 5, seed: 20)

  let b = makeModel(precision)
  let optB = makeOptimizer(b)
  try Checkpoint.load(into: b, optimizer: optB, from: url)
  #expect(optB.appliedSteps == 5)
  #expect(optB.scaler?.scale == (precision == .fp32 ? nil : 65536))
  train(b, optB, steps: 5, seed: 20)
  #expect(bits(a) == bits(b), "\(optimizerName) \(precision): resumed training differs")
}

@Test func truncatedAndCorruptedFilesThrowAndLeaveTheModelAlone() throws {
  let url = temporaryURL("model.ckpt")
  let model = makeModel(.fp32)
  let optimizer = SGD(model, learningRate: 0.1)
  try Checkpoint.save(model: model, optimizer: optimizer, to: url)
  let good = try Data(contentsOf: url)

  let target = Sequential(Linear(6, 8, seed: 7), ReLU(), Linear(8, 3, seed: 8))
  let before = bits(target)
  for cut in [3, 10, good.count / 2, good.count - 1] {
    try good.prefix(cut).write(to: url)
    #expect(throws: CheckpointError.truncated(path: url.path)) {
      try Checkpoint.load(into: target, from: url)
    }
  }
  var flipped = good
  flipped[good.count / 2] ^= 0x10
  try flipped.write(to: url)
  #expect(throws: CheckpointError.corrupted(path: url.path, reason: "checksum mismatch")) {
    try Checkpoint.load(into: target, from: url)
  }
  try Data("not a checkpoint at all".utf8).write(to: url)
  #expect(throws: CheckpointError.corrupted(path: url.path, reason: "not a Mantissa checkpoint")) {
    try Checkpoint.load(into: target, from: url)
  }
  #expect(bits(target) == before, "a failed load changed the model")
}

@Test func mismatchedModelThrowsAndChangesNothing() throws {
  let url = temporaryURL("model.ckpt")
  try Checkpoint.save(model: makeModel(.fp32), to: url)
  let other = Sequential(Linear(6, 9, seed: 1), ReLU(), Linear(9, 3, seed: 2))
  let before = bits(other)
  #expect(throws: CheckpointError.self) { try Checkpoint.load(into: other, from: url) }
  #expect(bits(other) == before)
  do {
    try Checkpoint.load(into: other, from: url)
  } catch let error as CheckpointError {
    #expect(
      "\(error)".contains("parameter 0.weight [8, 6] in the file, 0.weight [9, 6] in the model"),
      "\(error)")
  }
  // An optimizer the file does not have.
  let same = makeModel(.fp32)
  #expect(throws: CheckpointError.self) {
    try Checkpoint.load(into: same, optimizer: Adam(same), from: url)
  }
}

@Test func failedSaveLeavesThePreviousFileIntact() throws {
  let url = temporaryURL("model.ckpt")
  let model = makeModel(.fp32)
  try Checkpoint.save(model: model, to: url)
  let saved = try Data(contentsOf: url)
  // Saving into a path whose parent is a regular file fails.
  let bad = url.appendingPathComponent("inside-a-file.ckpt")
  #expect(throws: CheckpointError.self) { try Checkpoint.save(model: model, to: bad) }
  #expect(try Data(contentsOf: url) == saved)
  #expect(throws: CheckpointError.self) {
    try Checkpoint.load(
      into: model, from: url.deletingLastPathComponent().appendingPathComponent("missing"))
  }
}
