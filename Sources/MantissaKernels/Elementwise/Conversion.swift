// f32-f16-vcvt-simd16, f32-f16-vcvt-sat-simd16, f16-f32-vcvt-simd16: bulk conversions, one
// vcvtps2ph / vcvtph2ps per 16 values. Memory-bound: see Docs/Performance.md.

/// Converts `count` Floats to Float16 (`f32-f16-vcvt-simd16`): round to nearest even, values
/// beyond ±65504 become ±infinity, NaN stays NaN, tiny values become subnormals or ±0.
///
/// `source` and `destination` must not overlap. Large arrays are split over threads; the result
/// does not depend on the split.
/// - Precondition: `count >= 0`.
/// - Complexity: O(count), 6 bytes of memory traffic per element.
public func convert(
  _ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float16>, count: Int,
  threads: Int? = nil
) {
  mantissaRequire(count >= 0, "convert: count = \(count) must be non-negative")
  forEachChunk(count: count, threads: threads, function: "convert") { range in
    var i = range.lowerBound
    while i + 16 <= range.upperBound {
      Float16.store16(Float.load16(source + i), destination + i)
      i += 16
    }
    while i < range.upperBound {
      destination[i] = Float16(source[i])
      i += 1
    }
  }
}

/// Converts `count` Float16 values to Float (`f16-f32-vcvt-simd16`); exact for every input.
/// - Precondition: `count >= 0`.
public func convert(
  _ source: UnsafePointer<Float16>, to destination: UnsafeMutablePointer<Float>, count: Int,
  threads: Int? = nil
) {
  mantissaRequire(count >= 0, "convert: count = \(count) must be non-negative")
  forEachChunk(count: count, threads: threads, function: "convert") { range in
    var i = range.lowerBound
    while i + 16 <= range.upperBound {
      Float.store16(Float16.load16(source + i), destination + i)
      i += 16
    }
    while i < range.upperBound {
      destination[i] = Float(source[i])
      i += 1
    }
  }
}

/// Converts `count` Floats to Float16 with saturation (`f32-f16-vcvt-sat-simd16`), for weight
/// copies: like ``convert(_:to:count:threads:)-(UnsafePointer<Float>,_,_,_)`` but finite values
/// beyond ±65504 become ±65504 instead of infinity. Infinities and NaN pass through.
/// - Precondition: `count >= 0`.
public func convertSaturating(
  _ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float16>, count: Int,
  threads: Int? = nil
) {
  mantissaRequire(count >= 0, "convertSaturating: count = \(count) must be non-negative")
  let high = SIMD16<Float>(repeating: Float(Float16.greatestFiniteMagnitude))
  forEachChunk(count: count, threads: threads, function: "convertSaturating") { range in
    @inline(__always)
    func saturate(_ v: SIMD16<Float>) -> SIMD16<Float> {
      // Only finite out-of-range values move: infinity compares beyond the bound too, so keep
      // lanes whose magnitude is infinite.
      let magnitude = v.replacing(with: -v, where: v .< 0)
      let clampTo = high.replacing(with: -high, where: v .< 0)
      return v.replacing(
        with: clampTo, where: (magnitude .> high) .& (magnitude .!= .infinity))
    }
    var i = range.lowerBound
    while i + 16 <= range.upperBound {
      Float16.store16(saturate(Float.load16(source + i)), destination + i)
      i += 16
    }
    if i < range.upperBound {
      var tail = SIMD16<Float>()
      for j in i..<range.upperBound { tail[j - i] = source[j] }
      let v = saturate(tail)
      for j in i..<range.upperBound { destination[j] = Float16(v[j - i]) }
    }
  }
}
