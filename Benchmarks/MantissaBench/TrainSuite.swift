import MantissaKernels
import MantissaNN

/// `mantissa-bench train`: time per training step of the seed example and of a large MLP
/// (batch 4096, 1024 -> 4096 -> 1024, ReLU, MSE, SGD), FP32 and mixed, per thread count, with
/// the share of the step spent in its GEMMs (the same GEMMs timed alone in the same run).
enum TrainSuite {
  struct Model {
    var name: String
    var batch: Int
    var inputs: Int
    var hidden: Int
    var outputs: Int
  }

  static func run(threads: [Int], quick: Bool) -> [BenchRow] {
    let models = [
      Model(name: "seed", batch: 1000, inputs: 10, hidden: 20, outputs: 1),
      quick
        ? Model(name: "mlp-1024", batch: 1024, inputs: 1024, hidden: 1024, outputs: 1024)
        : Model(name: "mlp-4096", batch: 4096, inputs: 1024, hidden: 4096, outputs: 1024),
    ]
    var rows: [BenchRow] = []
    var table: [[String]] = []
    for spec in models {
      let x = Tensor.randomNormal([spec.batch, spec.inputs], seed: 1)
      let y = Tensor.randomNormal([spec.batch, spec.outputs], seed: 2)
      for t in threads {
        MantissaThreads.defaultCount = t
        var fp32Seconds: Double?
        for precision in [Precision.fp32, .mixedFP16] {
          let model = Sequential(
            Linear(spec.inputs, spec.hidden, seed: 3), ReLU(),
            Linear(spec.hidden, spec.outputs, seed: 4), precision: precision)
          let optimizer = SGD(model, learningRate: 1e-4)
          let mse = MSELoss()
          let flops =
            6.0 * Double(spec.batch)
            * Double(spec.inputs * spec.hidden + spec.hidden * spec.outputs)
          let minimumTime = flops > 1e10 ? 1.0 : 0.3
          let seconds = Machine.bestTime(minimumTime: minimumTime) {
            optimizer.zeroGrad()
            optimizer.backward(mse(model(x), y))
            optimizer.step()
          }
          let buffers = GEMMBuffers(spec)
          let gemmSeconds = Machine.bestTime(minimumTime: minimumTime) {
            gemmsOfStep(spec, precision: precision, buffers)
          }
          buffers.free()
          if precision == .fp32 { fp32Seconds = seconds }
          let id = "train-\(spec.name)-\(precision == .fp32 ? "fp32" : "mixed-f16")"
          rows.append(
            BenchRow(
              suite: "train", id: id, m: spec.batch, n: spec.outputs, k: spec.inputs, threads: t,
              seconds: seconds, gflops: flops / seconds * 1e-9, cpu: Machine.cpu))
          table.append([
            id, "\(t)", Report.format(seconds * 1e6), Report.format(flops / seconds * 1e-9),
            Report.format(100 * min(1, gemmSeconds / seconds)) + "%",
            fp32Seconds.map { Report.format(seconds / $0, 2) } ?? "-",
          ])
        }
      }
    }
    MantissaThreads.defaultCount = nil
    print(Report.table(["model", "threads", "us/step", "GFLOP/s", "in GEMM", "vs fp32"], table))
    return rows
  }

  /// Operand buffers for ``gemmsOfStep(_:precision:_:)``, allocated outside the timed loop.
  struct GEMMBuffers {
    let a16: UnsafeMutablePointer<Float16>
    let a32: UnsafeMutablePointer<Float>
    let c: UnsafeMutablePointer<Float>

    init(_ s: Model) {
      let count = max(s.batch, s.hidden, s.inputs) * max(s.batch, s.hidden, s.inputs, s.outputs)
      a16 = .allocate(capacity: count)
      a32 = .allocate(capacity: count)
      c = .allocate(capacity: count)
      a16.initialize(repeating: 0.01, count: count)
      a32.initialize(repeating: 0.01, count: count)
    }

    func free() {
      a16.deallocate()
      a32.deallocate()
      c.deallocate()
    }
  }

  /// The five GEMMs of one step (forward 2, backward 3: the first layer's input gradient is
  /// not needed), with the storage types the precision uses.
  static func gemmsOfStep(_ s: Model, precision: Precision, _ b: GEMMBuffers) {
    let shapes = [
      (s.batch, s.hidden, s.inputs, Transpose.noTranspose, Transpose.transpose),
      (s.batch, s.outputs, s.hidden, .noTranspose, .transpose),
      (s.outputs, s.hidden, s.batch, .transpose, .noTranspose),
      (s.batch, s.hidden, s.outputs, .noTranspose, .noTranspose),
      (s.hidden, s.inputs, s.batch, .transpose, .noTranspose),
    ]
    for (m, n, k, ta, tb) in shapes {
      let lda = ta == .noTranspose ? k : m
      let ldb = tb == .noTranspose ? n : k
      if precision == .fp32 {
        gemm(ta, tb, m: m, n: n, k: k, a: b.a32, lda: lda, b: b.a32, ldb: ldb, c: b.c, ldc: n)
      } else {
        gemm(ta, tb, m: m, n: n, k: k, a: b.a16, lda: lda, b: b.a16, ldb: ldb, c: b.c, ldc: n)
      }
    }
  }
}
