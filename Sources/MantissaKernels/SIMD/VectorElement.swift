/// A storage type that elementwise kernels read as Float vectors and write back rounded once:
/// Float as is, Float16 widened on load and narrowed (round to nearest even) on store.
public protocol VectorElement {
  static func load16(_ p: UnsafePointer<Self>) -> SIMD16<Float>
  static func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Self>)
  static func load1(_ p: UnsafePointer<Self>) -> Float
  static func store1(_ v: Float, _ p: UnsafeMutablePointer<Self>)
  /// The kernel-ID name of the type: `f32` or `f16`.
  static var kernelType: KernelType { get }
}

extension Float: VectorElement {
  @inlinable @inline(__always)
  public static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
  }
  @inlinable @inline(__always)
  public static func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
  }
  @inlinable @inline(__always)
  public static func load1(_ p: UnsafePointer<Float>) -> Float { p.pointee }
  @inlinable @inline(__always)
  public static func store1(_ v: Float, _ p: UnsafeMutablePointer<Float>) { p.pointee = v }
  public static var kernelType: KernelType { .f32 }
}

extension Float16: VectorElement {
  @inlinable @inline(__always)
  public static func load16(_ p: UnsafePointer<Float16>) -> SIMD16<Float> {
    // Not `SIMD16<Float>(SIMD16<Float16>)`, which is emitted as an out-of-line call inside
    // generic code (SWIFT-SIMD.md, Docs/SwiftSIMDNotes.md), nor lane by lane, which inlines
    // into four 128-bit vcvtph2ps and three inserts (f16 column sums ran at 0.43x the f32
    // ones); `loadWidened16` is one 512-bit vcvtph2ps on AVX-512 builds.
    loadWidened16(p)
  }
  @inlinable @inline(__always)
  public static func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float16>) {
    // Lane by lane for the same reason; this inlines into one vcvtps2ph.
    var r = SIMD16<Float16>()
    for j in 0..<16 { r[j] = Float16(v[j]) }
    UnsafeMutableRawPointer(p).storeBytes(of: r, as: SIMD16<Float16>.self)
  }
  @inlinable @inline(__always)
  public static func load1(_ p: UnsafePointer<Float16>) -> Float { Float(p.pointee) }
  @inlinable @inline(__always)
  public static func store1(_ v: Float, _ p: UnsafeMutablePointer<Float16>) {
    p.pointee = Float16(v)
  }
  public static var kernelType: KernelType { .f16 }
}
