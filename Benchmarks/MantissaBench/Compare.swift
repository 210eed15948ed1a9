/// `--compare FILE`: rows of another run or a peer (e.g. `openblas-sgemm` from
/// Benchmarks/compare/gemm_numpy.py) beside this run's, matched by suite, shape and threads.
enum Compare {
  static func printBeside(_ ours: [BenchRow], _ theirs: [BenchRow]) {
    var table: [[String]] = []
    for row in ours {
      let peers = theirs.filter {
        $0.suite == row.suite && $0.m == row.m && $0.n == row.n && $0.k == row.k
          && $0.threads == row.threads && ($0.trans ?? "nn") == (row.trans ?? "nn")
          && ($0.id == row.id || !$0.id.contains("-gemm-"))
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
    print(
      Report.table(["ours", "shape", "threads", "our us", "theirs", "their us", "speedup"], table))
  }
}
