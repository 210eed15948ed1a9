/// Elements below which an elementwise kernel stays on one thread. Measured with
/// `mantissa-bench elementwise --force-parallel --elements ...` (Docs/Performance.md). With
/// `concurrentPerform` (Xeon, session 2) a second thread slowed f32 add at 2^17 (18.5 -> 22.7
/// us) and paid from 2^19. With the ``WorkerPool`` (Zen 4, session 11, back-to-back calls) it
/// pays from 2^14 (f32 add 1.8 -> 1.1 us; 2^16 8.0 -> 4.7; 2^17 17.3 -> 8.5, SGD 23.3 -> 15.7);
/// 2^17 leaves room for a call that finds the worker asleep (a 2-5 us wake-up).
let elementwiseParallelCount = 1 << 17

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
