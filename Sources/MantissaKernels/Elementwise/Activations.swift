// f32-vrelu-simd16, f16-vrelu-simd32, f32-vlrelu-simd16 ... and their backward kernels.
// ReLU keeps NaN (a NaN input is not below zero) so that a diverging run stays visible.

/// `out[i] = x[i] < 0 ? negativeSlope * x[i] : x[i]`: ReLU for `negativeSlope == 0`
/// (`f32-vrelu-simd16`, `f16-vrelu-simd32`; negatives, -inf included, become +0), LeakyReLU
/// otherwise (`f32-vlrelu-simd16`, `f16-vlrelu-simd16`). NaN passes through. `out` may be `x`.
/// - Precondition: `count >= 0`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func leakyReLU<T: VectorElement>(
  _ x: UnsafePointer<T>, into out: UnsafeMutablePointer<T>, count: Int,
  negativeSlope: Float = 0, threads: Int? = nil
) {
  mantissaRequire(count >= 0, "leakyReLU: count = \(count) must be non-negative")
  if negativeSlope == 0 {
    // ReLU proper: negatives (-inf included, which `x * 0` would turn into NaN) become +0.
    if T.self == Float16.self {
      forEachChunk(count: count, threads: threads, function: "leakyReLU") { range in
        reluFloat16Bits(
          UnsafeRawPointer(x).assumingMemoryBound(to: UInt16.self),
          UnsafeMutableRawPointer(out).assumingMemoryBound(to: UInt16.self), range)
      }
      return
    }
    forEachChunk(count: count, threads: threads, function: "leakyReLU") { range in
      var i = range.lowerBound
      while i + 16 <= range.upperBound {
        let v = T.load16(x + i)
        T.store16(rectified(v), out + i)
        i += 16
      }
      while i < range.upperBound {
        let v = T.load1(x + i)
        T.store1(v < 0 ? 0 : v, out + i)
        i += 1
      }
    }
    return
  }
  forEachChunk(count: count, threads: threads, function: "leakyReLU") { range in
    var i = range.lowerBound
    while i + 16 <= range.upperBound {
      let v = T.load16(x + i)
      T.store16(v.replacing(with: v * negativeSlope, where: v .< 0), out + i)
      i += 16
    }
    while i < range.upperBound {
      let v = T.load1(x + i)
      T.store1(v < 0 ? v * negativeSlope : v, out + i)
      i += 1
    }
  }
}

/// The gradient of ``leakyReLU(_:into:count:negativeSlope:threads:)`` given its forward input or
/// output `x` (they have the same sign): `gradIn[i] = x[i] > 0 ? gradOut[i] : negativeSlope *
/// gradOut[i]` (`f32-vrelu-backward-simd16`, ...). At `x == 0` the gradient is taken from the
/// negative side (0 for ReLU), as PyTorch does. `gradIn` may be `gradOut`.
/// - Precondition: `count >= 0`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func leakyReLUBackward<T: VectorElement>(
  _ x: UnsafePointer<T>, gradOut: UnsafePointer<T>, into gradIn: UnsafeMutablePointer<T>,
  count: Int, negativeSlope: Float = 0, threads: Int? = nil
) {
  mantissaRequire(count >= 0, "leakyReLUBackward: count = \(count) must be non-negative")
  forEachChunk(count: count, threads: threads, function: "leakyReLUBackward") { range in
    var i = range.lowerBound
    while i + 16 <= range.upperBound {
      let v = T.load16(x + i)
      let g = T.load16(gradOut + i)
      T.store16((g * negativeSlope).replacing(with: g, where: v .> 0), gradIn + i)
      i += 16
    }
    while i < range.upperBound {
      let g = T.load1(gradOut + i)
      T.store1(T.load1(x + i) > 0 ? g : g * negativeSlope, gradIn + i)
      i += 1
    }
  }
}

/// ReLU on Float16 bit patterns, 32 at a time as pairs in 32-bit lanes, without leaving the
/// integer domain: a pattern in 0x8000...0xFC00 (-0 through -inf) becomes +0; NaNs (above
/// 0xFC00) and non-negatives pass. Converting to Float and back costs more than the memory
/// traffic, and `SIMD32<Int16>` comparisons and shifts compile to per-lane code
/// (Docs/SwiftSIMDNotes.md), hence the 32-bit lanes.
@inline(__always)
func reluFloat16Bits(
  _ x: UnsafePointer<UInt16>, _ out: UnsafeMutablePointer<UInt16>, _ range: Range<Int>
) {
  let lowHalf = SIMD16<UInt32>(repeating: 0xFFFF)
  let signBit = SIMD16<UInt32>(repeating: 0x8000)
  let negativeSpan = SIMD16<UInt32>(repeating: 0x7C00)
  let allOnes = SIMD16<UInt32>(repeating: 0xFFFF_FFFF)
  var i = range.lowerBound
  while i + 32 <= range.upperBound {
    let pair = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<UInt32>.self)
    // Unsigned wrap-around: (h - 0x8000) <= 0x7C00 exactly for h in 0x8000...0xFC00.
    let clearLow = ((pair & lowHalf) &- signBit) .<= negativeSpan
    let clearHigh = ((pair &>> 16) &- signBit) .<= negativeSpan
    var keep = allOnes.replacing(with: allOnes &<< 16, where: clearLow)
    keep = keep.replacing(with: keep & lowHalf, where: clearHigh)
    UnsafeMutableRawPointer(out + i).storeBytes(of: pair & keep, as: SIMD16<UInt32>.self)
    i += 32
  }
  while i < range.upperBound {
    out[i] = x[i] &- 0x8000 <= 0x7C00 ? 0 : x[i]
    i += 1
  }
}
