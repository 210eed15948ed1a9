import Foundation

/// Lane-wise square root. `SIMD16.squareRoot()` has no vector lowering here; a loop over the
/// lanes lets LLVM use one `vsqrtps` when the lanes are independent, and stays correctly
/// rounded either way.
@inlinable @inline(__always)
func squareRoot(_ v: SIMD16<Float>) -> SIMD16<Float> {
  var r = SIMD16<Float>()
  for j in 0..<16 { r[j] = v[j].squareRoot() }
  return r
}
