import MantissaKernels

/// `mantissa-bench gemm`: GFLOP/s of every dtype combination per shape and thread count, as a
/// share of the highest FMA peak read in the same run (``PeakTracker``).
enum GEMMSuite {
  enum Combination: String, CaseIterable {
    case f32 = "f32"
    case f16f16f32 = "f16-f16-f32"
    case f16 = "f16"
    case f32f16f32 = "f32-f16-f32"

    var types: (KernelType, KernelType, KernelType) {
      switch self {
      case .f32: (.f32, .f32, .f32)
      case .f16f16f32: (.f16, .f16, .f32)
      case .f16: (.f16, .f16, .f16)
      case .f32f16f32: (.f32, .f16, .f32)
      }
    }
  }

  /// The epilogues fused into the store (`--epilogue`).
  struct Epilogue {
    var bias = false
    var relu = false
    /// `reluMask`: masked by a ReLU's values (a C-shaped buffer, half of it <= 0).
    var reluMask = false
  }

  static func run(
    shapes: [GEMMShape], threads: [Int], combinations: [Combination], peaks: PeakTracker,
    kernel: GEMMMicrokernel, epilogue: Epilogue = Epilogue(), prepacked: Bool = false,
    blockings: [GEMMBlocking] = []
  ) -> [BenchRow] {
    // Several blockings (`--blocking A/B/...`) are variants timed in turns like the type
    // combinations: a tuning comparison that separate runs on this shared machine cannot make
    // (the same binary reads 81-93% of peak at 1024^3 from one process to the next).
    let variants: [GEMMBlocking?] = blockings.count > 1 ? blockings : [nil]
    let overrides = KernelOverrides.current
    var rows: [BenchRow] = []
    var table: [[String]] = []
    for shape in shapes {
      let aCount = shape.m * shape.k
      let bCount = shape.k * shape.n
      let cCount = shape.m * shape.n
      let a32 = Machine.allocateMatrix(Float.self, count: aCount)
      let b32 = Machine.allocateMatrix(Float.self, count: bCount)
      let c32 = Machine.allocateMatrix(Float.self, count: cCount)
      let a16 = Machine.allocateMatrix(Float16.self, count: aCount)
      let b16 = Machine.allocateMatrix(Float16.self, count: bCount)
      let c16 = Machine.allocateMatrix(Float16.self, count: cCount)
      let bias = UnsafeMutablePointer<Float>.allocate(capacity: shape.n)
      let mask32 = Machine.allocateMatrix(Float.self, count: cCount)
      let mask16 = Machine.allocateMatrix(Float16.self, count: cCount)
      defer {
        bias.deallocate()
        mask32.deallocate()
        mask16.deallocate()
        a32.deallocate()
        b32.deallocate()
        c32.deallocate()
        a16.deallocate()
        b16.deallocate()
        c16.deallocate()
      }
      var state: UInt64 = 0x9E37_79B9_7F4A_7C15
      func next() -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
      }
      for i in 0..<aCount {
        a32[i] = next()
        a16[i] = Float16(a32[i])
      }
      for i in 0..<bCount {
        b32[i] = next()
        b16[i] = Float16(b32[i])
      }
      c32.initialize(repeating: 0, count: cCount)
      c16.initialize(repeating: 0, count: cCount)
      for j in 0..<shape.n { bias[j] = next() }
      for i in 0..<cCount {
        mask32[i] = next()
        mask16[i] = Float16(mask32[i])
      }
      let biasPointer = epilogue.bias ? UnsafePointer(bias) : nil
      let relu = epilogue.relu
      let maskPointer32 = epilogue.reluMask ? UnsafePointer(mask32) : nil
      let maskPointer16 = epilogue.reluMask ? UnsafePointer(mask16) : nil
      let lda = shape.transA == .noTranspose ? shape.k : shape.m
      let ldb = shape.transB == .noTranspose ? shape.n : shape.k
      let (m, n, k, tA, tB) = (shape.m, shape.n, shape.k, shape.transA, shape.transB)
      let flops = 2.0 * Double(m) * Double(n) * Double(k)
      // B packed once, outside the timing (`--prepacked`): Float for f32, else Float16.
      let packed32 = prepacked ? GEMMPackedB(tB, k: k, n: n, b: b32, ldb: ldb) : nil
      let packed16 = prepacked ? GEMMPackedB(tB, k: k, n: n, b: b16, ldb: ldb) : nil
      for t in threads {
        var f32Seconds: [Double?] = Array(repeating: nil, count: variants.count)
        var firstSeconds: [Double] = []
        func call(_ combination: Combination) {
          if let packed32, let packed16 {
            switch combination {
            case .f32:
              gemm(
                tA, m: m, a: a32, lda: lda, b: packed32, c: c32, ldc: n, bias: biasPointer,
                relu: relu, reluMask: maskPointer32, threads: t)
            case .f16f16f32:
              gemm(
                tA, m: m, a: a16, lda: lda, b: packed16, c: c32, ldc: n, bias: biasPointer,
                relu: relu, reluMask: maskPointer32, threads: t)
            case .f16:
              gemm(
                tA, m: m, a: a16, lda: lda, b: packed16, c: c16, ldc: n, bias: biasPointer,
                relu: relu, reluMask: maskPointer16, threads: t)
            case .f32f16f32:
              gemm(
                tA, m: m, a: a32, lda: lda, b: packed16, c: c32, ldc: n, bias: biasPointer,
                relu: relu, reluMask: maskPointer32, threads: t)
            }
            return
          }
          switch combination {
          case .f32:
            gemm(
              tA, tB, m: m, n: n, k: k, a: a32, lda: lda, b: b32, ldb: ldb, c: c32, ldc: n,
              bias: biasPointer, relu: relu, reluMask: maskPointer32, threads: t)
          case .f16f16f32:
            gemm(
              tA, tB, m: m, n: n, k: k, a: a16, lda: lda, b: b16, ldb: ldb, c: c32, ldc: n,
              bias: biasPointer, relu: relu, reluMask: maskPointer32, threads: t)
          case .f16:
            gemm(
              tA, tB, m: m, n: n, k: k, a: a16, lda: lda, b: b16, ldb: ldb, c: c16, ldc: n,
              bias: biasPointer, relu: relu, reluMask: maskPointer16, threads: t)
          case .f32f16f32:
            gemm(
              tA, tB, m: m, n: n, k: k, a: a32, lda: lda, b: b16, ldb: ldb, c: c32, ldc: n,
              bias: biasPointer, relu: relu, reluMask: maskPointer32, threads: t)
          }
        }
        let cases = variants.flatMap { blocking in combinations.map { (blocking, $0) } }
        let calls = cases.map { blocking, combination in
          {
            var variant = overrides
            if let blocking { variant.gemmBlocking = blocking }
            KernelOverrides.$current.withValue(variant) {
              call(combination)
            }
          }
        }
        // All combinations timed in turns, so a slow stretch of this shared machine lands on
        // all of them and the "vs f32" column compares like with like.
        let conditions = RowConditions()
        let times = Machine.interleavedBestTimes(minimumTime: flops > 1e9 ? 0.5 : 0.2, calls)
        let stolen = conditions.stealFraction()
        let solo = conditions.soloFraction()
        for (index, ((blocking, combination), seconds)) in zip(cases, times).enumerated() {
          let variant = index / combinations.count
          let (ta, tb, tc) = combination.types
          let id = gemmKernelID(
            a: ta, b: tb, c: tc, packedB: prepacked, bias: epilogue.bias, relu: epilogue.relu,
            reluMask: epilogue.reluMask, kernel: kernel, m: m, n: n, k: k,
            transA: tA == .transpose)
          let gflops = flops / seconds * 1e-9
          if combination == .f32 { f32Seconds[variant] = seconds }
          if variant == 0 { firstSeconds.append(seconds) }
          rows.append(
            BenchRow(
              suite: "gemm", id: id, m: m, n: n, k: k, trans: shape.transposes, threads: t,
              seconds: seconds, gflops: gflops, peak_fraction: nil, cpu: Machine.cpu,
              blocking: blocking?.description, steal_fraction: stolen, solo_fraction: solo))
          let vsF32 = f32Seconds[variant].map { Report.format($0 / seconds, 2) } ?? "-"
          var line = [
            id, shape.description, "\(t)", Report.format(seconds * 1e6, 1), Report.format(gflops),
            "", vsF32,
          ]
          if let blocking {
            let first = firstSeconds[index % combinations.count]
            line += [blocking.description, Report.format(first / seconds, 3)]
          }
          table.append(line)
        }
        let reading = peaks.remeasure(threads: t)
        let cacheReading = peaks.remeasureCacheRate(threads: t)
        for i in rows.indices where rows[i].threads == t && rows[i].fma_rate_fraction == nil {
          rows[i].fma_rate_fraction = reading
          rows[i].cache_rate_fraction = cacheReading
        }
      }
    }
    // Shares of the run's highest peak, known only now.
    for i in rows.indices {
      let best = peaks.peak(threads: rows[i].threads)
      let fraction = rows[i].gflops! / best
      rows[i].peak_fraction = fraction
      rows[i].fma_rate_fraction = rows[i].fma_rate_fraction.map { $0 / best }
      let bestCacheRate = peaks.cacheRate(threads: rows[i].threads)
      rows[i].cache_rate_fraction = rows[i].cache_rate_fraction.map { $0 / bestCacheRate }
      table[i][5] = Report.format(100 * fraction) + "%"
    }
    peaks.printPeaks(" (highest reading of the run, used below)")
    let blockingColumns = variants.count > 1 ? ["blocking", "vs 1st blocking"] : []
    print(
      Report.table(
        ["kernel", "shape", "threads", "us", "GFLOP/s", "of peak", "vs f32"] + blockingColumns,
        table))
    if let note = RowConditions.note(rows) { print(note) }
    return rows
  }
}
