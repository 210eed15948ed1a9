import MantissaKernels
import MantissaNN

/// `mantissa-bench train`: time per training step of the seed example and of a large MLP
/// (batch 4096, 1024 -> 4096 -> 1024, ReLU, MSE, SGD), FP32 and mixed, per thread count, with
/// the share of the step spent in its GEMMs (the same GEMMs, with the layers' epilogues and
/// storage types, timed alone in the same run).
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
          // The five GEMMs of ``gemmsOfStep``: forward and weight gradient of both layers,
          // the input gradient of the second only.
          let flops =
            2.0 * Double(spec.batch)
            * Double(2 * spec.inputs * spec.hidden + 3 * spec.hidden * spec.outputs)
          let minimumTime = flops > 1e10 ? 1.0 : 0.3
          let conditions = RowConditions()
          let seconds = Machine.bestTime(minimumTime: minimumTime) {
            optimizer.zeroGrad()
            optimizer.backward(mse(model(x), y))
            optimizer.step()
          }
          let gemmSeconds: Double
          if precision == .fp32 {
            let buffers = GEMMBuffers<Float>(spec)
            gemmSeconds = Machine.bestTime(minimumTime: minimumTime) {
              gemmsOfStep(buffers, activations: gemm, weightGradient: gemm)
            }
            buffers.free()
          } else {
            let buffers = GEMMBuffers<Float16>(spec)
            gemmSeconds = Machine.bestTime(minimumTime: minimumTime) {
              gemmsOfStep(buffers, activations: gemm, weightGradient: gemm)
            }
            buffers.free()
          }
          if precision == .fp32 { fp32Seconds = seconds }
          let id = "train-\(spec.name)-\(precision == .fp32 ? "fp32" : "mixed-f16")"
          rows.append(
            BenchRow(
              suite: "train", id: id, m: spec.batch, n: spec.outputs, k: spec.inputs, threads: t,
              seconds: seconds, gflops: flops / seconds * 1e-9, cpu: Machine.cpu,
              steal_fraction: conditions.stealFraction(), solo_fraction: conditions.soloFraction()))
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
    if let note = RowConditions.note(rows) { print(note) }
    return rows
  }

  /// The operands of one step's GEMMs, allocated outside the timed loop: activations and
  /// weights in the precision's storage type `E`, weight gradients and biases in Float.
  struct GEMMBuffers<E: BinaryFloatingPoint> {
    let spec: Model
    let x, h, y, dy, dh, w1, w2: UnsafeMutablePointer<E>
    let dw1, dw2, b1, b2: UnsafeMutablePointer<Float>

    init(_ s: Model) {
      spec = s
      func values<T: BinaryFloatingPoint>(_ count: Int) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: count)
        // Small values of both signs, so about half of a ReLU mask is zero.
        for i in 0..<count { p[i] = T(Float((i &* 7919) % 1000) / 10_000 - 0.05) }
        return p
      }
      x = values(s.batch * s.inputs)
      h = values(s.batch * s.hidden)
      y = values(s.batch * s.outputs)
      dy = values(s.batch * s.outputs)
      dh = values(s.batch * s.hidden)
      w1 = values(s.hidden * s.inputs)
      w2 = values(s.outputs * s.hidden)
      dw1 = values(s.hidden * s.inputs)
      dw2 = values(s.outputs * s.hidden)
      b1 = values(s.hidden)
      b2 = values(s.outputs)
    }

    func free() {
      for p in [x, h, y, dy, dh, w1, w2] { p.deallocate() }
      for p in [dw1, dw2, b1, b2] { p.deallocate() }
    }
  }

  /// One `gemm` overload as a function value: (transA, transB, m, n, k, alpha, a, lda, b, ldb,
  /// beta, c, ldc, bias, relu, reluMask, threads).
  typealias GEMMCall<E, C> = (
    Transpose, Transpose, Int, Int, Int, Float, UnsafePointer<E>, Int, UnsafePointer<E>, Int,
    Float, UnsafeMutablePointer<C>, Int, UnsafePointer<Float>?, Bool, UnsafePointer<C>?, Int?
  ) -> Void

  /// The five GEMMs of one step as Linear makes them (forward 2 with their bias and ReLU
  /// epilogues, backward 3: weight gradients accumulated with beta 1, the hidden layer's input
  /// gradient masked by its ReLU; the first layer's input gradient is not needed), through
  /// `activations` (C in `E`) and `weightGradient` (C in Float).
  static func gemmsOfStep<E>(
    _ b: GEMMBuffers<E>, activations: GEMMCall<E, E>, weightGradient: GEMMCall<E, Float>
  ) {
    let (n, i, hd, o) = (b.spec.batch, b.spec.inputs, b.spec.hidden, b.spec.outputs)
    let (nt, tn, nn) = (
      (Transpose.noTranspose, Transpose.transpose), (Transpose.transpose, Transpose.noTranspose),
      (Transpose.noTranspose, Transpose.noTranspose)
    )
    activations(nt.0, nt.1, n, hd, i, 1, b.x, i, b.w1, i, 0, b.h, hd, b.b1, true, nil, nil)
    activations(nt.0, nt.1, n, o, hd, 1, b.h, hd, b.w2, hd, 0, b.y, o, b.b2, false, nil, nil)
    weightGradient(tn.0, tn.1, o, hd, n, 1, b.dy, o, b.h, hd, 1, b.dw2, hd, nil, false, nil, nil)
    activations(nn.0, nn.1, n, hd, o, 1, b.dy, o, b.w2, hd, 0, b.dh, hd, nil, false, b.h, nil)
    weightGradient(tn.0, tn.1, hd, i, n, 1, b.dh, hd, b.x, i, 1, b.dw1, i, nil, false, nil, nil)
  }
}
