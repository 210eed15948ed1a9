import Foundation
import MantissaKernels
import MantissaReference
import Testing

/// The storage types of one GEMM call.
enum Combination: String, CaseIterable, CustomTestStringConvertible {
  case f32, f16f16f32, f16, f32f16f32

  var types: (KernelType, KernelType, KernelType) {
    switch self {
    case .f32: (.f32, .f32, .f32)
    case .f16f16f32: (.f16, .f16, .f32)
    case .f16: (.f16, .f16, .f16)
    case .f32f16f32: (.f32, .f16, .f32)
    }
  }
  var aIsHalf: Bool { self == .f16f16f32 || self == .f16 }
  var bIsHalf: Bool { self != .f32 }
  var cIsHalf: Bool { self == .f16 }
  var testDescription: String { rawValue }
}

/// One GEMM test case: shape, operands' layout, scalars, epilogue and the path to force.
struct GEMMCase: CustomTestStringConvertible, Sendable {
  var m: Int
  var n: Int
  var k: Int
  var transA = false
  var transB = false
  var alpha: Float = 1
  var beta: Float = 0
  /// Extra elements past each stored row (strided operands).
  var padA = 0
  var padB = 0
  var padC = 0
  var combination = Combination.f32
  var kernel = GEMMMicrokernel.preferred
  var bias = false
  var relu = false
  /// Mask the result by a ReLU's values (`reluMask`, values from ``reluMaskValue(_:_:)``).
  var reluMask = false
  var packedB = false
  var threads = 1
  var forceParallel = false
  var blocking: GEMMBlocking? = nil
  /// Take the narrow-C path (`*-gemm-8x16-simd16direct`, `*-4x32-simd16direct`) where it applies.
  var narrow = false
  /// Small integers, for which every Float32 result must be exact.
  var integers = false
  var seed: UInt64 = 1
  /// Run only op(B)'s column j, as an n == 1 product of the same data (C's, the bias's and the
  /// mask's column j); C's other columns are neither written nor checked.
  var onlyColumn: Int? = nil

  var id: String {
    let (a, b, c) = combination.types
    let id = gemmKernelID(
      a: a, b: b, c: c, packedB: packedB, bias: bias, relu: relu, reluMask: reluMask,
      kernel: kernel)
    if narrow && !packedB && n <= 32 {
      return id.replacingOccurrences(
        of: kernel.tileID,
        with: narrowGEMMTileID(m: m, n: onlyColumn == nil ? n : 1, k: k, transA: transA))
    }
    return id
  }

  var testDescription: String {
    "\(id) \(m)x\(n)x\(k) \(transA ? "t" : "n")\(transB ? "t" : "n") alpha \(alpha) beta \(beta)"
      + (onlyColumn.map { " column \($0) alone" } ?? "")
      + " pads \(padA)/\(padB)/\(padC) threads \(threads)\(forceParallel ? " forced" : "")"
      + (blocking.map { " \($0)" } ?? "")
  }
}

/// The ReLU mask at C's element (i, j) in ``GEMMCase/reluMask`` cases: small integers, a third of
/// them <= 0, and NaN at (0, 0) (which must count as "not > 0"); exact in Float16 too.
func reluMaskValue(_ i: Int, _ j: Int) -> Float {
  i == 0 && j == 0 ? .nan : Float((i * 7 + j * 3) % 9 - 2)
}

/// Rounds to the storage type the kernel will read, so the oracle sees the same inputs.
func stored(_ x: Double, half: Bool) -> Double {
  half ? Double(Float16(Float(x))) : Double(Float(x))
}

/// A canary value around C's rows: any write outside the m x n block changes it.
let canary: Float = -7776  // exact in Float16 too

/// Runs `c` and checks it against the Double oracle with the derived bound (Docs/Precision.md):
/// `|C - C_ref| <= magnitude * ((k + 3) * eps32 + epsOut) + epsOut * 2^-14`, where magnitude is
/// `|alpha| sum |a b| + |beta c| + |bias|` per element; exact equality for integer inputs.
/// Returns the bit patterns of C (as Float) for bitwise comparisons between runs.
@discardableResult
func checkGEMM(_ c: GEMMCase) -> [UInt32] {
  var g = SeededGenerator(seed: c.seed &+ UInt64(c.m * 1_000_003 + c.n * 1009 + c.k))
  func value() -> Double { c.integers ? Double(g.integer(-3...3)) : g.uniform(-1, 1) }
  let aRows = c.transA ? c.k : c.m
  let aCols = c.transA ? c.m : c.k
  let bRows = c.transB ? c.n : c.k
  let bCols = c.transB ? c.k : c.n
  let lda = max(1, aCols + c.padA)
  let ldb = max(1, bCols + c.padB)
  let ldc = max(1, c.n + c.padC)
  let aD = (0..<(aRows * lda)).map { _ in stored(value(), half: c.combination.aIsHalf) }
  let bD = (0..<(bRows * ldb)).map { _ in stored(value(), half: c.combination.bIsHalf) }
  // C gets canaries in the padding and one row above and below; NaN when beta == 0 must not leak.
  let cRowsAll = c.m + 2
  var cD = [Double](repeating: Double(canary), count: cRowsAll * ldc)
  for i in 0..<c.m {
    for j in 0..<c.n {
      cD[(i + 1) * ldc + j] = c.beta == 0 ? .nan : stored(value(), half: c.combination.cIsHalf)
    }
  }
  let biasD = (0..<c.n).map { _ in stored(value(), half: false) }
  let reference = Reference.gemm(
    transA: c.transA, transB: c.transB, m: c.m, n: c.n, k: c.k, alpha: Double(c.alpha), a: aD,
    lda: lda, b: bD, ldb: ldb, beta: Double(c.beta), c: Array(cD[ldc...]), ldc: ldc,
    bias: c.bias ? biasD : nil, relu: c.relu)

  let a32 = aD.map { Float($0) }
  let b32 = bD.map { Float($0) }
  let a16 = aD.map { Float16(Float($0)) }
  let b16 = bD.map { Float16(Float($0)) }
  let bias32 = biasD.map { Float($0) }
  // The mask shares C's layout (row stride ldc, one row above); outside the m x n block it is
  // never read.
  var mask32 = [Float](repeating: 1, count: cRowsAll * ldc)
  for i in 0..<c.m { for j in 0..<c.n { mask32[(i + 1) * ldc + j] = reluMaskValue(i, j) } }
  let mask16 = mask32.map { Float16($0) }
  var c32 = cD.map { Float($0) }
  var c16 = cD.map { Float16(Float($0)) }
  let tA: Transpose = c.transA ? .transpose : .noTranspose
  let tB: Transpose = c.transB ? .transpose : .noTranspose
  let overrides = KernelOverrides(
    gemmMicrokernel: c.kernel, forceParallel: c.forceParallel, gemmBlocking: c.blocking,
    narrowGEMM: c.narrow)
  KernelOverrides.$current.withValue(overrides) {
    bias32.withUnsafeBufferPointer { biasBuffer in
      mask32.withUnsafeBufferPointer { mask32Buffer in
        mask16.withUnsafeBufferPointer { mask16Buffer in
          // One column alone: every operand from that column on, n == 1.
          let column = c.onlyColumn ?? 0
          let biasPointer = c.bias ? biasBuffer.baseAddress! + column : nil
          let maskPointer32 = c.reluMask ? mask32Buffer.baseAddress! + ldc + column : nil
          let maskPointer16 = c.reluMask ? mask16Buffer.baseAddress! + ldc + column : nil
          let n = c.onlyColumn == nil ? c.n : 1
          let (m, k, alpha, beta, threads) = (c.m, c.k, c.alpha, c.beta, c.threads)
          let b32 = Array(b32.dropFirst(c.transB ? column * ldb : column))
          let b16 = Array(b16.dropFirst(c.transB ? column * ldb : column))
          c32.withUnsafeMutableBufferPointer { c32Buffer in
            c16.withUnsafeMutableBufferPointer { c16Buffer in
              let out32 = c32Buffer.baseAddress! + ldc + column
              let out16 = c16Buffer.baseAddress! + ldc + column
              if c.packedB {
                let packed =
                  c.combination.bIsHalf
                  ? GEMMPackedB(tB, k: k, n: n, b: b16, ldb: ldb)
                  : GEMMPackedB(tB, k: k, n: n, b: b32, ldb: ldb)
                switch c.combination {
                case .f32, .f32f16f32:
                  gemm(
                    tA, m: m, alpha: alpha, a: a32, lda: lda, b: packed, beta: beta, c: out32,
                    ldc: ldc,
                    bias: biasPointer, relu: c.relu, reluMask: maskPointer32, threads: threads)
                case .f16f16f32:
                  gemm(
                    tA, m: m, alpha: alpha, a: a16, lda: lda, b: packed, beta: beta, c: out32,
                    ldc: ldc,
                    bias: biasPointer, relu: c.relu, reluMask: maskPointer32, threads: threads)
                case .f16:
                  gemm(
                    tA, m: m, alpha: alpha, a: a16, lda: lda, b: packed, beta: beta, c: out16,
                    ldc: ldc,
                    bias: biasPointer, relu: c.relu, reluMask: maskPointer16, threads: threads)
                }
              } else {
                switch c.combination {
                case .f32:
                  gemm(
                    tA, tB, m: m, n: n, k: k, alpha: alpha, a: a32, lda: lda, b: b32, ldb: ldb,
                    beta: beta, c: out32, ldc: ldc, bias: biasPointer, relu: c.relu,
                    reluMask: maskPointer32, threads: threads)
                case .f16f16f32:
                  gemm(
                    tA, tB, m: m, n: n, k: k, alpha: alpha, a: a16, lda: lda, b: b16, ldb: ldb,
                    beta: beta, c: out32, ldc: ldc, bias: biasPointer, relu: c.relu,
                    reluMask: maskPointer32, threads: threads)
                case .f16:
                  gemm(
                    tA, tB, m: m, n: n, k: k, alpha: alpha, a: a16, lda: lda, b: b16, ldb: ldb,
                    beta: beta, c: out16, ldc: ldc, bias: biasPointer, relu: c.relu,
                    reluMask: maskPointer16,
                    threads: threads)
                case .f32f16f32:
                  gemm(
                    tA, tB, m: m, n: n, k: k, alpha: alpha, a: a32, lda: lda, b: b16, ldb: ldb,
                    beta: beta, c: out32, ldc: ldc, bias: biasPointer, relu: c.relu,
                    reluMask: maskPointer32, threads: threads)
                }
              }
            }
          }
        }
      }
    }
  }
  let result = c.combination.cIsHalf ? c16.map { Float($0) } : c32
  let epsOut = c.combination.cIsHalf ? Double(Float16.ulpOfOne) : 0
  let gamma = Double(c.k + 3) * Double(Float.ulpOfOne) + epsOut
  var worst = 0.0
  var worstAt = (0, 0)
  var canariesIntact = true
  for row in 0..<cRowsAll {
    for j in 0..<ldc {
      let got = result[row * ldc + j]
      let inside = row >= 1 && row <= c.m && j < c.n
      if !inside {
        if got != canary { canariesIntact = false }
        continue
      }
      if let column = c.onlyColumn, j != column { continue }
      let i = row - 1
      var want = reference.value[i * c.n + j]
      if c.reluMask && !(reluMaskValue(i, j) > 0) { want *= 0 }
      let bound = reference.magnitude[i * c.n + j] * gamma + epsOut * 0x1p-14
      let error = abs(Double(got) - want)
      let ratio =
        c.integers && !c.combination.cIsHalf
        ? (error == 0 ? 0 : .infinity) : error / max(bound, .leastNormalMagnitude)
      if !(ratio <= worst) {
        worst = ratio.isNaN ? .infinity : ratio
        worstAt = (i, j)
      }
    }
  }
  #expect(canariesIntact, "\(c.testDescription): wrote outside C")
  #expect(
    worst <= 1,
    "\(c.testDescription): error / bound = \(worst) at C[\(worstAt.0), \(worstAt.1)] = \(result[(worstAt.0 + 1) * ldc + worstAt.1]), reference \(reference.value.isEmpty ? 0 : reference.value[worstAt.0 * c.n + worstAt.1])"
  )
  return result.map(\.bitPattern)
}
