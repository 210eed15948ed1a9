import MantissaExamples
import MantissaNN

/// Training accuracy, FP32 against mixed precision: the seed example's final loss and the digits
/// model's mean test accuracy over several seeds.
public enum TrainingPrecision {
  public static func measure(seedSteps: Int, digitsSeeds: Int, digitsEpochs: Int) throws
    -> [PrecisionMeasurement]
  {
    var rows: [PrecisionMeasurement] = []
    let fp32 = runSeedExample(precision: .fp32, steps: seedSteps, seed: 0)
    let mixed = runSeedExample(precision: .mixedFP16, steps: seedSteps, seed: 0)
    let caseName = "\(seedSteps)-steps"
    rows.append(
      PrecisionMeasurement(
        id: "train-seed-fp32", caseName: caseName, metric: "final-loss",
        value: Double(fp32.finalLoss), bound: Double(fp32.firstLoss), higherIsBetter: false))
    rows.append(
      PrecisionMeasurement(
        id: "train-seed-mixed-f16", caseName: caseName, metric: "final-loss",
        value: Double(mixed.finalLoss), bound: Double(fp32.finalLoss) * 1.005,
        higherIsBetter: false))
    let data = try loadDigits()
    for precision in [Precision.fp32, .mixedFP16] {
      var total = 0.0
      for seed in 0..<digitsSeeds {
        total +=
          trainDigits(data, precision: precision, seed: UInt64(seed), epochs: digitsEpochs)
          .accuracy
      }
      rows.append(
        PrecisionMeasurement(
          id: precision == .fp32 ? "train-digits-fp32" : "train-digits-mixed-f16",
          caseName: "\(digitsSeeds)-seeds-\(digitsEpochs)-epochs", metric: "mean-test-accuracy",
          value: total / Double(digitsSeeds), bound: 0.97, higherIsBetter: true))
    }
    return rows
  }
}
