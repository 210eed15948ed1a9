import CMantissaCPU

/// Software prefetches of a rectangle of a GEMM operand as stored (op(X) rows `row0..<row0+rows`,
/// depth `depth0..<depth0+depth`), spread evenly over `calls` calls of ``step()``.
///
/// The driver packs each A micro-panel just before its row of microkernel calls and asks, during
/// those calls, for the rows the next micro-panel will read. The A source is usually in L3 or
/// DRAM, a KC-long row segment per row, `lda` apart: too short a stream for the hardware
/// prefetchers, so packing it on demand waited on every line (3% of 1024^3). Lines go to L2
/// only: the B micro-panels streaming through L1 would evict them before use.
struct SourcePrefetcher {
  private var next = UnsafeRawPointer(bitPattern: 64)!
  private var runStart = UnsafeRawPointer(bitPattern: 64)!
  private var lineStride = 0
  private var runLength = 1
  private var runStride = 0
  private var inRun = 0
  private var remaining = 0
  private var perCall = 0

  /// Prefetches nothing.
  init() {}

  init(_ view: OperandView, row0: Int, depth0: Int, rows: Int, depth: Int, calls: Int) {
    let size = view.elementBytes
    next = view.base + (row0 * view.rowStride + depth0 * view.columnStride) * size
    runStart = next
    if view.columnStride == 1 {
      // Row by row, each row a run of lines along depth (one more line when it straddles).
      lineStride = 64
      runLength = (depth * size + 63) / 64 + 1
      runStride = view.rowStride * size
      remaining = runLength * rows
    } else {
      // Depth step by depth step: the `rows` values of one step share a line or two.
      lineStride = view.columnStride * size
      runLength = depth
      remaining = depth
    }
    perCall = (remaining + calls - 1) / max(calls, 1)
  }

  @inline(__always)
  mutating func step() {
    var count = min(perCall, remaining)
    remaining -= count
    while count > 0 {
      mantissa_prefetch_l2(next)
      next += lineStride
      inRun += 1
      if inRun == runLength {
        inRun = 0
        runStart += runStride
        next = runStart
      }
      count -= 1
    }
  }
}
