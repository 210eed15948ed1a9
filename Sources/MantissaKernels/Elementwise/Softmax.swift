import Foundation

// f32-softmax-simd16, f16-softmax-simd16, f32-logsoftmax-simd16, f16-logsoftmax-simd16:
// row-wise softmax and log-softmax, max-subtracted, Float32 internally.

/// Softmax of each of `rows` rows of `columns` values (row strides `ld` and `ldOut`):
/// `out[r, j] = e^(x[r, j] - m_r) / Σ_j e^(x[r, j] - m_r)` with `m_r` the row maximum, in
/// Float32 (Float16 data widened; the result rounded once). `out` may be `x` when `ldOut == ld`.
/// A row of all -inf gives NaN, as in PyTorch.
/// - Precondition: `rows >= 0`, `columns >= 1`, `ld >= columns`, `ldOut >= columns`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func softmax<T: VectorElement>(
  _ x: UnsafePointer<T>, rows: Int, columns: Int, ld: Int, into out: UnsafeMutablePointer<T>,
  ldOut: Int
) {
  rowwise(x, rows: rows, columns: columns, ld: ld, out: out, ldOut: ldOut, function: "softmax") {
    e, row, _, sum in
    let inverse = 1 / sum
    var j = 0
    while j + 16 <= columns {
      T.store16(Float.load16(e + j) * inverse, row + j)
      j += 16
    }
    while j < columns {
      T.store1(e[j] * inverse, row + j)
      j += 1
    }
  }
}

/// Log-softmax of each row: `out[r, j] = x[r, j] - m_r - log Σ_j e^(x[r, j] - m_r)`, in
/// Float32 (the log in Double, once per row). Contract otherwise as
/// ``softmax(_:rows:columns:ld:into:ldOut:)``.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func logSoftmax<T: VectorElement>(
  _ x: UnsafePointer<T>, rows: Int, columns: Int, ld: Int, into out: UnsafeMutablePointer<T>,
  ldOut: Int
) {
  rowwise(x, rows: rows, columns: columns, ld: ld, out: out, ldOut: ldOut, function: "logSoftmax") {
    _, row, input, sum in
    let shift = Float(Foundation.log(Double(sum)))
    var j = 0
    // input holds x - max (written over the exponentials' source row by the caller).
    while j + 16 <= columns {
      T.store16(Float.load16(input + j) - shift, row + j)
      j += 16
    }
    while j < columns {
      T.store1(input[j] - shift, row + j)
      j += 1
    }
  }
}

/// The shared row loop: per row, the exponentials in `e`, the max-subtracted inputs in
/// `shifted`, and their sum, handed to `finish` with the output row.
@inline(__always)
private func rowwise<T: VectorElement>(
  _ x: UnsafePointer<T>, rows: Int, columns: Int, ld: Int, out: UnsafeMutablePointer<T>,
  ldOut: Int, function: String,
  _ finish: (UnsafePointer<Float>, UnsafeMutablePointer<T>, UnsafePointer<Float>, Float) -> Void
) {
  mantissaRequire(rows >= 0, "\(function): rows = \(rows) must be non-negative")
  mantissaRequire(columns >= 1, "\(function): columns = \(columns) must be at least 1")
  mantissaRequire(ld >= columns, "\(function): ld = \(ld) must be >= columns = \(columns)")
  mantissaRequire(ldOut >= columns, "\(function): ldOut = \(ldOut) must be >= columns = \(columns)")
  let padded = roundUp(columns, 16)
  withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * padded) { buffer in
    let e = buffer.baseAddress!
    let shifted = e + padded
    for r in 0..<rows {
      let row = x + r * ld
      let (rowMax, sum) = exponentiateRow(row, count: columns, into: e)
      for j in 0..<columns { shifted[j] = T.load1(row + j) - rowMax }
      finish(e, out + r * ldOut, shifted, sum)
    }
  }
}
