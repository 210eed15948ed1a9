import Foundation

// f32-softmax-xent-simd16, f16-softmax-xent-simd16: softmax cross-entropy over rows of logits
// with class-index labels, loss and gradient in one pass per row, Float32 internally.

/// Mean softmax cross-entropy of `rows` rows of `classes` logits (row stride `ld`) against
/// class indices `labels`: `loss = mean_r (log Σ_j e^{x_rj} - x_r,label_r)`, computed
/// max-subtracted in Float32 (Float16 logits are widened). When `gradient` is given (row stride
/// `ld`, may be `logits`), it receives `gradientScale * (softmax(x_r) - onehot(label_r)) / rows`.
/// (`f32-softmax-xent-simd16`, `f16-softmax-xent-simd16`.) The per-row log uses Foundation's
/// `log` in Double.
/// - Precondition: `rows >= 1`, `classes >= 1`, `ld >= classes`, every label in `0..<classes`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func softmaxCrossEntropy<T: VectorElement>(
  logits: UnsafePointer<T>, rows: Int, classes: Int, ld: Int, labels: UnsafePointer<Int32>,
  gradient: UnsafeMutablePointer<T>? = nil, gradientScale: Float = 1
) -> Float {
  mantissaRequire(rows >= 1, "softmaxCrossEntropy: rows = \(rows) must be at least 1")
  mantissaRequire(classes >= 1, "softmaxCrossEntropy: classes = \(classes) must be at least 1")
  mantissaRequire(ld >= classes, "softmaxCrossEntropy: ld = \(ld) must be >= classes = \(classes)")
  var total = 0.0
  let gradientFactor = gradientScale / Float(rows)
  withUnsafeTemporaryAllocation(of: Float.self, capacity: roundUp(classes, 16)) { buffer in
    let e = buffer.baseAddress!
    for r in 0..<rows {
      let label = Int(labels[r])
      mantissaRequire(
        label >= 0 && label < classes,
        "softmaxCrossEntropy: labels[\(r)] = \(label) is outside 0..<\(classes)")
      let x = logits + r * ld
      let (rowMax, sum) = exponentiateRow(x, count: classes, into: e)
      total += Foundation.log(Double(sum)) + Double(rowMax) - Double(T.load1(x + label))
      if let gradient {
        let g = gradient + r * ld
        let factor = gradientFactor / sum
        var j = 0
        while j + 16 <= classes {
          T.store16(Float.load16(e + j) * factor, g + j)
          j += 16
        }
        while j < classes {
          T.store1(e[j] * factor, g + j)
          j += 1
        }
        T.store1(T.load1(g + label) - gradientFactor, g + label)
      }
    }
  }
  return Float(total / Double(rows))
}

/// One row's maximum, `e[j] = e^(x[j] - max)` and their sum, in Float32: the shared first
/// two passes of softmax, log-softmax and the cross-entropy.
@inline(__always)
func exponentiateRow<T: VectorElement>(
  _ x: UnsafePointer<T>, count: Int, into e: UnsafeMutablePointer<Float>
) -> (max: Float, sum: Float) {
  let rowMax = rowMaximum(x, count: count)
  var sumVector = SIMD16<Float>()
  var j = 0
  while j + 16 <= count {
    let v = exp(T.load16(x + j) - rowMax)
    Float.store16(v, e + j)
    sumVector += v
    j += 16
  }
  if j < count {
    var partial = SIMD16<Float>(repeating: -.infinity)
    for l in 0..<(count - j) { partial[l] = T.load1(x + j + l) }
    let v = exp(partial - rowMax)
    for l in 0..<(count - j) { e[j + l] = v[l] }
    sumVector += v
  }
  return (rowMax, horizontalSum(sumVector))
}

/// The largest value of each of `rows` rows (`f32-rmax-simd16`, `f16-rmax-simd16`), as Float;
/// NaN entries are skipped unless the whole row is NaN (then -inf).
/// - Precondition: `rows >= 0`, `columns >= 1`, `ld >= columns`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func maxRows<T: VectorElement>(
  _ x: UnsafePointer<T>, rows: Int, columns: Int, ld: Int, into out: UnsafeMutablePointer<Float>
) {
  mantissaRequire(rows >= 0, "maxRows: rows = \(rows) must be non-negative")
  mantissaRequire(columns >= 1, "maxRows: columns = \(columns) must be at least 1")
  mantissaRequire(ld >= columns, "maxRows: ld = \(ld) must be >= columns = \(columns)")
  for r in 0..<rows { out[r] = rowMaximum(x + r * ld, count: columns) }
}

/// The largest of `count` values (NaN skipped; -inf when none), vector max then the tail.
@inline(__always)
func rowMaximum<T: VectorElement>(_ x: UnsafePointer<T>, count: Int) -> Float {
  var maxVector = SIMD16<Float>(repeating: -.infinity)
  var j = 0
  while j + 16 <= count {
    let v = T.load16(x + j)
    maxVector = maxVector.replacing(with: v, where: maxVector .< v)
    j += 16
  }
  var m = horizontalMax(maxVector)
  while j < count {
    let v = T.load1(x + j)
    if v > m { m = v }
    j += 1
  }
  return m
}

/// The index of the largest value in each of `rows` rows (`f32-rargmax`, `f16-rargmax`), the
/// first one on ties; NaN compares below everything.
/// - Precondition: `rows >= 0`, `classes >= 1`, `ld >= classes`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func argmaxRows<T: VectorElement>(
  _ x: UnsafePointer<T>, rows: Int, classes: Int, ld: Int, into out: UnsafeMutablePointer<Int32>
) {
  mantissaRequire(rows >= 0, "argmaxRows: rows = \(rows) must be non-negative")
  mantissaRequire(classes >= 1, "argmaxRows: classes = \(classes) must be at least 1")
  mantissaRequire(ld >= classes, "argmaxRows: ld = \(ld) must be >= classes = \(classes)")
  for r in 0..<rows {
    var best = 0
    var bestValue = -Float.infinity
    for j in 0..<classes {
      let v = T.load1(x + r * ld + j)
      if v > bestValue {
        bestValue = v
        best = j
      }
    }
    out[r] = Int32(best)
  }
}
