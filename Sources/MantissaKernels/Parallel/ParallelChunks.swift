/// Elements below which an elementwise kernel stays on one thread. Measured with
/// `mantissa-bench elementwise --force-parallel --elements ...` (Docs/Performance.md): at 2^17
/// a second thread slowed f32 add (18.5 -> 22.7 us); at 2^19 it sped add and SGD up 1.8x;
/// sum gains only from 2^21.
let elementwiseParallelCount = 1 << 19

/// Splits `0..<count` into one contiguous chunk per thread (chunk starts are multiples of 64
/// elements, so vector loops see the same alignment pattern whatever the split) and runs
/// `body` on each. Elementwise results never depend on the split; reductions use
/// ``fixedBlocks`` instead so their summation order does not either.
func forEachChunk(
  count: Int, threads: Int?, minimumCount: Int = elementwiseParallelCount,
  function: String, _ body: (Range<Int>) -> Void
) {
  forEachChunk(count: count, threads: threads, minimumCount: minimumCount, function: function) {
    _, range in body(range)
  }
}

/// ``forEachChunk(count:threads:minimumCount:function:_:)`` that also passes the chunk's index
/// (below the resolved thread count), for kernels that keep one result slot per chunk.
func forEachChunk(
  count: Int, threads: Int?, minimumCount: Int = elementwiseParallelCount,
  function: String, _ body: (Int, Range<Int>) -> Void
) {
  if count == 0 { return }
  let threadCount = MantissaThreads.resolve(threads, function: function)
  let force = KernelOverrides.current.forceParallel
  var parts = (force || count >= minimumCount) ? threadCount : 1
  let chunk = roundUp((count + parts - 1) / parts, 64)
  parts = (count + chunk - 1) / chunk
  runParallel(parts) { part in
    let start = part * chunk
    body(part, start..<min(count, start + chunk))
  }
}
