import Foundation
import MantissaPrecision

/// `mantissa-bench precision [--update-baseline]`: the full precision report (kernel ID, case,
/// metric, bound, baseline, now); with `--update-baseline`, rewrites the checked-in baseline
/// with the full and the test-size measurements.
enum PrecisionReport {
  static func run(quick: Bool, updateBaseline: Bool) throws {
    let measurements = try PrecisionSuite.measure(quick ? .test : .full)
    let baseline = (try? PrecisionBaseline.read()) ?? [:]
    var table: [[String]] = []
    var worse = 0
    var outOfBound = 0
    for c in PrecisionSuite.compare(measurements, baseline: baseline) {
      let m = c.measurement
      if c.worseThanBaseline { worse += 1 }
      if !m.withinBound { outOfBound += 1 }
      table.append([
        m.id, m.caseName, m.metric, String(format: "%.4g", m.bound),
        c.baseline.map { String(format: "%.4g", $0) } ?? "-", String(format: "%.4g", m.value),
        !m.withinBound
          ? "OUT OF BOUND" : c.worseThanBaseline ? "WORSE" : c.betterThanBaseline ? "better" : "",
        m.detail,
      ])
    }
    print(
      Report.table(["kernel", "case", "metric", "bound", "baseline", "now", "", "where"], table))
    print(
      "\(measurements.count) measurements; \(outOfBound) out of bound; \(worse) worse than the baseline"
    )
    if updateBaseline {
      let testRows = quick ? [] : try PrecisionSuite.measure(.test)
      var seen = Set<String>()
      let rows = (measurements + testRows).filter { seen.insert($0.key).inserted }
      try PrecisionBaseline.write(rows)
      print("wrote \(rows.count) rows to \(PrecisionBaseline.path)")
    }
  }
}
