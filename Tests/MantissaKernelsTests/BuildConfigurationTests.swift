import MantissaKernels
import Testing

/// A default build must compile kernels with FMA; without it every `addingProduct` is a call to
/// `fmaf` and GEMM runs about 150x slower (SWIFT-SIMD.md). `MANTISSA_CPU=none` asks for that
/// baseline on purpose, so there the test only warns.
@Test func defaultBuildHasFMA() {
  #if MANTISSA_BASELINE
    print(
      "warning: MANTISSA_CPU=none: kernels run without FMA, about 150x slower (Docs/Building.md)")
  #else
    #expect(
      CompiledCPU.hasFMA,
      """
      Mantissa was compiled without FMA (\(CompiledCPU.summary)), so its kernels run about 150x \
      slower. Build with a CPU level: unset MANTISSA_CPU (default native) or set \
      MANTISSA_CPU=znver4 / x86-64-v3, then `touch Package.swift` and rebuild (Docs/Building.md).
      """)
  #endif
}

@Test func preferredMicrokernelFollowsTheBuild() {
  #expect(
    GEMMMicrokernel.preferred
      == (CompiledCPU.choosesAVX512Forms ? .tile8x32SIMD16 : .tile6x16SIMD8))
}

/// `MANTISSA_FORMS=avx512` must reach the kernels' module, or a run meant to test the AVX-512
/// forms on a machine without AVX-512 would quietly test the AVX2 ones again.
@Test func avx512FormsFollowTheBuild() {
  #if MANTISSA_AVX512_FORMS
    print("MANTISSA_FORMS=avx512: \(CompiledCPU.summary)")
    #expect(CompiledCPU.choosesAVX512Forms)
    #expect(GEMMMicrokernel.preferred == .tile8x32SIMD16)
  #else
    #expect(CompiledCPU.choosesAVX512Forms == CompiledCPU.hasAVX512F)
  #endif
}
