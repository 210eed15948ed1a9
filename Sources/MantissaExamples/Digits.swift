import Dispatch
import Foundation
import MantissaData
import MantissaNN

/// `mantissa-train digits`: an MLP classifier on the bundled handwritten digits (8x8 pixels,
/// 10 classes), fixed seeded 80/20 split, mini-batches of 32, Adam, cross-entropy.
public struct DigitsResult {
  public var accuracy: Double
  public var finalLoss: Float
  public var seconds: Double
  public var skippedSteps: Int
  public var epochLosses: [Float]
}

public func loadDigits() throws -> CSVDataset {
  try CSVDataset.load(contentsOf: BundledData.digitsCSV).scaled(by: 1.0 / 16)
}

public func trainDigits(
  _ data: CSVDataset, precision: Precision, seed: UInt64, epochs: Int,
  progress: (Int, Float) -> Void = { _, _ in }
) -> DigitsResult {
  let (train, test) = data.split(testFraction: 0.2, seed: 42)
  let model = Sequential(
    Linear(64, 128, seed: seed), ReLU(), Linear(128, 10, seed: seed &+ 1), precision: precision)
  let optimizer = Adam(model, learningRate: 2e-3)
  let crossEntropy = CrossEntropyLoss()
  var lastLoss: Float = .nan
  var epochLosses: [Float] = []
  let start = DispatchTime.now().uptimeNanoseconds
  for epoch in 0..<epochs {
    var epochLoss: Float = 0
    let batches = train.batches(size: 32, seed: seed &* 1000 &+ UInt64(epoch))
    for batch in batches {
      optimizer.zeroGrad()
      let loss = crossEntropy(model(batch.features), batch.labels)
      optimizer.backward(loss)
      optimizer.step()
      epochLoss += loss.value
    }
    lastLoss = epochLoss / Float(batches.count)
    epochLosses.append(lastLoss)
    progress(epoch, lastLoss)
  }
  let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
  return DigitsResult(
    accuracy: accuracy(model(test.features), test.labels), finalLoss: lastLoss, seconds: seconds,
    skippedSteps: optimizer.scaler?.skippedSteps ?? 0, epochLosses: epochLosses)
}
