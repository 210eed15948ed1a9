// f32-mse-simd16, f16-mse-simd16: mean squared error and its gradient in one pass.

/// Mean squared error `loss = (1 / count) * sum_i (prediction[i] - target[i])^2`, accumulated in
/// Float32 in the order of ``sum(_:count:threads:)``, and, when `gradient` is given,
/// `gradient[i] = gradientScale * 2 * (prediction[i] - target[i]) / count` (`gradientScale` is
/// the loss scale of a mixed-precision step, 1 otherwise). `gradient` may be `prediction`.
/// `f32-mse-simd16` for Float predictions, `f16-mse-simd16` for Float16 ones (targets Float).
/// - Precondition: `count >= 1`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func mseLoss<T: VectorElement>(
  prediction: UnsafePointer<T>, target: UnsafePointer<Float>, count: Int,
  gradient: UnsafeMutablePointer<T>? = nil, gradientScale: Float = 1, threads: Int? = nil
) -> Float {
  mantissaRequire(count >= 1, "mseLoss: count = \(count) must be at least 1")
  let loss =
    blockedSum(
      count: count, threads: threads, function: "mseLoss",
      SquaredDifferences(prediction: prediction, target: target)) / Float(count)
  if let gradient {
    let factor = 2 * gradientScale / Float(count)
    forEachChunk(count: count, threads: threads, function: "mseLoss") { range in
      var i = range.lowerBound
      while i + 16 <= range.upperBound {
        let d = T.load16(prediction + i) - Float.load16(target + i)
        T.store16(d * factor, gradient + i)
        i += 16
      }
      while i < range.upperBound {
        T.store1((T.load1(prediction + i) - target[i]) * factor, gradient + i)
        i += 1
      }
    }
  }
  return loss
}

struct SquaredDifferences<T: VectorElement>: SumTerms {
  let prediction: UnsafePointer<T>
  let target: UnsafePointer<Float>
  @inline(__always) func terms(at i: Int) -> SIMD16<Float> {
    let d = T.load16(prediction + i) - Float.load16(target + i)
    return d * d
  }
  @inline(__always) func partialTerms(at i: Int, count n: Int) -> SIMD16<Float> {
    let d = loadPartial(prediction + i, n) - loadPartial(target + i, n)
    return d * d
  }
}
