import Dispatch
import MantissaKernels

/// `mantissa-bench elementwise`: GB/s of each kernel (bytes read + written) at a DRAM-sized and a
/// cache-resident size, beside a STREAM-like copy and triad timed in the same run, interleaved
/// with the kernels because DRAM bandwidth drifts between runs on these machines.
enum ElementwiseSuite {
  /// The STREAM kernel a case is held against: the one with its mix of traffic. Written lines
  /// cost a read for ownership and a write-back that the bytes-counted convention leaves out,
  /// so a one-input kernel cannot reach the GB/s of a two-input one (Docs/Performance.md).
  enum Reference: String {
    /// One input stream (and at most one output): `c = a`.
    case copy
    /// Two or more input streams: `c = a + 3 b`.
    case triad
    /// 2-byte input, 4-byte output (Float16 -> Float): integer zero-extension of the same bytes,
    /// which writes twice what it reads and so trails copy by ~10% with no arithmetic at all.
    case widen
  }

  struct Case {
    var id: String
    var bytesPerElement: Int
    var reference: Reference
    var run: (Int, Int) -> Void  // (count, threads)
  }

  static func run(counts: [Int], threads: [Int]) -> [BenchRow] {
    let maxCount = counts.max() ?? 0
    let a32 = UnsafeMutablePointer<Float>.allocate(capacity: maxCount)
    let b32 = UnsafeMutablePointer<Float>.allocate(capacity: maxCount)
    let c32 = UnsafeMutablePointer<Float>.allocate(capacity: maxCount)
    let d32 = UnsafeMutablePointer<Float>.allocate(capacity: maxCount)
    let a16 = UnsafeMutablePointer<Float16>.allocate(capacity: maxCount)
    let b16 = UnsafeMutablePointer<Float16>.allocate(capacity: maxCount)
    let c16 = UnsafeMutablePointer<Float16>.allocate(capacity: maxCount)
    defer {
      for p in [a32, b32, c32, d32] { p.deallocate() }
      for p in [a16, b16, c16] { p.deallocate() }
    }
    for i in 0..<maxCount {
      a32[i] = Float(i % 1000) * 0.001 - 0.5
      b32[i] = Float(i % 777) * 0.001
      c32[i] = 0
      d32[i] = 0
      a16[i] = Float16(a32[i])
      b16[i] = Float16(b32[i])
      c16[i] = 0
    }
    let cases: [Case] = [
      Case(id: "f32-vadd-simd16", bytesPerElement: 12, reference: .triad) {
        add(a32, b32, into: c32, count: $0, threads: $1)
      },
      Case(id: "f16-vadd-simd16", bytesPerElement: 6, reference: .triad) {
        add(a16, b16, into: c16, count: $0, threads: $1)
      },
      Case(id: "f32-vrelu-simd16", bytesPerElement: 8, reference: .copy) {
        leakyReLU(a32, into: c32, count: $0, threads: $1)
      },
      Case(id: "f16-vrelu-simd32", bytesPerElement: 4, reference: .copy) {
        leakyReLU(a16, into: c16, count: $0, threads: $1)
      },
      // The smooth activations are bound by their arithmetic (a vector exp or erf per 16
      // values), not by memory: their share of copy says how far from streaming they are.
      Case(id: "f32-vsigmoid-simd16", bytesPerElement: 8, reference: .copy) {
        activate(.sigmoid, a32, into: c32, count: $0, threads: $1)
      },
      Case(id: "f32-vgelu-tanh-simd16", bytesPerElement: 8, reference: .copy) {
        activate(.geluTanh, a32, into: c32, count: $0, threads: $1)
      },
      Case(id: "f32-vgelu-erf-simd16", bytesPerElement: 8, reference: .copy) {
        activate(.geluErf, a32, into: c32, count: $0, threads: $1)
      },
      Case(id: "f16-vgelu-tanh-simd16", bytesPerElement: 4, reference: .copy) {
        activate(.geluTanh, a16, into: c16, count: $0, threads: $1)
      },
      Case(id: "f32-vgelu-tanh-backward-simd16", bytesPerElement: 12, reference: .triad) {
        activationBackward(
          .geluTanh, input: a32, gradOut: b32, into: c32, count: $0, threads: $1)
      },
      Case(id: "f32-f16-vcvt-simd16", bytesPerElement: 6, reference: .copy) {
        convert(a32, to: c16, count: $0, threads: $1)
      },
      Case(id: "f16-f32-vcvt-simd16", bytesPerElement: 6, reference: .widen) {
        convert(a16, to: c32, count: $0, threads: $1)
      },
      Case(id: "f32-rsum-simd16", bytesPerElement: 4, reference: .copy) {
        sink(sum(a32, count: $0, threads: $1))
      },
      Case(id: "f16-rsum-simd16", bytesPerElement: 2, reference: .copy) {
        sink(sum(a16, count: $0, threads: $1))
      },
      // Bias gradients: a batch's column sums over a layer of 20 outputs (the seed example's
      // fc1) and of 1 output (fc2); elements = rows x columns.
      Case(id: "f32-colsum-simd16-20cols", bytesPerElement: 4, reference: .copy) {
        columnSums(a32, rows: $0 / 20, columns: 20, ld: 20, into: d32, threads: $1)
      },
      Case(id: "f16-colsum-simd16-20cols", bytesPerElement: 2, reference: .copy) {
        columnSums(a16, rows: $0 / 20, columns: 20, ld: 20, into: d32, threads: $1)
      },
      Case(id: "f32-colsum-simd16-1col", bytesPerElement: 4, reference: .copy) {
        columnSums(a32, rows: $0, columns: 1, ld: 1, into: d32, threads: $1)
      },
      Case(id: "f16-colsum-simd16-1col", bytesPerElement: 2, reference: .copy) {
        columnSums(a16, rows: $0, columns: 1, ld: 1, into: d32, threads: $1)
      },
      Case(id: "f32-vunscale-checkfinite-simd16", bytesPerElement: 8, reference: .copy) {
        sink(unscaleAndCheckFinite(d32, count: $0, inverseScale: 1, threads: $1) ? 1 : 0)
      },
      Case(id: "f32-sgd-simd16", bytesPerElement: 20, reference: .triad) {
        sgdUpdate(
          weights: d32, gradients: a32, momentumBuffer: c32, count: $0,
          options: SGDOptions(learningRate: 0, momentum: 0.9), threads: $1)
      },
      Case(id: "f32-adam-simd16", bytesPerElement: 28, reference: .triad) {
        adamUpdate(
          weights: d32, gradients: a32, firstMoment: c32, secondMoment: b32, count: $0,
          options: AdamOptions(learningRate: 0, step: 1), threads: $1)
      },
    ]
    var rows: [BenchRow] = []
    var table: [[String]] = []
    for count in counts {
      for t in threads {
        for c in cases {
          // STREAM references measured right before each kernel (interleaved).
          let conditions = RowConditions()
          let copy = Machine.bestTime(minimumTime: 0.05) { streamCopy(a32, c32, count, t) }
          let triad = Machine.bestTime(minimumTime: 0.05) { streamTriad(a32, b32, c32, count, t) }
          let copyGBps = Double(8 * count) / copy * 1e-9
          let triadGBps = Double(12 * count) / triad * 1e-9
          let seconds = Machine.bestTime(minimumTime: 0.1) { c.run(count, t) }
          let gbps = Double(c.bytesPerElement * count) / seconds * 1e-9
          let stream: Double
          switch c.reference {
          case .copy: stream = copyGBps
          case .triad: stream = triadGBps
          case .widen:
            let widen = Machine.bestTime(minimumTime: 0.05) { streamWiden(a16, c32, count, t) }
            stream = Double(6 * count) / widen * 1e-9
          }
          rows.append(
            BenchRow(
              suite: "elementwise", id: c.id, m: count, n: 1, k: 1, threads: t, seconds: seconds,
              cpu: Machine.cpu, elements: count, gbps: gbps, stream_fraction: gbps / stream,
              steal_fraction: conditions.stealFraction(), solo_fraction: conditions.soloFraction()))
          table.append([
            c.id, "\(count)", "\(t)", Report.format(seconds * 1e6), Report.format(gbps),
            Report.format(copyGBps), Report.format(triadGBps),
            "\(Report.format(gbps / stream, 2)) \(c.reference.rawValue)",
          ])
        }
      }
    }
    print(
      Report.table(
        ["kernel", "elements", "threads", "us", "GB/s", "copy GB/s", "triad GB/s", "of reference"],
        table))
    if let note = RowConditions.note(rows) { print(note) }
    return rows
  }

  @inline(never)
  static func sink(_ x: Float) {
    if x == 12345.678 { print("") }
  }

  /// STREAM copy `c = a` with plain vector loads and stores, split like the kernels.
  static func streamCopy(
    _ a: UnsafeMutablePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ count: Int, _ threads: Int
  ) {
    split(count, threads) { range in
      var i = range.lowerBound
      while i + 16 <= range.upperBound {
        Float.store16(Float.load16(a + i), c + i)
        i += 16
      }
    }
  }

  /// STREAM triad `c = a + 3 b`.
  static func streamTriad(
    _ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>,
    _ c: UnsafeMutablePointer<Float>, _ count: Int, _ threads: Int
  ) {
    split(count, threads) { range in
      var i = range.lowerBound
      while i + 16 <= range.upperBound {
        Float.store16(Float.load16(a + i).addingProduct(3, Float.load16(b + i)), c + i)
        i += 16
      }
    }
  }

  /// Zero-extends 2-byte values to 4 bytes: the traffic of a Float16 -> Float conversion.
  static func streamWiden(
    _ a: UnsafeMutablePointer<Float16>, _ c: UnsafeMutablePointer<Float>, _ count: Int,
    _ threads: Int
  ) {
    split(count, threads) { range in
      var i = range.lowerBound
      while i + 16 <= range.upperBound {
        let v = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<UInt16>.self)
        UnsafeMutableRawPointer(c + i).storeBytes(
          of: SIMD16<UInt32>(truncatingIfNeeded: v), as: SIMD16<UInt32>.self)
        i += 16
      }
    }
  }

  static func split(_ count: Int, _ threads: Int, _ body: (Range<Int>) -> Void) {
    let chunk = (count + threads - 1) / threads / 64 * 64
    if threads == 1 {
      body(0..<count)
      return
    }
    withoutActuallyEscaping(body) { body in
      nonisolated(unsafe) let body = body
      DispatchQueue.concurrentPerform(iterations: threads) { part in
        let start = part * chunk
        body(start..<(part == threads - 1 ? count : start + chunk))
      }
    }
  }
}
