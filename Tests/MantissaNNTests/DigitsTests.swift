import MantissaData
import MantissaNN
import Testing

/// A test-sized version of `mantissa-train digits` (same model, optimizer, split and batches).
func digitsAccuracy(precision: Precision, seed: UInt64, epochs: Int) throws -> Double {
  let data = try CSVDataset.load(contentsOf: BundledData.digitsCSV).scaled(by: 1.0 / 16)
  #expect(data.samples == 1797 && data.featureCount == 64)
  let (train, test) = data.split(testFraction: 0.2, seed: 42)
  let model = Sequential(
    Linear(64, 128, seed: seed), ReLU(), Linear(128, 10, seed: seed &+ 1), precision: precision)
  let optimizer = Adam(model, learningRate: 2e-3)
  let crossEntropy = CrossEntropyLoss()
  for epoch in 0..<epochs {
    for batch in train.batches(size: 32, seed: seed &* 1000 &+ UInt64(epoch)) {
      optimizer.zeroGrad()
      optimizer.backward(crossEntropy(model(batch.features), batch.labels))
      optimizer.step()
    }
  }
  return accuracy(model(test.features), test.labels)
}

@Test func digitsReachNinetySevenPercentInBothPrecisions() throws {
  var means: [Double] = []
  for precision in [Precision.fp32, .mixedFP16] {
    let accuracies = try (0..<3).map {
      try digitsAccuracy(precision: precision, seed: UInt64($0), epochs: 40)
    }
    means.append(accuracies.reduce(0, +) / 3)
  }
  #expect(means[0] >= 0.97, "fp32 mean test accuracy \(means[0])")
  #expect(means[1] >= 0.97, "mixed mean test accuracy \(means[1])")
  #expect(abs(means[0] - means[1]) <= 0.01, "fp32 \(means[0]) vs mixed \(means[1])")
}
