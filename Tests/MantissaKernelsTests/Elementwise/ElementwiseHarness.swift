import MantissaKernels
import MantissaReference
import Testing

/// Lengths below, at and above the vector width (16) and the 4-vector unroll (64).
let elementwiseLengths = [0, 1, 15, 16, 17, 63, 64, 65, 1000]

/// Seeded values in [-scale, scale), rounded to the storage type.
func randomFloats(_ count: Int, seed: UInt64, scale: Double = 4) -> [Float] {
  var g = SeededGenerator(seed: seed)
  return (0..<count).map { _ in Float(g.uniform(-scale, scale)) }
}

func randomHalves(_ count: Int, seed: UInt64, scale: Double = 4) -> [Float16] {
  randomFloats(count, seed: seed, scale: scale).map { Float16($0) }
}

/// Runs `body` with both thread counts forced (1, and 2 with threading at any size).
func withBothThreadCounts(_ body: (Int) -> Void) {
  body(1)
  KernelOverrides.$current.withValue(KernelOverrides(forceParallel: true)) { body(2) }
}

/// Distance in Float16 ulps (at the larger magnitude) between two values.
func half16ULPs(_ got: Float16, _ want: Double) -> Double {
  let ulp = Double(Float16(Float(abs(want))).ulp)
  return abs(Double(got) - want) / max(ulp, Double(Float16.leastNonzeroMagnitude))
}
