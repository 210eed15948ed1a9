// Rows of C that share one SIMD16, each row's few values in lanes of its own: the last columns
// of `*-gemm-4x20-simd16quad` (lane 4r + c) and the sums of `*-gemm-4x4-simd16dot` (lane
// n r + c). Each row is reached by one masked access at an address shifted back by its first
// lane, so that the lanes land on its columns without a permute; only the masked lanes are
// read or written, so the shifted address may lie before the row (even before C).

/// Rows of C reached as ``MaskedRows``' header says: `forEachRow` hands over each row's
/// shifted address and lane mask (rows past the group's end get an empty mask, or none).
protocol MaskedRows<Element> {
  associatedtype Element
  func forEachRow(_ body: (UnsafeMutablePointer<Element>, UInt16) -> Void)
  /// The same places `delta` bytes away (a ReLU mask laid out like C).
  func offset(byBytes delta: Int) -> Self
}

extension MaskedRows where Element == Float {
  /// The rows' values in their lanes, zeros elsewhere.
  @inline(__always)
  func load() -> SIMD16<Float> {
    var v = SIMD16<Float>()
    forEachRow { v = loadMasked($0, $1, into: v) }
    return v
  }

  @inline(__always)
  func store(_ v: SIMD16<Float>) {
    forEachRow { storeMasked(v, to: $0, $1) }
  }
}

extension MaskedRows where Element == Float16 {
  /// The rows' values in their lanes, widened, zeros elsewhere.
  @inline(__always)
  func load() -> SIMD16<Float> {
    var v = SIMD16<Float16>()
    forEachRow { v = loadMasked($0, $1, into: v) }
    return widen(v)
  }

  @inline(__always)
  func store(_ v: SIMD16<Float16>) {
    forEachRow { storeMasked(v, to: $0, $1) }
  }
}

extension NarrowRowUpdate {
  /// Rows of Float C in masked lanes (``MaskedRows``), with the formulas of
  /// ``storePiece(_:to:lanes:bias:_:masked:addsBias:relu:)``; `bias` in the rows' lanes.
  @inline(__always)
  func storeMaskedRows<Rows: MaskedRows<Float>>(
    _ acc: SIMD16<Float>, _ rows: Rows, bias: SIMD16<Float>, _ mode: TileUpdate.Mode,
    masked: Bool, addsBias: Bool, relu: Bool
  ) {
    var v: SIMD16<Float>
    switch mode {
    case .overwrite: v = acc * alpha
    case .scaleAdd: v = (acc * alpha).addingProduct(beta, rows.load())
    case .accumulate: v = rows.load().addingProduct(alpha, acc)
    }
    if addsBias { v += bias }
    if relu { v = rectified(v) }
    if masked { v = maskedByReLU(v, rows.offset(byBytes: reluMaskDelta!).load()) }
    rows.store(v)
  }

  /// Rows of Float16 C in masked lanes, rounded once, with the formulas of
  /// ``storeRoundedPiece(_:to:lanes:bias:full:readsC:masked:addsBias:relu:)``.
  @inline(__always)
  func storeRoundedMaskedRows<Rows: MaskedRows<Float16>>(
    _ acc: SIMD16<Float>, _ rows: Rows, bias: SIMD16<Float>, readsC: Bool, masked: Bool,
    addsBias: Bool, relu: Bool
  ) {
    var v = acc * alpha
    if readsC { v = v.addingProduct(beta, rows.load()) }
    if addsBias { v += bias }
    if relu { v = rectified(v) }
    if masked { v = maskedByReLU(v, rows.offset(byBytes: reluMaskDelta!).load()) }
    rows.store(narrow(v))
  }
}
