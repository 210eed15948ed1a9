// f32-vexp-simd16: e^x on SIMD16<Float>, for softmax and the activations built on it.
// Range reduction x = n ln2 + r (|r| <= ln2/2, Cody-Waite two-part ln2 with FMA), a degree-7
// Taylor polynomial for e^r in Horner form, and 2^n added to the exponent bits. Measured max
// error: see `vectorExpErrorIsWithinTwoULPs` (Tests/MantissaKernelsTests/Elementwise).

/// e^x for each lane. Results below 2^-126 (x < -87.33) flush to +0; x > 88.72 gives +inf;
/// NaN stays NaN. Max error about 1 ulp over the normal range (tested).
@inlinable @inline(__always)
func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
  let log2e: Float = 1.442_695_04
  let ln2High: Float = 0.693_145_751_953_125  // ln 2 with its low 12 bits zero: n*ln2High is exact
  let ln2Low: Float = 1.428_606_765_330_187e-06
  let clamped = x.replacing(with: -87.5, where: x .< -87.5)
    .replacing(with: 88.75, where: x .> 88.75)
  let n = (clamped * log2e).rounded(.toNearestOrEven)
  let r = clamped.addingProduct(-n, ln2High).addingProduct(-n, ln2Low)
  // Horner with FMAs (Swift never contracts `p * r + c` on its own).
  var p = SIMD16<Float>(repeating: 1.0 / 5040)
  p = SIMD16<Float>(repeating: 1.0 / 720).addingProduct(p, r)
  p = SIMD16<Float>(repeating: 1.0 / 120).addingProduct(p, r)
  p = SIMD16<Float>(repeating: 1.0 / 24).addingProduct(p, r)
  p = SIMD16<Float>(repeating: 1.0 / 6).addingProduct(p, r)
  p = SIMD16<Float>(repeating: 0.5).addingProduct(p, r)
  p = SIMD16<Float>(repeating: 1).addingProduct(p, r)
  p = SIMD16<Float>(repeating: 1).addingProduct(p, r)
  // 2^n: the magic-number add leaves n in the low mantissa bits (SIMD16<Int32>(_:) is a trapping
  // per-lane loop, SWIFT-SIMD.md).
  let magic: Float = 12_582_912  // 1.5 * 2^23
  let nBits =
    unsafeBitCast(n + magic, to: SIMD16<Int32>.self)
    &- unsafeBitCast(
      SIMD16<Float>(repeating: magic), to: SIMD16<Int32>.self)
  var result = unsafeBitCast(
    unsafeBitCast(p, to: SIMD16<Int32>.self) &+ (nBits &<< 23), to: SIMD16<Float>.self)
  result = result.replacing(with: 0, where: x .< -87.33)
  result = result.replacing(with: .infinity, where: x .> 88.72)
  return result.replacing(with: x, where: x .!= x)
}

/// The largest lane.
@inlinable @inline(__always)
func horizontalMax(_ v: SIMD16<Float>) -> Float {
  let a = v.lowHalf.replacing(with: v.highHalf, where: v.lowHalf .< v.highHalf)
  let b = a.lowHalf.replacing(with: a.highHalf, where: a.lowHalf .< a.highHalf)
  let c = b.lowHalf.replacing(with: b.highHalf, where: b.lowHalf .< b.highHalf)
  return c[0] < c[1] ? c[1] : c[0]
}

/// Public for tests and the precision report: `e^x` over `count` Floats with
/// ``exp(_:)``'s vector algorithm (`f32-vexp-simd16`). `out` may be `x`.
/// - Precondition: `count >= 0`.
public func vectorExp(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int)
{
  mantissaRequire(count >= 0, "vectorExp: count = \(count) must be non-negative")
  var i = 0
  while i + 16 <= count {
    Float.store16(exp(Float.load16(x + i)), out + i)
    i += 16
  }
  if i < count {
    let v = exp(loadPartial(x + i, count - i))
    for j in 0..<(count - i) { out[i + j] = v[j] }
  }
}
