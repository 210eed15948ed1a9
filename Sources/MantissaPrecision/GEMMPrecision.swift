import MantissaKernels
import MantissaReference

/// GEMM accuracy, in the spirit of the reference BLAS tester (sblat3): for each kernel ID,
/// shape and input distribution, the ratio
/// `max_ij |C - C_ref| / (eps * (|alpha| |A||B| + |beta| |C|)_ij)` against a Double product of the
/// same (already rounded) inputs, with eps = 2^-24 (Float32 unit roundoff) for a Float C and
/// eps = 2^-11 + k 2^-24 (Float16 output rounding plus Float32 accumulation) for a Float16 C.
/// Derived bounds (Docs/Precision.md): k + 3 for a Float C, 2 for a Float16 C.
/// For Float16 inputs it also reports `storage-ratio`: the same maximum against the Double
/// product of the original Float32 values, over `2^-11 * (|A||B| + ...)`, which shows what
/// Float16 storage costs (bound 3 + (k + 3) 2^-13, plus 1 for a Float16 C: two input roundings
/// per product and the rounding of C itself, each at most 2^-11 relative).
public enum GEMMPrecision {
  public enum Distribution: String, CaseIterable, Sendable {
    case uniform, positive, wide, integer
  }

  public struct Shape: Sendable {
    public var m, n, k: Int
    public var name: String { "\(m)x\(n)x\(k)" }
  }

  public static let testShapes = [
    Shape(m: 7, n: 9, k: 13), Shape(m: 33, n: 17, k: 257), Shape(m: 64, n: 64, k: 64),
    Shape(m: 16, n: 40, k: 4096), Shape(m: 37, n: 1, k: 300), Shape(m: 1, n: 20, k: 1000),
  ]
  public static let fullShapes =
    testShapes + [Shape(m: 128, n: 128, k: 1024), Shape(m: 100, n: 100, k: 4096)]

  enum Path: Sendable {
    case microkernel(GEMMMicrokernel)
    case narrow
  }

  struct Combination: Sendable {
    var a: KernelType
    var b: KernelType
    var c: KernelType
  }

  static let combinations = [
    Combination(a: .f32, b: .f32, c: .f32), Combination(a: .f16, b: .f16, c: .f32),
    Combination(a: .f16, b: .f16, c: .f16), Combination(a: .f32, b: .f16, c: .f32),
  ]

  public static func measure(shapes: [Shape]) -> [PrecisionMeasurement] {
    var results: [PrecisionMeasurement] = []
    let paths: [Path] = GEMMMicrokernel.allCases.map { .microkernel($0) } + [.narrow]
    for shape in shapes {
      for distribution in Distribution.allCases {
        for combination in combinations {
          for path in paths {
            if case .narrow = path, shape.n > 32 { continue }
            results += measureOne(shape, distribution, combination, path)
          }
        }
      }
    }
    return results
  }

  static func value(_ d: Distribution, _ g: inout SeededGenerator) -> Double {
    switch d {
    case .uniform: return g.uniform(-1, 1)
    case .positive: return g.uniform(0, 1)
    case .wide:
      // Ten binades, 2^-8 to 2^2: as wide as Float16 C can hold at k = 4096 without overflow.
      let magnitude = Double(sign: .plus, exponent: g.integer(-8...1), significand: g.uniform(1, 2))
      return g.uniform(0, 1) < 0.5 ? -magnitude : magnitude
    case .integer: return Double(g.integer(-4...4))
    }
  }

  static func measureOne(
    _ s: Shape, _ d: Distribution, _ comb: Combination, _ path: Path
  ) -> [PrecisionMeasurement] {
    let distributionIndex = Distribution.allCases.firstIndex(of: d)!
    var g = SeededGenerator(seed: UInt64(s.m * 7919 + s.n * 104_729 + s.k + distributionIndex * 31))
    let (m, n, k) = (s.m, s.n, s.k)
    let alpha = 1.0
    let beta = 0.5
    let original = (
      a: (0..<(m * k)).map { _ in Float(value(d, &g)) },
      b: (0..<(k * n)).map { _ in Float(value(d, &g)) },
      c: (0..<(m * n)).map { _ in Float(value(d, &g)) }
    )
    func stored(_ x: [Float], _ t: KernelType) -> [Double] {
      t == .f16 ? x.map { Double(Float16($0)) } : x.map(Double.init)
    }
    let aD = stored(original.a, comb.a)
    let bD = stored(original.b, comb.b)
    let cD = stored(original.c, comb.c)
    let reference = Reference.gemm(
      transA: false, transB: false, m: m, n: n, k: k, alpha: alpha, a: aD, lda: k, b: bD, ldb: n,
      beta: beta, c: cD, ldc: n)
    let exact = Reference.gemm(
      transA: false, transB: false, m: m, n: n, k: k, alpha: alpha, a: original.a.map(Double.init),
      lda: k, b: original.b.map(Double.init), ldb: n, beta: beta, c: original.c.map(Double.init),
      ldc: n)

    func run(threads: Int) -> [Float] {
      var overrides = KernelOverrides(forceParallel: threads > 1)
      switch path {
      case .microkernel(let kernel): overrides.gemmMicrokernel = kernel
      case .narrow: overrides.narrowGEMM = true
      }
      return KernelOverrides.$current.withValue(overrides) {
        let a32 = aD.map { Float($0) }
        let b32 = bD.map { Float($0) }
        let a16 = aD.map { Float16(Float($0)) }
        let b16 = bD.map { Float16(Float($0)) }
        var c32 = cD.map { Float($0) }
        var c16 = cD.map { Float16(Float($0)) }
        switch (comb.a, comb.b, comb.c) {
        case (.f32, .f32, _):
          gemm(
            .noTranspose, .noTranspose, m: m, n: n, k: k, alpha: Float(alpha), a: a32, lda: k,
            b: b32, ldb: n, beta: Float(beta), c: &c32, ldc: n, threads: threads)
        case (.f16, .f16, .f32):
          gemm(
            .noTranspose, .noTranspose, m: m, n: n, k: k, alpha: Float(alpha), a: a16, lda: k,
            b: b16, ldb: n, beta: Float(beta), c: &c32, ldc: n, threads: threads)
        case (.f16, .f16, .f16):
          gemm(
            .noTranspose, .noTranspose, m: m, n: n, k: k, alpha: Float(alpha), a: a16, lda: k,
            b: b16, ldb: n, beta: Float(beta), c: &c16, ldc: n, threads: threads)
          return c16.map { Float($0) }
        default:
          gemm(
            .noTranspose, .noTranspose, m: m, n: n, k: k, alpha: Float(alpha), a: a32, lda: k,
            b: b16, ldb: n, beta: Float(beta), c: &c32, ldc: n, threads: threads)
        }
        return c32
      }
    }
    let c1 = run(threads: 1)
    let c2 = run(threads: 2)
    let u32 = 0x1p-24
    let u16 = 0x1p-11
    let eps = comb.c == .f16 ? u16 + Double(k) * u32 : u32
    var ratio = 0.0
    var storage = 0.0
    for i in 0..<(m * n) {
      let mag = max(reference.magnitude[i], .leastNormalMagnitude)
      ratio = max(ratio, abs(Double(c1[i]) - reference.value[i]) / (eps * mag))
      let exactMag = max(exact.magnitude[i], .leastNormalMagnitude)
      storage = max(storage, abs(Double(c1[i]) - exact.value[i]) / (u16 * exactMag))
    }
    let tile: String
    switch path {
    case .microkernel(let kernel): tile = kernel.tileID
    case .narrow: tile = narrowGEMMTileID(m: m, n: n, k: k)
    }
    let id = gemmKernelID(a: comb.a, b: comb.b, c: comb.c, kernel: .tile8x32SIMD16)
      .replacingOccurrences(of: GEMMMicrokernel.tile8x32SIMD16.tileID, with: tile)
    let caseName = "\(d.rawValue)-\(s.name)"
    var rows = [
      PrecisionMeasurement(
        id: id, caseName: caseName, metric: "sblat3-ratio", value: ratio,
        bound: comb.c == .f16 ? 2 : Double(k + 3), higherIsBetter: false),
      PrecisionMeasurement(
        id: id, caseName: caseName, metric: "threads-bitwise-differences",
        value: Double(zip(c1, c2).filter { $0.bitPattern != $1.bitPattern }.count), bound: 0,
        higherIsBetter: false),
    ]
    if comb.a == .f16 || comb.b == .f16 {
      let outputRounding = comb.c == .f16 ? 1.0 : 0
      rows.append(
        PrecisionMeasurement(
          id: id, caseName: caseName, metric: "storage-ratio", value: storage,
          bound: 3 + Double(k + 3) * u32 / u16 + outputRounding, higherIsBetter: false))
    }
    return rows
  }
}
