// f32-vrelu-simd16, f16-vrelu-simd16, f32-vlrelu-simd16 ... and their backward kernels.
// ReLU keeps NaN (a NaN input is not below zero) so that a diverging run stays visible.

/// `out[i] = x[i] < 0 ? negativeSlope * x[i] : x[i]`: ReLU for `negativeSlope == 0`
/// (`f32-vrelu-simd16`, `f16-vrelu-simd16`), LeakyReLU otherwise (`f32-vlrelu-simd16`,
/// `f16-vlrelu-simd16`). NaN passes through. `out` may be `x`.
/// - Precondition: `count >= 0`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func leakyReLU<T: VectorElement>(
  _ x: UnsafePointer<T>, into out: UnsafeMutablePointer<T>, count: Int,
  negativeSlope: Float = 0, threads: Int? = nil
) {
  mantissaRequire(count >= 0, "leakyReLU: count = \(count) must be non-negative")
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
