/// `--compare FILE`: rows of another run or a peer (e.g. `openblas-sgemm` from
/// Benchmarks/compare/gemm_numpy.py) beside this run's, matched by suite, shape and threads.
enum Compare {
  /// The same kernel in a saved run, or a peer's row for the same operation: any peer for
  /// GEMM and training rows (`openblas-sgemm`, `torch-seed-fp32`), and for elementwise rows a
  /// peer named `<library>-<op>` whose op begins our ID (`numpy-f16-vadd` for `f16-vadd-simd16`).
  static func matches(ours: String, theirs: String, suite: String) -> Bool {
    if ours == theirs { return true }
    if suite == "gemm" { return !theirs.contains("-gemm-") }
    if suite == "elementwise" {
      guard let dash = theirs.firstIndex(of: "-") else { return false }
      return ours.hasPrefix(theirs[theirs.index(after: dash)...] + "-")
    }
    return !theirs.hasPrefix("train-")
  }

  static func printBeside(_ ours: [BenchRow], _ theirs: [BenchRow]) {
    var table: [[String]] = []
    for row in ours {
      let peers = theirs.filter {
        $0.suite == row.suite && $0.m == row.m && $0.n == row.n && $0.k == row.k
          && $0.threads == row.threads && ($0.trans ?? "nn") == (row.trans ?? "nn")
          && matches(ours: row.id, theirs: $0.id, suite: row.suite)
      }
      for peer in peers {
        table.append([
          row.id,
          "\(row.m)x\(row.n)x\(row.k)" + ((row.trans ?? "nn") == "nn" ? "" : ":\(row.trans!)"),
          "\(row.threads)", Report.format(row.seconds * 1e6),
          peer.id, Report.format(peer.seconds * 1e6), Report.format(peer.seconds / row.seconds, 2),
        ])
      }
    }
    print("\n== compared with the other file (speedup = their time / ours) ==")
    if table.isEmpty {
      print("(no rows in the other file match this run's suites, shapes and threads)")
    }
    print(
      Report.table(["ours", "shape", "threads", "our us", "theirs", "their us", "speedup"], table))
  }
}
