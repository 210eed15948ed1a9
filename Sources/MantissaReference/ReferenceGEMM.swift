/// Scalar oracles that accumulate in Double, for tests and the precision report. They are written
/// for clarity, not speed, and share no code with MantissaKernels.
public enum Reference {
  /// The exact-as-Double result of `relu(alpha * op(A) * op(B) + beta * C + bias)` and, per
  /// element, the magnitude `|alpha| * sum|a||b| + |beta| * |c| + |bias|` that error bounds scale
  /// with. Matrices are row-major Double arrays holding the values the kernel saw (already rounded
  /// to their storage type). `c` is not read when beta == 0. The result is dense, `m` x `n`.
  public static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double, a: [Double], lda: Int,
    b: [Double], ldb: Int, beta: Double, c: [Double], ldc: Int, bias: [Double]? = nil,
    relu: Bool = false
  ) -> (value: [Double], magnitude: [Double]) {
    var value = [Double](repeating: 0, count: m * n)
    var magnitude = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
      for j in 0..<n {
        var sum = 0.0
        var sumAbs = 0.0
        if alpha != 0 {
          for p in 0..<k {
            let x = transA ? a[p * lda + i] : a[i * lda + p]
            let y = transB ? b[j * ldb + p] : b[p * ldb + j]
            sum += x * y
            sumAbs += abs(x * y)
          }
        }
        var v = alpha * sum
        var mag = abs(alpha) * sumAbs
        if beta != 0 {
          v += beta * c[i * ldc + j]
          mag += abs(beta * c[i * ldc + j])
        }
        if let bias {
          v += bias[j]
          mag += abs(bias[j])
        }
        if relu && v < 0 { v = 0 }
        value[i * n + j] = v
        magnitude[i * n + j] = mag
      }
    }
    return (value, magnitude)
  }
}
