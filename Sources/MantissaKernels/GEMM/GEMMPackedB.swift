/// A B operand packed once into the GEMM microkernel's panel layout, for weights that are reused
/// across many calls (FBGEMM's prepacked B). Pass it to the `gemm(_:m:alpha:a:lda:b:beta:c:ldc:...)`
/// overloads that take a `GEMMPackedB`; after the weights change, ``repack(_:b:ldb:)-(_,UnsafePointer<Float>,_)``
/// refreshes it in place without allocating.
///
/// The panels hold Float: a Float16 source is widened once here rather than on every call.
/// A layer's weight W stored [out, in] is used as B = Wᵀ: pack it with `.transpose`.
///
/// - Complexity: O(k n) time and `k * roundUp(n, NR)` Floats of memory.
public final class GEMMPackedB: @unchecked Sendable {
  /// Rows of op(B): the k of the GEMMs that use it.
  public let k: Int
  /// Columns of op(B): the n of the GEMMs that use it.
  public let n: Int
  /// The microkernel whose panel width the layout follows; every GEMM with this B runs it.
  public let kernel: GEMMMicrokernel
  let kc: Int
  let paddedColumns: Int
  let storage: UnsafeMutablePointer<Float>

  /// Packs op(B), where B is Float, `ldb` its row stride in elements.
  /// - Precondition: k, n >= 0; `ldb >= max(1, transB == .noTranspose ? n : k)`.
  public convenience init(_ transB: Transpose, k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int) {
    self.init(k: k, n: n)
    repack(transB, b: b, ldb: ldb)
  }

  /// Packs op(B), where B is Float16 (widened to Float once, here).
  /// - Precondition: k, n >= 0; `ldb >= max(1, transB == .noTranspose ? n : k)`.
  public convenience init(
    _ transB: Transpose, k: Int, n: Int, b: UnsafePointer<Float16>, ldb: Int
  ) {
    self.init(k: k, n: n)
    repack(transB, b: b, ldb: ldb)
  }

  private init(k: Int, n: Int) {
    mantissaRequire(k >= 0, "GEMMPackedB: k = \(k) must be non-negative")
    mantissaRequire(n >= 0, "GEMMPackedB: n = \(n) must be non-negative")
    let overrides = KernelOverrides.current
    kernel = overrides.gemmMicrokernel ?? .preferred
    let blocking = overrides.gemmBlocking ?? .defaults(for: kernel)
    self.k = k
    self.n = n
    kc = max(1, evenBlock(k, maximum: blocking.kc, multiple: 1))
    paddedColumns = roundUp(n, kernel.nr)
    storage = .allocate(capacity: max(1, k * paddedColumns))
  }

  deinit { storage.deallocate() }

  /// Packs new values of the same shape into this object, e.g. after an optimizer step.
  public func repack(_ transB: Transpose, b: UnsafePointer<Float>, ldb: Int) {
    checkLeadingDimension(transB, ldb: ldb)
    fill(OperandView(b, transB, ld: ldb))
  }

  /// Packs new Float16 values of the same shape into this object.
  public func repack(_ transB: Transpose, b: UnsafePointer<Float16>, ldb: Int) {
    checkLeadingDimension(transB, ldb: ldb)
    fill(OperandView(b, transB, ld: ldb))
  }

  private func checkLeadingDimension(_ transB: Transpose, ldb: Int) {
    let row = transB == .noTranspose ? n : k
    mantissaRequire(
      ldb >= max(1, row),
      "GEMMPackedB: ldb = \(ldb) must be >= max(1, \(transB == .noTranspose ? "n" : "k")) = \(max(1, row))"
    )
  }

  private func fill(_ view: OperandView) {
    var p0 = 0
    while p0 < k {
      let depth = min(kc, k - p0)
      packB(
        view, depth0: p0, column0: 0, depth: depth, columns: n, nr: kernel.nr,
        into: storage + p0 * paddedColumns)
      p0 += depth
    }
  }

  /// The panels of K block `kBlock` starting at column `column` (a multiple of NR).
  @inline(__always)
  func panels(kBlock: Int, column: Int) -> UnsafePointer<Float> {
    let p0 = kBlock * kc
    let depth = min(kc, k - p0)
    return UnsafePointer(storage + p0 * paddedColumns + column * depth)
  }
}
