import Dispatch
import MantissaKernels

/// The machine's Float32 FMA peak in GFLOP/s for `threads` threads, measured now with 16
/// independent SIMD16 FMA chains per thread (enough to cover FMA latency times ports on Zen 4,
/// Zen 5 and Sapphire Rapids), or 12 SIMD8 chains in builds without AVX-512, which have only 16
/// vector registers (16 chains spilled and read 30% low). Uses the widest vector this build
/// compiles to, so the peak is the one the build's kernels can reach.
enum Peak {
  static func measure(threads: Int, minimumTime: Double = 0.3) -> Double {
    let iterations = 4_000_000
    let lanes = CompiledCPU.hasAVX512F ? 16 : 8
    let chains = CompiledCPU.hasAVX512F ? 16 : 12
    let flopsPerThread = Double(iterations) * Double(chains) * Double(lanes) * 2
    let seconds = Machine.bestTime(minimumTime: minimumTime) {
      if threads == 1 {
        sink(CompiledCPU.hasAVX512F ? chains16(iterations) : chains8(iterations))
      } else {
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
          sink(CompiledCPU.hasAVX512F ? chains16(iterations) : chains8(iterations))
        }
      }
    }
    return flopsPerThread * Double(threads) / seconds * 1e-9
  }

  @inline(never)
  static func sink(_ x: Float) {
    if x == 12345.678 { print("") }
  }

  @inline(never)
  static func chains16(_ n: Int) -> Float {
    let m = SIMD16<Float>(repeating: 0.999_999)
    let a = SIMD16<Float>(repeating: 1e-7)
    var c0 = m
    var c1 = m
    var c2 = m
    var c3 = m
    var c4 = m
    var c5 = m
    var c6 = m
    var c7 = m
    var c8 = m
    var c9 = m
    var c10 = m
    var c11 = m
    var c12 = m
    var c13 = m
    var c14 = m
    var c15 = m
    for _ in 0..<n {
      c0 = c0.addingProduct(c0, a)
      c1 = c1.addingProduct(c1, a)
      c2 = c2.addingProduct(c2, a)
      c3 = c3.addingProduct(c3, a)
      c4 = c4.addingProduct(c4, a)
      c5 = c5.addingProduct(c5, a)
      c6 = c6.addingProduct(c6, a)
      c7 = c7.addingProduct(c7, a)
      c8 = c8.addingProduct(c8, a)
      c9 = c9.addingProduct(c9, a)
      c10 = c10.addingProduct(c10, a)
      c11 = c11.addingProduct(c11, a)
      c12 = c12.addingProduct(c12, a)
      c13 = c13.addingProduct(c13, a)
      c14 = c14.addingProduct(c14, a)
      c15 = c15.addingProduct(c15, a)
    }
    let s = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11 + c12 + c13 + c14 + c15
    return s[0] + s[15]
  }

  @inline(never)
  static func chains8(_ n: Int) -> Float {
    let m = SIMD8<Float>(repeating: 0.999_999)
    let a = SIMD8<Float>(repeating: 1e-7)
    var c0 = m
    var c1 = m
    var c2 = m
    var c3 = m
    var c4 = m
    var c5 = m
    var c6 = m
    var c7 = m
    var c8 = m
    var c9 = m
    var c10 = m
    var c11 = m
    for _ in 0..<n {
      c0 = c0.addingProduct(c0, a)
      c1 = c1.addingProduct(c1, a)
      c2 = c2.addingProduct(c2, a)
      c3 = c3.addingProduct(c3, a)
      c4 = c4.addingProduct(c4, a)
      c5 = c5.addingProduct(c5, a)
      c6 = c6.addingProduct(c6, a)
      c7 = c7.addingProduct(c7, a)
      c8 = c8.addingProduct(c8, a)
      c9 = c9.addingProduct(c9, a)
      c10 = c10.addingProduct(c10, a)
      c11 = c11.addingProduct(c11, a)
    }
    let s = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11
    return s[0] + s[7]
  }
}

/// The highest FMA peak read so far in this run, per thread count. One reading at the start was
/// sometimes taken in a slow stretch of this shared machine (a GEMM then read 106% of it), so
/// the GEMM suite reads the peak again after every shape and reports each row against the
/// highest reading of the run: shares of peak can only err low.
final class PeakTracker {
  private(set) var peaks: [Int: Double] = [:]
  /// The highest L2 read rate of the run, per thread count (``CacheRate``).
  private(set) var cacheRates: [Int: Double] = [:]

  init(threads: [Int]) {
    for t in threads {
      peaks[t] = Peak.measure(threads: t)
      cacheRates[t] = CacheRate.measure(threads: t)
    }
  }

  /// Reads the L2 rate again and returns this reading (``BenchRow/cache_rate_fraction``).
  @discardableResult
  func remeasureCacheRate(threads t: Int) -> Double {
    let reading = CacheRate.measure(threads: t)
    cacheRates[t] = max(cacheRates[t] ?? 0, reading)
    return reading
  }

  func cacheRate(threads t: Int) -> Double { cacheRates[t] ?? .nan }

  /// Reads the peak again and returns this reading, which also tells what the vCPUs delivered
  /// just after the rows before it (``BenchRow/fma_rate_fraction``).
  @discardableResult
  func remeasure(threads t: Int) -> Double {
    let reading = Peak.measure(threads: t, minimumTime: 0.05)
    peaks[t] = max(peaks[t] ?? 0, reading)
    return reading
  }

  func peak(threads t: Int) -> Double { peaks[t] ?? .nan }

  func printPeaks(_ label: String) {
    for (t, peak) in peaks.sorted(by: { $0.key < $1.key }) {
      print("FMA peak\(label), \(t) thread\(t == 1 ? "" : "s"): \(Report.format(peak)) GFLOP/s")
    }
    for (t, rate) in cacheRates.sorted(by: { $0.key < $1.key }) {
      print("L2 read rate\(label), \(t) thread\(t == 1 ? "" : "s"): \(Report.format(rate)) GB/s")
    }
  }
}
