import MantissaNN
import MantissaReference
import Testing

/// A Double reference of `Linear -> ReLU -> Linear` with MSE, for central differences.
private func referenceLoss(
  w1: [Double], b1: [Double], w2: [Double], b2: [Double], x: [Double], y: [Double],
  batch: Int, inputs: Int, hidden: Int, outputs: Int
) -> Double {
  var total = 0.0
  for r in 0..<batch {
    var h = [Double](repeating: 0, count: hidden)
    for j in 0..<hidden {
      var s = b1[j]
      for i in 0..<inputs { s += x[r * inputs + i] * w1[j * inputs + i] }
      h[j] = max(s, 0)
    }
    for o in 0..<outputs {
      var s = b2[o]
      for j in 0..<hidden { s += h[j] * w2[o * hidden + j] }
      let d = s - y[r * outputs + o]
      total += d * d
    }
  }
  return total / Double(batch * outputs)
}

@Test func linearReLUAndMSEGradientsMatchCentralDifferences() {
  let (batch, inputs, hidden, outputs) = (7, 5, 6, 3)
  let x = Tensor.randomNormal([batch, inputs], seed: 1)
  let y = Tensor.randomNormal([batch, outputs], seed: 2)
  let fc1 = Linear(inputs, hidden, seed: 3)
  let fc2 = Linear(hidden, outputs, seed: 4)
  let model = Sequential(fc1, ReLU(), fc2)
  let optimizer = SGD(model, learningRate: 0)
  optimizer.zeroGrad()
  let loss = MSELoss()(model(x), y)
  optimizer.backward(loss)

  var params = [fc1.weight, fc1.bias!, fc2.weight, fc2.bias!].map {
    $0.value.toArray().map(Double.init)
  }
  let xs = x.toArray().map(Double.init)
  let ys = y.toArray().map(Double.init)
  func lossAt(_ p: [[Double]]) -> Double {
    referenceLoss(
      w1: p[0], b1: p[1], w2: p[2], b2: p[3], x: xs, y: ys, batch: batch, inputs: inputs,
      hidden: hidden, outputs: outputs)
  }
  #expect(abs(Double(loss.value) - lossAt(params)) <= 1e-5 * lossAt(params), "MSE loss value")
  let analytic = [fc1.weight, fc1.bias!, fc2.weight, fc2.bias!].map { $0.gradient.toArray() }
  let h = 1e-6
  for t in 0..<4 {
    for i in 0..<params[t].count {
      let saved = params[t][i]
      params[t][i] = saved + h
      let up = lossAt(params)
      params[t][i] = saved - h
      let down = lossAt(params)
      params[t][i] = saved
      let numeric = (up - down) / (2 * h)
      // Float32 forward/backward against a Double central difference (error O(h^2) + 1e-10/h).
      #expect(
        abs(Double(analytic[t][i]) - numeric) <= 1e-4 * max(1, abs(numeric)),
        "parameter \(t) element \(i): analytic \(analytic[t][i]), numeric \(numeric)")
    }
  }
}

@Test func mixedPrecisionGradientsAgreeWithFP32WithinFloat16Rounding() {
  let x = Tensor.randomNormal([64, 12], seed: 5)
  let y = Tensor.randomNormal([64, 4], seed: 6)
  var gradients: [[Float]] = []
  for precision in [Precision.fp32, .mixedFP16] {
    let model = Sequential(
      Linear(12, 16, seed: 7), ReLU(), Linear(16, 4, seed: 8), precision: precision)
    let optimizer = SGD(model, learningRate: 0)
    optimizer.zeroGrad()
    optimizer.backward(MSELoss()(model(x), y))
    // Unscale without updating (learning rate 0) to compare true gradients.
    #expect(optimizer.step())
    gradients.append(model.parameters.flatMap { $0.gradient.toArray() })
  }
  let scale = gradients[0].map { abs($0) }.max()!
  for (a, b) in zip(gradients[0], gradients[1]) {
    // Activations and weights rounded to Float16 (relative 2^-11 each, a few layers deep).
    #expect(abs(a - b) <= 0.01 * scale, "fp32 \(a) vs mixed \(b)")
  }
}

@Test(arguments: ["sigmoid", "tanh", "silu", "gelu", "gelu-erf", "leaky"])
func activationLayerGradientsMatchCentralDifferences(name: String) {
  func make() -> Layer {
    switch name {
    case "sigmoid": Sigmoid()
    case "tanh": Tanh()
    case "silu": SiLU()
    case "gelu": GELU()
    case "gelu-erf": GELU(approximate: false)
    default: ReLU(negativeSlope: 0.1)
    }
  }
  let x = Tensor.randomNormal([5, 7], standardDeviation: 2, seed: 20)
  let target = Tensor.randomNormal([5, 7], seed: 21)
  let layer = make()
  let loss = MSELoss()(layer.forward(x), target)
  let dx = layer.backward(loss.gradient())
  // Loss as a Double function of one input element, through the layer itself (Float32 forward).
  for i in 0..<x.count {
    let h: Float = 1e-2
    let saved = x[i]
    x[i] = saved + h
    let up = Double(MSELoss()(make().forward(x), target).value)
    x[i] = saved - h
    let down = Double(MSELoss()(make().forward(x), target).value)
    x[i] = saved
    let numeric = (up - down) / (2 * Double(h))
    #expect(
      abs(Double(dx[i]) - numeric) <= 2e-3 * max(1, abs(numeric)),
      "\(name) input \(i): \(dx[i] as Float) vs \(numeric)")
  }
}
