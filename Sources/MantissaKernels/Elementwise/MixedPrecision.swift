// f32-vunscale-checkfinite-simd16, f16-checkfinite-simd16: the loss scaler's passes over
// gradients (PyTorch's _amp_foreach_non_finite_check_and_unscale_ in one pass).

/// Multiplies `count` Float gradients by `inverseScale` in place and reports whether every
/// result is finite (`f32-vunscale-checkfinite-simd16`). The scaled gradients of a
/// mixed-precision step are unscaled with `inverseScale = 1 / lossScale` before clipping or the
/// optimizer; `false` means the step must be skipped (the caller keeps weights untouched).
/// An inf or NaN anywhere, including the tail, is found; the whole array is still unscaled.
/// - Precondition: `count >= 0`.
/// - Returns: `true` when all unscaled values are finite.
public func unscaleAndCheckFinite(
  _ gradients: UnsafeMutablePointer<Float>, count: Int, inverseScale: Float, threads: Int? = nil
) -> Bool {
  mantissaRequire(count >= 0, "unscaleAndCheckFinite: count = \(count) must be non-negative")
  let slots = MantissaThreads.resolve(threads, function: "unscaleAndCheckFinite")
  return withUnsafeTemporaryAllocation(of: Bool.self, capacity: slots) { flags in
    let finiteInChunk = flags.baseAddress!
    finiteInChunk.initialize(repeating: true, count: slots)
    forEachChunk(count: count, threads: slots, function: "unscaleAndCheckFinite") {
      part, range in
      var bad = SIMDMask<SIMD16<Int32>>()
      var i = range.lowerBound
      while i + 16 <= range.upperBound {
        let v = Float.load16(gradients + i) * inverseScale
        // v - v is 0 for finite lanes and NaN for inf or NaN ones.
        bad .|= (v - v) .!= 0
        Float.store16(v, gradients + i)
        i += 16
      }
      var finite = !any(bad)
      while i < range.upperBound {
        let v = gradients[i] * inverseScale
        if !v.isFinite { finite = false }
        gradients[i] = v
        i += 1
      }
      finiteInChunk[part] = finite
    }
    return (0..<slots).allSatisfy { finiteInChunk[$0] }
  }
}

/// Whether all `count` Float16 values are finite (`f16-checkfinite-simd16`), for checking
/// Float16 activations or gradients.
/// - Precondition: `count >= 0`.
public func allFinite(_ x: UnsafePointer<Float16>, count: Int) -> Bool {
  mantissaRequire(count >= 0, "allFinite: count = \(count) must be non-negative")
  // Widened, as the Float check: inf and NaN stay inf and NaN, and `v - v` is nonzero only for
  // them. Testing the exponent bits in place reduced a 16-lane Int16 mask with an out-of-line
  // call of `SIMD16<Int16>.min()` per vector.
  var i = 0
  while i + 16 <= count {
    let v = loadWidened16(x + i)
    if any((v - v) .!= 0) { return false }
    i += 16
  }
  while i < count {
    if !x[i].isFinite { return false }
    i += 1
  }
  return true
}

/// Whether all `count` Float values are finite (`f32-checkfinite-simd16`).
/// - Precondition: `count >= 0`.
public func allFinite(_ x: UnsafePointer<Float>, count: Int) -> Bool {
  mantissaRequire(count >= 0, "allFinite: count = \(count) must be non-negative")
  var i = 0
  while i + 16 <= count {
    let v = Float.load16(x + i)
    if any((v - v) .!= 0) { return false }
    i += 16
  }
  while i < count {
    if !x[i].isFinite { return false }
    i += 1
  }
  return true
}
