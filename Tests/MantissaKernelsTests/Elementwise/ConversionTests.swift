import MantissaKernels
import MantissaReference
import Testing

@Test func everyFloat16WidensExactly() {
  let all = (0...UInt16.max).map { Float16(bitPattern: $0) }
  var out = [Float](repeating: -1, count: all.count)
  convert(all, to: &out, count: all.count)
  for (i, h) in all.enumerated() {
    let want = Reference.value(float16Bits: h.bitPattern)
    if want.isNaN {
      #expect(
        out[i].isNaN, "f16-f32-vcvt-simd16: 0x\(String(h.bitPattern, radix: 16)) -> \(out[i])")
    } else {
      #expect(
        Double(out[i]) == want,
        "f16-f32-vcvt-simd16: 0x\(String(h.bitPattern, radix: 16)) -> \(out[i]), want \(want)")
    }
  }
}

/// Every Float16 value, the Float midpoints between neighbours (ties), one Float ulp either
/// side of each midpoint, the overflow boundary, infinities, NaN and Float subnormals.
func conversionProbes() -> [Float] {
  var probes: [Float] = []
  for bits in UInt16(0)..<0x7C00 {
    let here = Float(Float16(bitPattern: bits))
    let next = Float(Float16(bitPattern: bits + 1))
    let mid = here + (next - here) / 2
    probes += [here, mid, mid.nextUp, mid.nextDown, -here, -mid, -mid.nextUp]
  }
  probes += [
    Float(65504), 65519.99, 65520, 65520.01, 1e6, .infinity, -.infinity, .nan,
    .leastNonzeroMagnitude, .leastNormalMagnitude, 0x1p-25, Float(0x1p-25).nextUp, 0x1p-26,
  ]
  return probes
}

@Test func floatToFloat16RoundsToNearestEven() {
  let probes = conversionProbes()
  var out = [Float16](repeating: 0, count: probes.count)
  convert(probes, to: &out, count: probes.count)
  var failures = 0
  for (i, x) in probes.enumerated() {
    let want = Reference.float16Bits(nearest: x)
    let ok = x.isNaN ? out[i].isNaN : out[i].bitPattern == want
    if !ok && failures < 10 {
      failures += 1
      Issue.record(
        "f32-f16-vcvt-simd16: \(x) -> 0x\(String(out[i].bitPattern, radix: 16)), want 0x\(String(want, radix: 16))"
      )
    }
  }
  #expect(failures == 0)
}

@Test func saturatingConversionClampsFiniteOverflowOnly() {
  let input: [Float] = [
    1e6, -1e6, 65520, 70000, -65536, .infinity, -.infinity, .nan, 1.5, -0.0,
    65504, 3, 4, 5, 6, 7, 8,
  ]
  var out = [Float16](repeating: 0, count: input.count)
  convertSaturating(input, to: &out, count: input.count)
  #expect(out[0] == 65504)
  #expect(out[1] == -65504)
  #expect(out[2] == 65504)
  #expect(out[3] == 65504)
  #expect(out[4] == -65504)
  #expect(out[5] == .infinity)
  #expect(out[6] == -.infinity)
  #expect(out[7].isNaN)
  #expect(out[8] == 1.5)
  #expect(out[9] == 0 && out[9].sign == .minus)
  #expect(Array(out[10...]) == [65504, 3, 4, 5, 6, 7, 8])
}

@Test func referenceFloat16RoundingAgreesWithKnownValues() {
  #expect(Reference.float16Bits(nearest: 1) == 0x3C00)
  #expect(Reference.float16Bits(nearest: 65504) == 0x7BFF)
  #expect(Reference.float16Bits(nearest: 65520) == 0x7C00)  // the tie rounds to even: infinity
  #expect(Reference.float16Bits(nearest: 0x1p-24) == 0x0001)
  #expect(Reference.float16Bits(nearest: 0x1p-25) == 0x0000)  // tie to even zero
  #expect(Reference.float16Bits(nearest: 1 + 0x1p-11) == 0x3C00)  // tie to even
  #expect(Reference.float16Bits(nearest: 1 + 0x1p-11 + 0x1p-20) == 0x3C01)
}
