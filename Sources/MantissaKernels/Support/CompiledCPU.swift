import CMantissaCPU

/// What the compiler was allowed to use when this module was built (`MANTISSA_CPU`, see
/// Docs/Building.md). Kernels are chosen from these constants, which fold away at compile time.
public enum CompiledCPU {
  /// Fused multiply-add instructions; without them every `addingProduct` is a call to `fmaf`.
  public static let hasFMA = MANTISSA_COMPILED_FMA != 0
  /// AVX-512F: `SIMD16<Float>` maps to one zmm register.
  public static let hasAVX512F = MANTISSA_COMPILED_AVX512F != 0
  /// AVX2: `SIMD8<Float>` maps to one ymm register.
  public static let hasAVX2 = MANTISSA_COMPILED_AVX2 != 0
  /// Hardware Float16 <-> Float32 conversion.
  public static let hasF16C = MANTISSA_COMPILED_F16C != 0

  /// Whether the microkernel and the narrow path's forms are the AVX-512 build's: where
  /// AVX-512F was compiled in, or in a build made with `MANTISSA_FORMS=avx512`, which runs that
  /// code's SIMD16 vectors as pairs of 256-bit halves so that a machine without AVX-512 can test
  /// its logic (Docs/Building.md). Every kernel choice reads this, never ``hasAVX512F``.
  #if MANTISSA_AVX512_FORMS
    public static let choosesAVX512Forms = true
  #else
    public static let choosesAVX512Forms = hasAVX512F
  #endif

  /// A one-line description for benchmark and test output, e.g. `avx512f fma f16c`.
  public static var summary: String {
    var parts: [String] = []
    if hasAVX512F { parts.append("avx512f") }
    if hasAVX2 { parts.append("avx2") }
    if hasFMA { parts.append("fma") }
    if hasF16C { parts.append("f16c") }
    if choosesAVX512Forms && !hasAVX512F { parts.append("(avx512 forms)") }
    return parts.isEmpty ? "baseline x86-64 (no FMA)" : parts.joined(separator: " ")
  }
}
