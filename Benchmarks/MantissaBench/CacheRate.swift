import Dispatch

/// The rate at which `threads` threads read a buffer of their own that stays in L2 (256 KiB
/// each: under half of Zen 3's L2, a quarter of Zen 4's and Zen 5's), in GB/s. Cache-bound code
/// on these VMs slows in stretches that the FMA peak does not show (session 14, Zen 3: whole
/// runs of a GEMM-like loop at 60-70% of peak while the FMA peak read its best); each such run
/// also read this rate 13-21% below its best, quiet runs within 1%. The likely cause is another
/// tenant on the sibling hardware thread, which shares L1 and L2 but leaves the FMA units to us.
enum CacheRate {
  static let bytesPerThread = 256 << 10

  static func measure(threads: Int, minimumTime: Double = 0.05) -> Double {
    let count = bytesPerThread / MemoryLayout<Float>.stride
    let buffers = (0..<threads).map { _ in
      let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
      p.initialize(repeating: 1e-3, count: count)
      return p
    }
    defer { for p in buffers { p.deallocate() } }
    nonisolated(unsafe) let shared = buffers
    // About 0.5 ms a reading, so that starting the threads is a small part of it.
    let passes = 200
    let seconds = Machine.bestTime(minimumTime: minimumTime) {
      if threads == 1 {
        Peak.sink(sum(shared[0], count: count, passes: passes))
      } else {
        DispatchQueue.concurrentPerform(iterations: threads) { t in
          Peak.sink(sum(shared[t], count: count, passes: passes))
        }
      }
    }
    return Double(bytesPerThread * passes * threads) / seconds * 1e-9
  }

  /// `passes` sums of the buffer with eight independent 8-lane chains (4 SIMD16), enough loads
  /// in flight that L2's bandwidth, not the adds' latency, sets the pace.
  @inline(never)
  static func sum(_ p: UnsafePointer<Float>, count: Int, passes: Int) -> Float {
    var s0 = SIMD16<Float>()
    var s1 = SIMD16<Float>()
    var s2 = SIMD16<Float>()
    var s3 = SIMD16<Float>()
    let raw = UnsafeRawPointer(p)
    for _ in 0..<passes {
      var i = 0
      while i < count {
        let q = raw + i * 4
        s0 += q.loadUnaligned(as: SIMD16<Float>.self)
        s1 += q.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
        s2 += q.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self)
        s3 += q.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self)
        i += 64
      }
    }
    let s = (s0 + s1) + (s2 + s3)
    return s[0] + s[15]
  }
}
