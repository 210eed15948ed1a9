import Foundation

/// The seeded generator behind initializers and shuffles: SplitMix64, so a seed gives the same
/// numbers on every run, machine and thread count.
public struct MantissaRandom: RandomNumberGenerator, Sendable {
  private var state: UInt64
  private var spareNormal: Float?

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in `[lower, upper)`.
  public mutating func nextUniform(_ lower: Float, _ upper: Float) -> Float {
    let unit = Double(next() >> 11) * 0x1p-53
    return lower + (upper - lower) * Float(unit)
  }

  /// Standard normal, by the Box-Muller transform in Double.
  public mutating func nextNormal() -> Float {
    if let spare = spareNormal {
      spareNormal = nil
      return spare
    }
    let u1 = max(Double(next() >> 11) * 0x1p-53, 0x1p-53)
    let u2 = Double(next() >> 11) * 0x1p-53
    let radius = (-2 * log(u1)).squareRoot()
    spareNormal = Float(radius * sin(2 * Double.pi * u2))
    return Float(radius * cos(2 * Double.pi * u2))
  }
}
