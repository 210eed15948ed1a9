/// Storage types as they appear in kernel IDs.
public enum KernelType: String, Sendable {
  case f32
  case f16
}

/// Builds the kernel ID of a GEMM call, following the grammar in Docs/Kernels.md:
/// `<A>-<B>-<C>[-f32acc]-gemm[-bias][-relu][-drelu]-<tile>-<impl>` (`drelu`: masked by a ReLU's
/// values, the `reluMask` argument), the three types shortened to one
/// when they are equal, `p` before B's type when B is prepacked (its panels are always f32),
/// `f32acc` when C is f16 (so the accumulator type differs from C's).
///
/// Examples: `f32-gemm-8x32-simd16`, `f16-f16-f32-gemm-8x32-simd16`, `f16-f32acc-gemm-8x32-simd16`,
/// `f32-f16-f32-gemm-6x16-simd8`, `f16-pf32-f16-f32acc-gemm-bias-relu-8x32-simd16`.
///
/// Pass `n` to name the path a call with that many columns takes under the current
/// ``KernelOverrides``: the narrow path (`8x16-simd16direct` for n <= 16, `4x32-simd16direct`
/// up to 32).
public func gemmKernelID(
  a: KernelType, b: KernelType, c: KernelType, packedB: Bool = false, bias: Bool = false,
  relu: Bool = false, reluMask: Bool = false, kernel: GEMMMicrokernel = .preferred,
  n: Int? = nil
) -> String {
  let bName = packedB ? "pf32" : b.rawValue
  var types = (a == b && b == c && !packedB) ? a.rawValue : "\(a.rawValue)-\(bName)-\(c.rawValue)"
  if c == .f16 { types += "-f32acc" }
  var id = types + "-gemm"
  if bias { id += "-bias" }
  if relu { id += "-relu" }
  if reluMask { id += "-drelu" }
  let overrides = KernelOverrides.current
  if let n, !packedB, n <= 32,
    overrides.narrowGEMM ?? (overrides.gemmMicrokernel == nil)
  {
    return id + "-" + narrowGEMMTileID(n: n)
  }
  return id + "-" + kernel.tileID
}

/// The tile and implementation part of the narrow path's kernel ID for `n` (<= 32) columns:
/// 8 rows of one 16-lane vector up to 16 columns (n == 1 runs there as 8 scalar FMA chains),
/// 4 rows of two vectors above.
public func narrowGEMMTileID(n: Int) -> String {
  n <= 16 ? "8x16-simd16direct" : "4x32-simd16direct"
}
