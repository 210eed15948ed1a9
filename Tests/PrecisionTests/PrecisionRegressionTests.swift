import MantissaPrecision
import Testing

/// The precision regression suite (Docs/Precision.md): every measurement must stay within its
/// derived bound and no worse than the checked-in baseline by more than the stated margin.
/// Improvements are printed, not failed; `mantissa-bench precision --update-baseline` records
/// them.
@Test func precisionStaysWithinBoundsAndBaseline() throws {
  let measurements = try PrecisionSuite.measure(.test)
  let baseline = try PrecisionBaseline.read()
  var improved = 0
  for c in PrecisionSuite.compare(measurements, baseline: baseline) {
    let m = c.measurement
    #expect(
      m.withinBound,
      "\(m.id) \(m.caseName) \(m.metric): \(m.value) \(m.higherIsBetter ? "below" : "above") its bound \(m.bound) \(m.detail)"
    )
    guard let base = c.baseline else {
      Issue.record(
        "\(m.id) \(m.caseName) \(m.metric): no baseline row; run `swift run -c release mantissa-bench precision --update-baseline`"
      )
      continue
    }
    #expect(
      !c.worseThanBaseline,
      "\(m.id) \(m.caseName) \(m.metric): now \(m.value), baseline \(base) (worse beyond the margin)"
    )
    if c.betterThanBaseline {
      improved += 1
      if improved <= 10 { print("better than the baseline: \(m.key) now \(m.value), was \(base)") }
    }
  }
  if improved > 0 {
    print("precision: \(improved) measurements better than the baseline (not an error)")
  }
  #expect(measurements.count > 100, "the suite measured only \(measurements.count) rows")
}
