/// The whole precision suite: GEMM, elementwise and training measurements, in a size for
/// `swift test` or the full report of `mantissa-bench precision`.
public enum PrecisionSuite {
  public enum Size: Sendable {
    /// Runs inside `swift test` in a few seconds.
    case test
    /// More and larger GEMM shapes, a denser elementwise sample, longer training.
    case full
  }

  public static func measure(_ size: Size) throws -> [PrecisionMeasurement] {
    switch size {
    case .test:
      return GEMMPrecision.measure(shapes: GEMMPrecision.testShapes)
        + ElementwisePrecision.measure(denseStep: 0.003)
        + ArithmeticPrecision.measure(count: 100_000)
        + (try TrainingPrecision.measure(seedSteps: 300, digitsSeeds: 3, digitsEpochs: 40))
    case .full:
      return GEMMPrecision.measure(shapes: GEMMPrecision.fullShapes)
        + ElementwisePrecision.measure(denseStep: 0.0007)
        + ArithmeticPrecision.measure(count: 1_000_000)
        + (try TrainingPrecision.measure(seedSteps: 1000, digitsSeeds: 5, digitsEpochs: 40))
    }
  }

  /// Each measurement beside its baseline: what the report prints and the tests check.
  public struct Comparison: Sendable {
    public var measurement: PrecisionMeasurement
    public var baseline: Double?
    public var worseThanBaseline: Bool {
      baseline.map { measurement.isWorse(thanBaseline: $0) } ?? false
    }
    public var betterThanBaseline: Bool {
      baseline.map { measurement.isBetter(thanBaseline: $0) } ?? false
    }
  }

  public static func compare(_ measurements: [PrecisionMeasurement], baseline: [String: Double])
    -> [Comparison]
  {
    measurements.map { Comparison(measurement: $0, baseline: baseline[$0.key]) }
  }
}
