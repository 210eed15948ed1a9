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
  /// KC at most 512 takes k up to 512 in one block and larger k in the fewest equal blocks: an
  /// A micro-panel of 8 x 512 Floats (16 KiB) stays in the smallest L1d of these machines (32
  /// KiB, Zen 4) while the B panels stream past it, and the packed KC x NC block of B (at most
  /// 512 x 512 Floats, 1 MiB) is the size of Zen 4's and Zen 5's L2 (half the Xeon's). On Zen 4,
  /// against KC 320 / NC 1024 (a 1.25 MiB block, more than its L2): 384^3 +2.1%, 512^3 +1.4%,
  /// 768^3 +1.6%, 1000^3 +1.4%, 1024^3 +1.0-1.3%, 2048^3 +0.7-1.0%, 4096^3 +0.4%, 256^3 and
  /// below unchanged (session 11); on the Xeon KC 512 / NC 512 measured the same as the
  /// default at 1024-2048^3 (session 8).
  ///
  /// A transposed A (`transposedA`: op(A)'s rows adjacent in memory, as in a weight gradient
  /// dYᵀX) has to be packed, once per NC block, from lines `lda` apart that the hardware
  /// prefetchers do not follow; for the 8x32 kernel NC 1024 packs it half as often as NC 512
  /// for n > 512, at the cost of a B block twice L2. In-process turns on Zen 4 (session 19),
  /// NC 1024 against 512, f32 / f16-f16-f32: 1 thread 3072x768x512:tn +2.9 / +1.7% (NC 768),
  /// 1024^3:tn +1.9%, 2048^3:tn +1.4%, 4096x1024x1024:tn +2.0%, 1000^3:tn +1.0%, 512^3:tn
  /// and below unchanged (one NC block either way); 2 threads 3072x768x512:tn +8.8 / +7.9%,
  /// 1024^3:tn +4.1 / +6.0%, 2048^3:tn +2.3 / +1.0%. A row-major A is read in place, with
  /// nothing to repack, and keeps the B block in L2.
  public static func defaults(for kernel: GEMMMicrokernel, transposedA: Bool = false)
    -> GEMMBlocking
  {
    GEMMBlocking(kc: 512, mc: 192, nc: transposedA && kernel == .tile8x32SIMD16 ? 1024 : 512)
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
