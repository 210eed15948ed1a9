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
/// Pass `n` (and `m`, `k`, `transA`) to name the path a call of that shape takes under the
/// current ``KernelOverrides``: the narrow path (``narrowGEMMTileID(m:n:k:transA:)``).
public func gemmKernelID(
  a: KernelType, b: KernelType, c: KernelType, packedB: Bool = false, bias: Bool = false,
  relu: Bool = false, reluMask: Bool = false, kernel: GEMMMicrokernel = .preferred,
  m: Int? = nil, n: Int? = nil, k: Int? = nil, transA: Bool = false
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
    return id + "-" + narrowGEMMTileID(m: m, n: n, k: k, transA: transA)
  }
  return id + "-" + kernel.tileID
}

/// The tile and implementation part of the narrow path's kernel ID for `n` (<= 32) columns:
/// 8 rows of one 16-lane vector up to 16 columns, 4 rows of two vectors above; for n == 1, 16
/// rows as dot products along k when A is not transposed (`16x1-simd16dot`, its own summation
/// order: Docs/Kernels.md), else 16 rows per vector read from A's contiguous columns
/// (`16x1-simd16direct`); with A transposed, 17-32 rows, 2-12 columns and k >= 64 (a weight
/// gradient), lanes along m (`32x12-simd16columns` for 25-32 rows in AVX-512 builds, otherwise
/// `32x12-simd8columns`); with k == 1 (an outer
/// product) row by row (`1x16-simd16direct`, `1x32-simd16direct`); with m == 1 and k > 1 as
/// four interleaved partial sums (`1x16-simd16split4`, `1x32-simd16split4`, its own summation
/// order); with 17-20 columns, 2 <= k <= 512 in one K block (and m >= 64 beyond k = 16) and A
/// not transposed in AVX-512 builds, the last columns of 4 rows in one vector
/// (`4x20-simd16quad`; 2-4 columns in 16 rows, `16x4-simd16quad`); with 2-8 columns, k >= 17,
/// 21 or 33 (n = 2-3, 4, 5-8) and A not transposed in AVX-512 builds, 16 dot products along k
/// per group (`4x4-simd16dot` for 4 columns: 16 / n rows of n), the order of
/// `16x1-simd16dot`, and 10-12 columns (k >= 48, m >= 64) as the first 8 and the rest
/// (`2x8+8x2-simd16dot` for 10). Pass `m` and `k` to see the last five.
public func narrowGEMMTileID(m: Int? = nil, n: Int, k: Int? = nil, transA: Bool = false)
  -> String
{
  if n == 1 { return transA ? "16x1-simd16direct" : "16x1-simd16dot" }
  if let m, let k, usesNarrowColumns(m: m, n: n, k: k, transA: transA) {
    return narrowColumnsTileID(m: m)
  }
  if let m, usesSingleRow(m: m, n: n, k: k ?? 2) { return singleRowTileID(n: n) }
  if k == 1 { return n <= 16 ? "1x16-simd16direct" : "1x32-simd16direct" }
  if let k, usesNarrowDots(m: m ?? .max, n: n, k: k, transA: transA) {
    return narrowDotsTileID(n: n)
  }
  let kBlock = (KernelOverrides.current.gemmBlocking ?? .defaults(for: .preferred)).kc
  if let k, usesNarrowQuads(m: m ?? .max, n: n, k: k, transA: transA, kBlock: kBlock) {
    return narrowQuadsTileID(n: n)
  }
  return n <= 16 ? "8x16-simd16direct" : "4x32-simd16direct"
}
