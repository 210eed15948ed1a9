import Testing

@testable import MantissaKernels

// `rectified` is the ReLU of every fused epilogue and of the elementwise ReLU. AVX builds take
// it from one max instruction whose result for NaN and for two zeros depends on the operand
// order, so its bits are checked against the select it stands for: negative lanes (-inf and
// negative subnormals included) become +0, while NaN, -0 and +0 lanes keep their bits.

private let specials: [Float] = [
  -1, -0.0, 0, 1, .nan, -Float.nan, -.infinity, .infinity, -Float.leastNonzeroMagnitude,
  Float.leastNonzeroMagnitude, -Float.greatestFiniteMagnitude, 3.5, -2.25, 65504, -65504,
  Float(bitPattern: 0x7fa0_0001),
]

private func expectedBits(_ x: Float) -> UInt32 { (x < 0 ? Float(0) : x).bitPattern }

@Test func rectifiedKeepsNaNAndSignedZeroBits() {
  // Every special value in every lane position, on 16 and on 8 lanes.
  for shift in 0..<specials.count {
    var v16 = SIMD16<Float>()
    var v8 = SIMD8<Float>()
    for lane in 0..<16 { v16[lane] = specials[(lane + shift) % specials.count] }
    for lane in 0..<8 { v8[lane] = specials[(lane + shift) % specials.count] }
    let r16 = rectified(v16)
    let r8 = rectified(v8)
    for lane in 0..<16 {
      #expect(
        r16[lane].bitPattern == expectedBits(v16[lane]),
        "rectified(SIMD16) lane \(lane): \(v16[lane]) gave \(r16[lane])")
    }
    for lane in 0..<8 {
      #expect(
        r8[lane].bitPattern == expectedBits(v8[lane]),
        "rectified(SIMD8) lane \(lane): \(v8[lane]) gave \(r8[lane])")
    }
  }
}
