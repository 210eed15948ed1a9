// Unaligned vector loads and stores through raw pointers: `loadUnaligned` and `storeBytes` become
// one vmovups, where `load(as:)` traps in debug builds on addresses not 16-byte aligned.

@inlinable @inline(__always)
func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inlinable @inline(__always)
func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inlinable @inline(__always)
func store(_ v: SIMD16<Float>, to p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

@inlinable @inline(__always)
func store(_ v: SIMD8<Float>, to p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

#if MANTISSA_AVX512
  import CMantissaCPU
  import _Builtin_intrinsics.intel

  /// The first `count` (0...16) Floats at `p` in the low lanes, zeros above; nothing past
  /// `p + count` is read. One masked `vmovups` (AVX-512 builds, `MANTISSA_AVX512`).
  @inlinable @inline(__always)
  func loadPartial16(_ p: UnsafePointer<Float>, _ count: Int) -> SIMD16<Float> {
    _mm512_maskz_loadu_ps(laneMask(count), p)
  }

  /// Writes the low `count` (0...16) lanes of `v` to `p`; nothing past `p + count` is touched.
  @inlinable @inline(__always)
  func storePartial16(_ v: SIMD16<Float>, to p: UnsafeMutablePointer<Float>, _ count: Int) {
    _mm512_mask_storeu_ps(p, laneMask(count), v)
  }

  /// The first `count` (0...16) Float16 values at `p`, widened, zeros above; nothing past
  /// `p + count` is read.
  @inlinable @inline(__always)
  func loadPartialWidened16(_ p: UnsafePointer<Float16>, _ count: Int) -> SIMD16<Float> {
    let halves = _mm256_maskz_loadu_epi16(laneMask(count), p)
    return widen(unsafeBitCast(halves, to: SIMD16<Float16>.self))
  }

  /// Rounds the low `count` (0...16) lanes of `v` to Float16 and writes them to `p`; nothing
  /// past `p + count` is touched.
  @inlinable @inline(__always)
  func storePartialNarrowed16(
    _ v: SIMD16<Float>, to p: UnsafeMutablePointer<Float16>, _ count: Int
  ) {
    _mm256_mask_storeu_epi16(p, laneMask(count), unsafeBitCast(narrow(v), to: __m256i.self))
  }

  /// Writes the low `count` (0...8) lanes of `v` to `p`; nothing past `p + count` is touched.
  @inlinable @inline(__always)
  func storePartial8(_ v: SIMD8<Float>, to p: UnsafeMutablePointer<Float>, _ count: Int) {
    _mm256_mask_storeu_ps(p, UInt8(truncatingIfNeeded: laneMask(count)), v)
  }

  /// Rounds the low `count` (0...8) lanes of `v` to Float16 and writes them to `p`; nothing
  /// past `p + count` is touched.
  @inlinable @inline(__always)
  func storePartialNarrowed8(
    _ v: SIMD8<Float>, to p: UnsafeMutablePointer<Float16>, _ count: Int
  ) {
    _mm_mask_storeu_epi16(
      p, UInt8(truncatingIfNeeded: laneMask(count)),
      mantissa_narrow_ps256(v))
  }

  @inlinable @inline(__always)
  func laneMask(_ count: Int) -> UInt16 { UInt16(truncatingIfNeeded: (1 &<< count) &- 1) }
#elseif MANTISSA_AVX2
  import CMantissaCPU
  import _Builtin_intrinsics.intel

  // The same contracts with AVX's sign-bit-masked loads and stores (CMantissaCPU.h says why).

  /// The first `count` (0...16) Floats at `p` in the low lanes, zeros above; nothing past
  /// `p + count` is read.
  @inlinable @inline(__always)
  func loadPartial16(_ p: UnsafePointer<Float>, _ count: Int) -> SIMD16<Float> {
    let low = mantissa_load_partial_ps256(p, count)
    let high = mantissa_load_partial_ps256(p + 8, count &- 8)
    return unsafeBitCast((low, high), to: SIMD16<Float>.self)
  }

  /// Writes the low `count` (0...16) lanes of `v` to `p`; nothing past `p + count` is touched.
  @inlinable @inline(__always)
  func storePartial16(_ v: SIMD16<Float>, to p: UnsafeMutablePointer<Float>, _ count: Int) {
    let (low, high) = unsafeBitCast(v, to: (SIMD8<Float>, SIMD8<Float>).self)
    mantissa_store_partial_ps256(p, count, low)
    mantissa_store_partial_ps256(p + 8, count &- 8, high)
  }

  /// Writes the low `count` (0...8) lanes of `v` to `p`; nothing past `p + count` is touched.
  @inlinable @inline(__always)
  func storePartial8(_ v: SIMD8<Float>, to p: UnsafeMutablePointer<Float>, _ count: Int) {
    mantissa_store_partial_ps256(p, count, v)
  }

  /// The first `count` (0...16) Float16 values at `p`, widened, zeros above; nothing past
  /// `p + count` is read.
  @inlinable @inline(__always)
  func loadPartialWidened16(_ p: UnsafePointer<Float16>, _ count: Int) -> SIMD16<Float> {
    let bits = UnsafeRawPointer(p).assumingMemoryBound(to: UInt16.self)
    let low = _mm256_cvtph_ps(mantissa_load_partial_epi16(bits, min(count, 8)))
    let high = _mm256_cvtph_ps(mantissa_load_partial_epi16(bits + 8, count &- 8))
    return unsafeBitCast((low, high), to: SIMD16<Float>.self)
  }

  /// Rounds the low `count` (0...16) lanes of `v` to Float16 and writes them to `p`; nothing
  /// past `p + count` is touched.
  @inlinable @inline(__always)
  func storePartialNarrowed16(
    _ v: SIMD16<Float>, to p: UnsafeMutablePointer<Float16>, _ count: Int
  ) {
    let (low, high) = unsafeBitCast(v, to: (SIMD8<Float>, SIMD8<Float>).self)
    if count >= 8 {
      storeNarrowed(low, to: p)
      storePartialNarrowed8(high, to: p + 8, count &- 8)
    } else {
      storePartialNarrowed8(low, to: p, count)
    }
  }

  /// Rounds the low `count` (0...8) lanes of `v` to Float16 and writes them to `p`; nothing
  /// past `p + count` is touched.
  @inlinable @inline(__always)
  func storePartialNarrowed8(
    _ v: SIMD8<Float>, to p: UnsafeMutablePointer<Float16>, _ count: Int
  ) {
    mantissa_store_partial_epi16(
      UnsafeMutableRawPointer(p).assumingMemoryBound(to: UInt16.self), count,
      mantissa_narrow_ps256(v))
  }
#else
  /// The first `count` (0...16) Float16 values at `p`, widened, zeros above, lane by lane.
  @inlinable @inline(__always)
  func loadPartialWidened16(_ p: UnsafePointer<Float16>, _ count: Int) -> SIMD16<Float> {
    var v = SIMD16<Float>()
    for l in 0..<count { v[l] = Float(p[l]) }
    return v
  }

  /// Rounds the low `count` (0...16) lanes of `v` to Float16 and writes them to `p`.
  @inlinable @inline(__always)
  func storePartialNarrowed16(
    _ v: SIMD16<Float>, to p: UnsafeMutablePointer<Float16>, _ count: Int
  ) {
    for l in 0..<count { p[l] = Float16(v[l]) }
  }

  /// Writes the low `count` (0...8) lanes of `v` to `p`.
  @inlinable @inline(__always)
  func storePartial8(_ v: SIMD8<Float>, to p: UnsafeMutablePointer<Float>, _ count: Int) {
    for l in 0..<count { p[l] = v[l] }
  }

  /// Rounds the low `count` (0...8) lanes of `v` to Float16 and writes them to `p`.
  @inlinable @inline(__always)
  func storePartialNarrowed8(
    _ v: SIMD8<Float>, to p: UnsafeMutablePointer<Float16>, _ count: Int
  ) {
    for l in 0..<count { p[l] = Float16(v[l]) }
  }

  /// The first `count` (0...16) Floats at `p` in the low lanes, zeros above, lane by lane.
  @inlinable @inline(__always)
  func loadPartial16(_ p: UnsafePointer<Float>, _ count: Int) -> SIMD16<Float> {
    var v = SIMD16<Float>()
    for l in 0..<count { v[l] = p[l] }
    return v
  }

  /// Writes the low `count` (0...16) lanes of `v` to `p`, lane by lane.
  @inlinable @inline(__always)
  func storePartial16(_ v: SIMD16<Float>, to p: UnsafeMutablePointer<Float>, _ count: Int) {
    for l in 0..<count { p[l] = v[l] }
  }
#endif
