/// Settings that tests and benchmarks use to reach every code path at small sizes: force a GEMM
/// microkernel, or split work over threads below the size where that pays.
///
/// The values are task-local, so concurrent tests cannot see each other's overrides:
/// ```swift
/// KernelOverrides.$current.withValue(KernelOverrides(gemmMicrokernel: .tile6x16SIMD8)) {
///   gemm(...)
/// }
/// ```
/// Kernels read them once per call, on the calling thread.
public struct KernelOverrides: Sendable {
  /// Run this GEMM microkernel instead of ``GEMMMicrokernel/preferred``.
  public var gemmMicrokernel: GEMMMicrokernel?
  /// Use every allowed thread whenever the problem can be split at all, however small.
  public var forceParallel: Bool
  /// GEMM cache blocks (KC, MC, NC maxima) instead of the defaults; for tuning benchmarks and
  /// for tests that need several K blocks at small k.
  public var gemmBlocking: GEMMBlocking?
  /// The narrow-C GEMM path (`*-gemm-8x16-simd16direct` / `*-4x32-simd16direct`, n <= 32): nil
  /// lets the driver choose (it takes it unless a microkernel is forced), true forces it where
  /// it applies, false turns it off.
  public var narrowGEMM: Bool?

  public init(
    gemmMicrokernel: GEMMMicrokernel? = nil, forceParallel: Bool = false,
    gemmBlocking: GEMMBlocking? = nil, narrowGEMM: Bool? = nil
  ) {
    self.gemmMicrokernel = gemmMicrokernel
    self.forceParallel = forceParallel
    self.gemmBlocking = gemmBlocking
    self.narrowGEMM = narrowGEMM
  }

  @TaskLocal public static var current = KernelOverrides()
}
