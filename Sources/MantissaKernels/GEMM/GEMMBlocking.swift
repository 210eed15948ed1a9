/// Cache blocks of the GEMM driver, after BLIS: B is packed KC x NC (shared by all MC blocks and
/// kept in L2); A is packed one MR x KC micro-panel at a time (kept in L1 while the NR-wide B
/// panels stream past it); MC sets how many rows of C one pass over the B block covers.
///
/// The values are maxima: the driver divides each dimension into equal blocks no larger than
/// these, rounded up to the tile, so that sizes just above a block (257, 1000) do not leave a
/// sliver block. KC depends on k alone, never on the thread split, so summation order and
/// therefore every result is the same for any thread count.
public struct GEMMBlocking: Sendable, Equatable, CustomStringConvertible {
  public var kc: Int
  public var mc: Int
  public var nc: Int

  public init(kc: Int, mc: Int, nc: Int) {
    mantissaRequire(kc >= 1, "GEMMBlocking: kc = \(kc) must be at least 1")
    mantissaRequire(mc >= 1, "GEMMBlocking: mc = \(mc) must be at least 1")
    mantissaRequire(nc >= 1, "GEMMBlocking: nc = \(nc) must be at least 1")
    self.kc = kc
    self.mc = mc
    self.nc = nc
  }

  /// Tuned on the reference machines (Docs/Kernels.md has the measurements behind them). KC is
  /// the same for every microkernel so that all of them sum in the same order and agree bitwise.
  /// KC at most 320 takes k up to 320 in one block and larger k in the fewest equal blocks: an
  /// A micro-panel of 8 x 320 Floats (10 KiB) stays in L1 while the B panels stream past it,
  /// and the packed KC x NC block of B (1-1.25 MiB with NC 1024) stays in L2. Against a maximum
  /// of 256, which cut k = 257-320 into two half-length blocks: 257^3 +3.4%, 300^3 +2.8%,
  /// 1024x1024x300 +3.9%, 600^3 and 512x3072x768 +1%, 1024^3 and 2048^3 unchanged (session 8).
  public static func defaults(for kernel: GEMMMicrokernel) -> GEMMBlocking {
    switch kernel {
    case .tile12x32SIMD16, .tile8x32SIMD16: GEMMBlocking(kc: 320, mc: 192, nc: 1024)
    case .tile6x16SIMD8: GEMMBlocking(kc: 320, mc: 192, nc: 1024)
    }
  }

  public var description: String { "kc \(kc) mc \(mc) nc \(nc)" }
}

/// Splits `total` into the fewest equal blocks of at most `maximum`, each rounded up to a
/// multiple of `multiple`.
@inline(__always)
func evenBlock(_ total: Int, maximum: Int, multiple: Int) -> Int {
  let maximum = max(maximum, multiple)
  let blocks = (total + maximum - 1) / maximum
  let size = (total + blocks - 1) / max(blocks, 1)
  return roundUp(size, multiple)
}

@inline(__always)
func roundUp(_ x: Int, _ multiple: Int) -> Int { (x + multiple - 1) / multiple * multiple }
