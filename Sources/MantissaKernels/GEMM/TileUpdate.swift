/// How a microkernel merges the product of one K block (`acc`, a tile of A·B over that block) into
/// its destination tile of Float values.
///
/// Every path (full tiles stored by the microkernel, edge tiles merged from a scratch tile, the
/// Float16-C workspace) uses exactly these formulas, each a single FMA or multiply per step, so a
/// result does not depend on where tile edges fall, which microkernel ran or how many threads
/// split the problem.
struct TileUpdate {
  enum Mode {
    /// `c = alpha * acc` (first K block with beta == 0: C is not read).
    case overwrite
    /// `c = fma(beta, c, alpha * acc)` (first K block).
    case scaleAdd
    /// `c = fma(alpha, acc, c)` (every later K block).
    case accumulate
  }

  var mode: Mode
  var alpha: Float
  var beta: Float
  /// The bias for this tile's first column, applied after the last K block; nil for none.
  var bias: UnsafePointer<Float>?
  var relu: Bool
  /// Bytes from each destination element to its ReLU-mask element (``GEMMProblem/reluMask``),
  /// applied after the bias and ReLU; nil for none.
  var reluMaskDelta: Int? = nil

  /// When set, the destination is Float16 C (a kernel that ``GEMMMicrokernel/roundsToFloat16``
  /// receives its address as is, `ldc` in Float16 elements): the one K block's `alpha * acc`,
  /// the value a Float workspace would hold, is finished and rounded straight from the
  /// registers. `mode` is then `.overwrite`.
  var half: HalfFinish? = nil

  /// What a microkernel writes into a scratch tile so that ``merge(tile:into:ldc:rows:columns:)``
  /// can finish the update: the raw product.
  static var raw: TileUpdate {
    TileUpdate(mode: .overwrite, alpha: 1, beta: 0, bias: nil, relu: false)
  }

  // Transparent, not @inline(__always): the latter left 15 out-of-line calls in each packed
  // microkernel (SIMD16 passed as four xmm pieces, the live accumulators spilled around each
  // call), 4% of the time at 2048^3.
  @_transparent
  func apply(_ acc: SIMD16<Float>, to p: UnsafeMutablePointer<Float>, column j: Int) {
    var v: SIMD16<Float>
    switch mode {
    case .overwrite: v = acc * alpha
    case .scaleAdd: v = (acc * alpha).addingProduct(beta, load16(p))
    case .accumulate: v = load16(p).addingProduct(alpha, acc)
    }
    if let bias { v += load16(bias + j) }
    if relu { v = rectified(v) }
    if let reluMaskDelta { v = maskedByReLU(v, load16(floatMask(p, reluMaskDelta))) }
    store(v, to: p)
  }

  @_transparent
  func apply(_ acc: SIMD8<Float>, to p: UnsafeMutablePointer<Float>, column j: Int) {
    var v: SIMD8<Float>
    switch mode {
    case .overwrite: v = acc * alpha
    case .scaleAdd: v = (acc * alpha).addingProduct(beta, load8(p))
    case .accumulate: v = load8(p).addingProduct(alpha, acc)
    }
    if let bias { v += load8(bias + j) }
    if relu { v = rectified(v) }
    if let reluMaskDelta { v = maskedByReLU(v, load8(floatMask(p, reluMaskDelta))) }
    store(v, to: p)
  }

  @inline(__always)
  func apply(_ acc: Float, to p: UnsafeMutablePointer<Float>, column j: Int) {
    var v: Float
    switch mode {
    case .overwrite: v = acc * alpha
    case .scaleAdd: v = (acc * alpha).addingProduct(beta, p.pointee)
    case .accumulate: v = p.pointee.addingProduct(alpha, acc)
    }
    if let bias { v += bias[j] }
    if relu, v < 0 { v = 0 }
    if let reluMaskDelta { v = maskedByReLU(v, floatMask(p, reluMaskDelta).pointee) }
    p.pointee = v
  }

  /// ``apply(_:to:column:)`` for up to 16 rows of a one-column C stored contiguously (ldc 1):
  /// lane r is row r, every row takes the one bias value. The scalar formulas lane by lane, so
  /// the bits are those of a row-by-row merge. `@_transparent`: as `@inline(__always)` it
  /// became an out-of-line call per 16 rows once the column forms called it too (1000x1x20:nt
  /// 2.2 -> 2.4 us on Zen 4).
  @_transparent
  func applyToColumn(_ acc: SIMD16<Float>, to p: UnsafeMutablePointer<Float>, rows: Int) {
    @inline(__always) func load(_ q: UnsafePointer<Float>) -> SIMD16<Float> {
      rows == 16 ? load16(q) : loadPartial16(q, rows)
    }
    var v: SIMD16<Float>
    switch mode {
    case .overwrite: v = acc * alpha
    case .scaleAdd: v = (acc * alpha).addingProduct(beta, load(p))
    case .accumulate: v = load(p).addingProduct(alpha, acc)
    }
    if let bias { v += SIMD16(repeating: bias[0]) }
    if relu { v = rectified(v) }
    if let reluMaskDelta { v = maskedByReLU(v, load(floatMask(p, reluMaskDelta))) }
    if rows == 16 { store(v, to: p) } else { storePartial16(v, to: p, rows) }
  }

  /// Finishes an edge tile: `tile` holds the raw product (row stride `tileStride`); only the
  /// `rows` x `columns` corner is written to C, so nothing outside C is read or written.
  /// Whole 16- and 8-wide pieces use the vector formulas, the rest the scalar one (the same
  /// arithmetic, so the result does not depend on where a tile edge falls); narrow layers
  /// (n = 10, 20) spend much of their time here.
  func merge(
    tile: UnsafePointer<Float>, tileStride: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
    rows: Int, columns: Int
  ) {
    for r in 0..<rows {
      let src = tile + r * tileStride
      let dst = c + r * ldc
      var j = 0
      while j + 16 <= columns {
        apply(load16(src + j), to: dst + j, column: j)
        j += 16
      }
      if j + 8 <= columns {
        apply(load8(src + j), to: dst + j, column: j)
        j += 8
      }
      while j < columns {
        apply(src[j], to: dst + j, column: j)
        j += 1
      }
    }
  }
}

/// The last step of a Float16 C, from the finished Float value `w` (the Float workspace's, or
/// `alpha * acc` in a kernel's registers when k fits one K block):
/// `c = relu(fma(beta, c, w) + bias)`, reading C only when beta != 0, then masked by the ReLU mask
/// at `c + reluMaskDelta` bytes, then rounded once to Float16. One definition for both places,
/// so a Float16 C has the same bits whichever way it was finished.
struct HalfFinish {
  var beta: Float
  /// The bias at the first column of the destination passed to ``apply(_:to:column:)``.
  var bias: UnsafePointer<Float>?
  var relu: Bool
  var reluMaskDelta: Int?

  @_transparent
  func apply(_ w: SIMD16<Float>, to d: UnsafeMutablePointer<Float16>, column j: Int) {
    var v = w
    if beta != 0 { v = v.addingProduct(beta, loadWidened16(d)) }
    if let bias { v += load16(bias + j) }
    if relu { v = rectified(v) }
    if let reluMaskDelta { v = maskedByReLU(v, loadWidened16(halfMask(d, reluMaskDelta))) }
    storeNarrowed(v, to: d)
  }

  @_transparent
  func apply(_ w: SIMD8<Float>, to d: UnsafeMutablePointer<Float16>, column j: Int) {
    var v = w
    if beta != 0 { v = v.addingProduct(beta, loadWidened8(d)) }
    if let bias { v += load8(bias + j) }
    if relu { v = rectified(v) }
    if let reluMaskDelta { v = maskedByReLU(v, loadWidened8(halfMask(d, reluMaskDelta))) }
    storeNarrowed(v, to: d)
  }
}

/// `v` where the ReLU mask value is > 0, `v * 0` elsewhere (NaN masks included): the formula of
/// `leakyReLUBackward` with slope 0, so a fused mask gives the bits of the separate pass.
@inline(__always)
func maskedByReLU(_ v: SIMD16<Float>, _ mask: SIMD16<Float>) -> SIMD16<Float> {
  (v * 0).replacing(with: v, where: mask .> 0)
}

@inline(__always)
func maskedByReLU(_ v: SIMD8<Float>, _ mask: SIMD8<Float>) -> SIMD8<Float> {
  (v * 0).replacing(with: v, where: mask .> 0)
}

@inline(__always)
func maskedByReLU(_ v: Float, _ mask: Float) -> Float { mask > 0 ? v : v * 0 }

/// The ReLU-mask element `delta` bytes from a Float destination element.
@inline(__always)
func floatMask(_ p: UnsafeMutablePointer<Float>, _ delta: Int) -> UnsafePointer<Float> {
  (UnsafeRawPointer(p) + delta).assumingMemoryBound(to: Float.self)
}

/// The ReLU-mask element `delta` bytes from a Float16 destination element.
@inline(__always)
func halfMask(_ p: UnsafeMutablePointer<Float16>, _ delta: Int) -> UnsafePointer<Float16> {
  (UnsafeRawPointer(p) + delta).assumingMemoryBound(to: Float16.self)
}
