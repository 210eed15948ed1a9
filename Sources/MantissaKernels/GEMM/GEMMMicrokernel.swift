/// The register-tile kernels the GEMM driver can run. Each runs on packed Float panels; the
/// operation's kernel ID adds the storage types (Docs/Kernels.md), e.g. `f16-f16-f32-gemm-8x32-simd16`.
public enum GEMMMicrokernel: String, CaseIterable, Sendable {
  /// `f32-gemm-12x32-simd16`: AVX-512.
  case tile12x32SIMD16 = "12x32-simd16"
  /// `f32-gemm-8x32-simd16`: AVX-512.
  case tile8x32SIMD16 = "8x32-simd16"
  /// `f32-gemm-6x16-simd8`: AVX2, the default for builds without AVX-512.
  case tile6x16SIMD8 = "6x16-simd8"

  /// The kernel this build uses unless a test or benchmark forces another
  /// (``KernelOverrides/gemmMicrokernel``).
  public static var preferred: GEMMMicrokernel {
    CompiledCPU.choosesAVX512Forms ? .tile8x32SIMD16 : .tile6x16SIMD8
  }

  /// The tile and implementation part of the kernel ID, e.g. `8x32-simd16`.
  public var tileID: String { rawValue }

  /// The microkernel's own ID, e.g. `f32-gemm-8x32-simd16`.
  public var id: String {
    switch self {
    case .tile12x32SIMD16: F32GEMM12x32SIMD16.id
    case .tile8x32SIMD16: F32GEMM8x32SIMD16.id
    case .tile6x16SIMD8: F32GEMM6x16SIMD8.id
    }
  }

  /// Rows of C per tile.
  public var mr: Int {
    switch self {
    case .tile12x32SIMD16: F32GEMM12x32SIMD16.mr
    case .tile8x32SIMD16: F32GEMM8x32SIMD16.mr
    case .tile6x16SIMD8: F32GEMM6x16SIMD8.mr
    }
  }

  /// Columns of C per tile.
  public var nr: Int {
    switch self {
    case .tile12x32SIMD16: F32GEMM12x32SIMD16.nr
    case .tile8x32SIMD16: F32GEMM8x32SIMD16.nr
    case .tile6x16SIMD8: F32GEMM6x16SIMD8.nr
    }
  }

  @inline(__always)
  func run(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate
  ) {
    switch self {
    case .tile12x32SIMD16:
      F32GEMM12x32SIMD16.run(kc: kc, a: a, b: b, c: c, ldc: ldc, update: update)
    case .tile8x32SIMD16: F32GEMM8x32SIMD16.run(kc: kc, a: a, b: b, c: c, ldc: ldc, update: update)
    case .tile6x16SIMD8: F32GEMM6x16SIMD8.run(kc: kc, a: a, b: b, c: c, ldc: ldc, update: update)
    }
  }

  /// Whether the kernel rounds a Float16 C straight from its registers (``TileUpdate/half``).
  var roundsToFloat16: Bool { self != .tile12x32SIMD16 }

  /// Whether ``runDirectA(kc:a:lda:b:c:ldc:update:)`` exists: the kernel can read full
  /// micro-panels of a row-major A in place.
  var readsAInPlace: Bool { self != .tile12x32SIMD16 }

  /// Whether ``runLeftHalf(kc:a:lda:b:tile:update:)`` exists: the kernel can compute the left
  /// half of a tile (`nr / 2` columns) alone, for edge tiles at most that wide.
  var hasLeftHalf: Bool { self != .tile12x32SIMD16 }

  /// The left `nr / 2` columns of a tile into `tile` (`nr` Floats a row); A packed (`lda` 0) or
  /// read in place (rows `lda` apart).
  @inline(__always)
  func runLeftHalf(
    kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    tile: UnsafeMutablePointer<Float>, update: TileUpdate
  ) {
    switch self {
    case .tile8x32SIMD16:
      F32GEMM8x32SIMD16.runLeftHalf(kc: kc, a: a, lda: lda, b: b, tile: tile, update: update)
    case .tile6x16SIMD8:
      F32GEMM6x16SIMD8.runLeftHalf(kc: kc, a: a, lda: lda, b: b, tile: tile, update: update)
    case .tile12x32SIMD16:
      fatalError("f32-gemm-12x32-simd16 has no left-half kernel")
    }
  }

  /// Whether ``runLeftQuarter(kc:a:lda:b:tile:update:)`` exists: the kernel can compute its
  /// first 8 columns alone on 8-lane vectors, for edge tiles at most that wide.
  var hasLeftQuarter: Bool { self == .tile8x32SIMD16 }

  /// The left 8 columns of a tile into `tile` (rows `tileStride` Floats apart); A as for
  /// ``runLeftHalf(kc:a:lda:b:tile:update:)``.
  @inline(__always)
  func runLeftQuarter(
    kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    tile: UnsafeMutablePointer<Float>, tileStride: Int, update: TileUpdate
  ) {
    switch self {
    case .tile8x32SIMD16:
      F32GEMM8x32SIMD16.runLeftQuarter(
        kc: kc, a: a, lda: lda, b: b, tile: tile, tileStride: tileStride, update: update)
    case .tile6x16SIMD8, .tile12x32SIMD16:
      fatalError("\(self) has no left-quarter kernel")
    }
  }

  /// Whether ``runPackingB(kc:a:lda:packing:panel:c:ldc:update:)`` exists: the kernel can pack
  /// a panel of a row-major B while its first row of tiles computes with it.
  var packsBInKernel: Bool { self != .tile12x32SIMD16 }

  /// Whether ``runPackingB(kc:a:lda:packing:panel:c:ldc:update:)`` can pack two panels per tile
  /// (``FusedBPacking/pairs``).
  var packsBPanelPairs: Bool { self == .tile8x32SIMD16 }

  /// A full tile on B panel `panel` of `packing`, packing that panel on the way, and the one
  /// to its right too where `packing` packs pairs (``FusedBPacking/packs(panel:)`` says which
  /// tiles pack); A packed (`lda` 0) or read in place (rows `lda` apart).
  @inline(__always)
  func runPackingB(
    kc: Int, a: UnsafePointer<Float>, lda: Int, packing: FusedBPacking, panel: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate
  ) {
    let pair = packing.pairs && panel + 1 < packing.panels
    let after = panel + (pair ? 2 : 1)
    let next = after < packing.panels ? after : panel
    let b = packing.destination + panel * nr * kc
    let source = packing.source
    let ldb = source.rowStride
    switch (self, source.storage) {
    case (.tile8x32SIMD16, .float32):
      let s = source.base.assumingMemoryBound(to: Float.self)
      F32GEMM8x32SIMD16.runPackingB(
        kc: kc, a: a, lda: lda, source: s + panel * nr, ldb: ldb, next: s + next * nr, b: b,
        c: c, ldc: ldc, update: update, pair: pair)
    case (.tile8x32SIMD16, .float16):
      let s = source.base.assumingMemoryBound(to: Float16.self)
      F32GEMM8x32SIMD16.runPackingB(
        kc: kc, a: a, lda: lda, source: s + panel * nr, ldb: ldb, next: s + next * nr, b: b,
        c: c, ldc: ldc, update: update)
    case (.tile6x16SIMD8, .float32):
      let s = source.base.assumingMemoryBound(to: Float.self)
      F32GEMM6x16SIMD8.runPackingB(
        kc: kc, a: a, lda: lda, source: s + panel * nr, ldb: ldb, next: s + next * nr, b: b,
        c: c, ldc: ldc, update: update)
    case (.tile6x16SIMD8, .float16):
      let s = source.base.assumingMemoryBound(to: Float16.self)
      F32GEMM6x16SIMD8.runPackingB(
        kc: kc, a: a, lda: lda, source: s + panel * nr, ldb: ldb, next: s + next * nr, b: b,
        c: c, ldc: ldc, update: update)
    case (.tile12x32SIMD16, _):
      fatalError("f32-gemm-12x32-simd16 does not pack B in the kernel")
    }
  }

  @inline(__always)
  func runDirectA(
    kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, update: TileUpdate
  ) {
    switch self {
    case .tile8x32SIMD16:
      F32GEMM8x32SIMD16.runDirectA(kc: kc, a: a, lda: lda, b: b, c: c, ldc: ldc, update: update)
    case .tile6x16SIMD8:
      F32GEMM6x16SIMD8.runDirectA(kc: kc, a: a, lda: lda, b: b, c: c, ldc: ldc, update: update)
    case .tile12x32SIMD16:
      fatalError("f32-gemm-12x32-simd16 does not read A in place")
    }
  }
}
