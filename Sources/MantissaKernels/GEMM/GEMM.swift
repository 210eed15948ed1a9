/// Whether a GEMM operand is used as stored or transposed.
public enum Transpose: Sendable {
  case noTranspose
  case transpose
}

/// General matrix multiply on Float matrices:
/// `C := relu(alpha * op(A) * op(B) + beta * C + bias)`, with the bias and ReLU optional, and
/// optionally masked by a ReLU's values (a layer's input gradient through a ReLU).
///
/// This is the contract for every `gemm` overload (the Float16 ones differ only in storage types,
/// described on each). Matrices are row-major; op(X) is X or Xᵀ as `transA` / `transB` say.
/// - op(A) is `m` x `k`: A is stored `m` x `k` (`.noTranspose`) or `k` x `m` (`.transpose`),
///   `lda` elements between the starts of its stored rows.
/// - op(B) is `k` x `n`: B is stored `k` x `n` or `n` x `k`, row stride `ldb`.
/// - C is `m` x `n`, row stride `ldc`.
/// - `bias`, if given, holds `n` Floats added to every row of C after the product and the beta
///   term; `relu` then replaces negative results (not NaN) with zero. Both are applied as C is
///   stored, with no extra pass.
/// - `reluMask`, if given, holds values a ReLU produced (or received), laid out like C (C's
///   storage type, row stride `ldc`): after bias and ReLU each result is kept where its mask
///   value is > 0 and multiplied by 0 elsewhere, the formula of
///   ``leakyReLUBackward(_:gradOut:into:count:negativeSlope:threads:)`` with slope 0, fused into
///   the store (cuBLASLt calls this epilogue DRELU). `dX = (dY W) ⊙ [X > 0]` is one call.
/// - `threads`: at most this many threads; nil means ``MantissaThreads/resolve(_:function:)``'s
///   default. Problems too small to pay for a parallel region run on the calling thread.
///
/// Special values follow BLAS: when `beta == 0`, C is not read, so NaN or garbage in C does not
/// reach the result; when `alpha == 0` or `k == 0`, A and B are not read and
/// `C := beta * C` (+ bias, ReLU). `m == 0` or `n == 0` does nothing. NaN and infinity in A or B
/// propagate as IEEE arithmetic says.
///
/// C must not overlap A, B, bias or reluMask. A, B, bias and reluMask may overlap each other. Calls from many threads
/// at once are safe; each call owns its packing buffers.
///
/// - Precondition: `m`, `n`, `k` >= 0; `lda`, `ldb`, `ldc` at least the length of the stored row
///   they step over (and at least 1); `threads` >= 1 when given. A violation stops the program
///   with a message that names the argument and its value.
/// - Complexity: `2 m n k` floating-point operations; O(m k + k n) packing.
///
/// ### Precision
/// Products accumulate in Float32 with one fused multiply-add per term, in increasing k order
/// within blocks of `kc` (``GEMMBlocking``), blocks added in order; the order depends on k alone,
/// so results are bitwise identical for every thread count and microkernel. Two exceptions to
/// the order, each the same bits for any thread count but not the bits of the same values
/// inside a larger product: with `n == 1` and A not transposed (a matrix-vector product), each
/// row is a dot product: lane j of 16 sums the terms with k ≡ j (mod 16) in increasing k, and
/// the 16 lane sums are added as a pairwise tree; with `m == 1`, `2 <= n <= 32` and `k > 1` (a
/// vector-matrix product, such as a one-output layer's weight gradient), term q goes to
/// partial sum q mod 4 in increasing q and the result is `(s0 + s1) + (s2 + s3)`, one block
/// whatever k. The error bound is that of Float32 summation:
/// `|C - C_exact| <= γ_k |alpha| |A||B| + ...` (γ_{k/16+4} for the dot products, γ_{k/4+2}
/// for the four partial sums), see Docs/Precision.md.
public func gemm(
  _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, alpha: Float = 1,
  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
  c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>? = nil, relu: Bool = false,
  reluMask: UnsafePointer<Float>? = nil, threads: Int? = nil
) {
  checkGEMMArguments(transA, transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
  runChecked(
    m: m, n: n, k: k, alpha: alpha, a: OperandView(a, transA, ld: lda),
    b: .view(OperandView(b, transB, ld: ldb)), beta: beta, c: UnsafeMutableRawPointer(c),
    cStorage: .float32, ldc: ldc, bias: bias, relu: relu,
    reluMask: reluMask.map { UnsafeRawPointer($0) }, threads: threads)
}

/// GEMM with Float16 A and B and a Float C (`f16-f16-f32-gemm-*`): A and B are widened to Float
/// while packing and the product accumulates in Float32. Contract: the Float overload
/// ``gemm(_:_:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:bias:relu:reluMask:threads:)-(_,_,_,_,_,_,UnsafePointer<Float>,_,UnsafePointer<Float>,_,_,_,_,_,_,_,_)``.
public func gemm(
  _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, alpha: Float = 1,
  a: UnsafePointer<Float16>, lda: Int, b: UnsafePointer<Float16>, ldb: Int, beta: Float = 0,
  c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>? = nil, relu: Bool = false,
  reluMask: UnsafePointer<Float>? = nil, threads: Int? = nil
) {
  checkGEMMArguments(transA, transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
  runChecked(
    m: m, n: n, k: k, alpha: alpha, a: OperandView(a, transA, ld: lda),
    b: .view(OperandView(b, transB, ld: ldb)), beta: beta, c: UnsafeMutableRawPointer(c),
    cStorage: .float32, ldc: ldc, bias: bias, relu: relu,
    reluMask: reluMask.map { UnsafeRawPointer($0) }, threads: threads)
}

/// GEMM with Float16 A, B and C (`f16-f32acc-gemm-*`): accumulates in Float32 and rounds each
/// element of C to Float16 once, after the beta term, bias and ReLU (Float32 throughout). beta
/// reads the old Float16 C widened. Contract: the Float overload.
public func gemm(
  _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, alpha: Float = 1,
  a: UnsafePointer<Float16>, lda: Int, b: UnsafePointer<Float16>, ldb: Int, beta: Float = 0,
  c: UnsafeMutablePointer<Float16>, ldc: Int, bias: UnsafePointer<Float>? = nil,
  relu: Bool = false, reluMask: UnsafePointer<Float16>? = nil, threads: Int? = nil
) {
  checkGEMMArguments(transA, transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
  runChecked(
    m: m, n: n, k: k, alpha: alpha, a: OperandView(a, transA, ld: lda),
    b: .view(OperandView(b, transB, ld: ldb)), beta: beta, c: UnsafeMutableRawPointer(c),
    cStorage: .float16, ldc: ldc, bias: bias, relu: relu,
    reluMask: reluMask.map { UnsafeRawPointer($0) }, threads: threads)
}

/// GEMM with Float A, Float16 B and Float C (`f32-f16-f32-gemm-*`): Float activations times
/// Float16-stored weights. Contract: the Float overload.
public func gemm(
  _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, alpha: Float = 1,
  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float16>, ldb: Int, beta: Float = 0,
  c: UnsafeMutablePointer<Float>, ldc: Int, bias: UnsafePointer<Float>? = nil, relu: Bool = false,
  reluMask: UnsafePointer<Float>? = nil, threads: Int? = nil
) {
  checkGEMMArguments(transA, transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
  runChecked(
    m: m, n: n, k: k, alpha: alpha, a: OperandView(a, transA, ld: lda),
    b: .view(OperandView(b, transB, ld: ldb)), beta: beta, c: UnsafeMutableRawPointer(c),
    cStorage: .float32, ldc: ldc, bias: bias, relu: relu,
    reluMask: reluMask.map { UnsafeRawPointer($0) }, threads: threads)
}

/// GEMM with a prepacked B (``GEMMPackedB``), Float A and Float C; `n` and `k` come from `b`.
/// Contract: the Float overload.
public func gemm(
  _ transA: Transpose, m: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
  b: GEMMPackedB, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
  bias: UnsafePointer<Float>? = nil, relu: Bool = false, reluMask: UnsafePointer<Float>? = nil,
  threads: Int? = nil
) {
  checkGEMMArguments(transA, nil, m: m, n: b.n, k: b.k, lda: lda, ldb: 0, ldc: ldc)
  runChecked(
    m: m, n: b.n, k: b.k, alpha: alpha, a: OperandView(a, transA, ld: lda), b: .packed(b),
    beta: beta, c: UnsafeMutableRawPointer(c), cStorage: .float32, ldc: ldc, bias: bias,
    relu: relu, reluMask: reluMask.map { UnsafeRawPointer($0) }, threads: threads)
}

/// GEMM with a prepacked B, Float16 A and Float C. Contract: the Float overload.
public func gemm(
  _ transA: Transpose, m: Int, alpha: Float = 1, a: UnsafePointer<Float16>, lda: Int,
  b: GEMMPackedB, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
  bias: UnsafePointer<Float>? = nil, relu: Bool = false, reluMask: UnsafePointer<Float>? = nil,
  threads: Int? = nil
) {
  checkGEMMArguments(transA, nil, m: m, n: b.n, k: b.k, lda: lda, ldb: 0, ldc: ldc)
  runChecked(
    m: m, n: b.n, k: b.k, alpha: alpha, a: OperandView(a, transA, ld: lda), b: .packed(b),
    beta: beta, c: UnsafeMutableRawPointer(c), cStorage: .float32, ldc: ldc, bias: bias,
    relu: relu, reluMask: reluMask.map { UnsafeRawPointer($0) }, threads: threads)
}

/// GEMM with a prepacked B, Float16 A and Float16 C (rounded once). Contract: the Float overload.
public func gemm(
  _ transA: Transpose, m: Int, alpha: Float = 1, a: UnsafePointer<Float16>, lda: Int,
  b: GEMMPackedB, beta: Float = 0, c: UnsafeMutablePointer<Float16>, ldc: Int,
  bias: UnsafePointer<Float>? = nil, relu: Bool = false, reluMask: UnsafePointer<Float16>? = nil,
  threads: Int? = nil
) {
  checkGEMMArguments(transA, nil, m: m, n: b.n, k: b.k, lda: lda, ldb: 0, ldc: ldc)
  runChecked(
    m: m, n: b.n, k: b.k, alpha: alpha, a: OperandView(a, transA, ld: lda), b: .packed(b),
    beta: beta, c: UnsafeMutableRawPointer(c), cStorage: .float16, ldc: ldc, bias: bias,
    relu: relu, reluMask: reluMask.map { UnsafeRawPointer($0) }, threads: threads)
}

/// The common tail of every gemm overload, after its arguments are checked.
@inline(__always)
private func runChecked(
  m: Int, n: Int, k: Int, alpha: Float, a: OperandView, b: BSource, beta: Float,
  c: UnsafeMutableRawPointer, cStorage: GEMMProblem.CStorage, ldc: Int,
  bias: UnsafePointer<Float>?, relu: Bool, reluMask: UnsafeRawPointer?, threads: Int?
) {
  runGEMM(
    GEMMProblem(
      m: m, n: n, k: k, alpha: alpha, beta: beta, a: a, b: b, c: c, cStorage: cStorage, ldc: ldc,
      bias: bias, relu: relu, reluMask: reluMask),
    threads: MantissaThreads.resolve(threads, function: "gemm"))
}

/// The argument checks shared by every gemm overload; `transB == nil` for a prepacked B.
private func checkGEMMArguments(
  _ transA: Transpose, _ transB: Transpose?, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int
) {
  mantissaRequire(m >= 0, "gemm: m = \(m) must be non-negative")
  mantissaRequire(n >= 0, "gemm: n = \(n) must be non-negative")
  mantissaRequire(k >= 0, "gemm: k = \(k) must be non-negative")
  let aRow = transA == .noTranspose ? ("k", k) : ("m", m)
  mantissaRequire(
    lda >= max(1, aRow.1),
    "gemm: lda = \(lda) must be >= max(1, \(aRow.0)) = \(max(1, aRow.1)) for op(A) = \(transA == .noTranspose ? "A" : "Aᵀ")"
  )
  if let transB {
    let bRow = transB == .noTranspose ? ("n", n) : ("k", k)
    mantissaRequire(
      ldb >= max(1, bRow.1),
      "gemm: ldb = \(ldb) must be >= max(1, \(bRow.0)) = \(max(1, bRow.1)) for op(B) = \(transB == .noTranspose ? "B" : "Bᵀ")"
    )
  }
  mantissaRequire(ldc >= max(1, n), "gemm: ldc = \(ldc) must be >= max(1, n) = \(max(1, n))")
}
