import Foundation
import MantissaKernels
import Testing

@Test(arguments: [1, 16, 17, 100])
func mseLossAndGradientMatchDouble(count: Int) {
  let p = randomFloats(count, seed: 17)
  let t = randomFloats(count, seed: 18)
  var g = [Float](repeating: 0, count: count)
  let loss = mseLoss(prediction: p, target: t, count: count, gradient: &g, gradientScale: 8)
  var exact = 0.0
  for i in 0..<count { exact += pow(Double(p[i]) - Double(t[i]), 2) }
  exact /= Double(count)
  #expect(abs(Double(loss) - exact) <= 300 * Double(Float.ulpOfOne) * exact, "f32-mse-simd16 loss")
  for i in 0..<count {
    let want = 8 * 2 * (Double(p[i]) - Double(t[i])) / Double(count)
    #expect(
      abs(Double(g[i]) - want) <= 3 * Double(Float.ulpOfOne) * abs(want),
      "f32-mse-simd16 gradient at \(i)")
  }
}

@Test(arguments: [false, true])
func sgdWithMomentumFollowsPyTorch(nesterov: Bool) {
  let count = 37
  var w = randomFloats(count, seed: 19)
  var wd = w.map(Double.init)
  var buf = [Float](repeating: 0, count: count)
  var bufD = [Double](repeating: 0, count: count)
  var half = [Float16](repeating: 0, count: count)
  for step in 0..<3 {
    let g = randomFloats(count, seed: 20 + UInt64(step))
    let options = SGDOptions(
      learningRate: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01, nesterov: nesterov,
      firstStep: step == 0)
    sgdUpdate(
      weights: &w, gradients: g, momentumBuffer: &buf, count: count, options: options,
      halfCopy: &half)
    for i in 0..<count {
      var gi = Double(g[i]) + 0.01 * wd[i]
      bufD[i] = step == 0 ? gi : 0.9 * bufD[i] + 0.9 * gi
      gi = nesterov ? gi + 0.9 * bufD[i] : bufD[i]
      wd[i] -= 0.1 * gi
    }
  }
  for i in 0..<count {
    #expect(abs(Double(w[i]) - wd[i]) <= 1e-5 * max(1, abs(wd[i])), "f32-sgd-simd16 at \(i)")
    #expect(half[i] == Float16(w[i]), "f32-sgd-simd16 Float16 copy at \(i)")
  }
}

@Test(arguments: [false, true])
func adamAndAdamWFollowPyTorch(decoupled: Bool) {
  let count = 41
  var w = randomFloats(count, seed: 30)
  var wd = w.map(Double.init)
  var m = [Float](repeating: 0, count: count)
  var v = [Float](repeating: 0, count: count)
  var mD = [Double](repeating: 0, count: count)
  var vD = [Double](repeating: 0, count: count)
  for step in 1...4 {
    let g = randomFloats(count, seed: 40 + UInt64(step))
    let options = AdamOptions(
      learningRate: 0.01, weightDecay: 0.1, decoupledWeightDecay: decoupled, step: step)
    adamUpdate(
      weights: &w, gradients: g, firstMoment: &m, secondMoment: &v, count: count, options: options)
    for i in 0..<count {
      var gi = Double(g[i])
      if decoupled { wd[i] -= 0.01 * 0.1 * wd[i] } else { gi += 0.1 * wd[i] }
      mD[i] = 0.9 * mD[i] + 0.1 * gi
      vD[i] = 0.999 * vD[i] + 0.001 * gi * gi
      let mHat = mD[i] / (1 - pow(0.9, Double(step)))
      let vHat = vD[i] / (1 - pow(0.999, Double(step)))
      wd[i] -= 0.01 * mHat / (vHat.squareRoot() + 1e-8)
    }
  }
  for i in 0..<count {
    #expect(
      abs(Double(w[i]) - wd[i]) <= 1e-5 * max(1, abs(wd[i])),
      "f32-adam\(decoupled ? "w" : "")-simd16 at \(i)")
  }
}
