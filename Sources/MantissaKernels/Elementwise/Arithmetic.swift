// f32-vadd-simd16 / f16-vadd-simd16 and friends: elementwise arithmetic on Float or Float16
// storage. Float16 is widened, computed in Float and rounded once on store. The output may be
// the same buffer as an input (in place); partial overlap is not allowed.

/// An elementwise operation as a type, so generic loops call it statically: a closure captured
/// by the per-thread loop body would be called indirectly, once per vector, with the vectors
/// split into xmm registers across the call (measured 5x slower).
protocol ElementOperation {
  static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ s: Float) -> SIMD16<Float>
  static func scalar(_ a: Float, _ b: Float, _ s: Float) -> Float
}

private enum AddOperation: ElementOperation {
  @inline(__always) static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _: Float) -> SIMD16<
    Float
  > { a + b }
  @inline(__always) static func scalar(_ a: Float, _ b: Float, _: Float) -> Float { a + b }
}

private enum SubtractOperation: ElementOperation {
  @inline(__always) static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _: Float) -> SIMD16<
    Float
  > { a - b }
  @inline(__always) static func scalar(_ a: Float, _ b: Float, _: Float) -> Float { a - b }
}

private enum MultiplyOperation: ElementOperation {
  @inline(__always) static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _: Float) -> SIMD16<
    Float
  > { a * b }
  @inline(__always) static func scalar(_ a: Float, _ b: Float, _: Float) -> Float { a * b }
}

/// `a * s` (b unused).
private enum ScaleOperation: ElementOperation {
  @inline(__always) static func vector(_ a: SIMD16<Float>, _: SIMD16<Float>, _ s: Float) -> SIMD16<
    Float
  > { a * s }
  @inline(__always) static func scalar(_ a: Float, _: Float, _ s: Float) -> Float { a * s }
}

/// `b + s * a`, one fused multiply-add.
private enum AXPYOperation: ElementOperation {
  @inline(__always) static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ s: Float)
    -> SIMD16<Float>
  { b.addingProduct(s, a) }
  @inline(__always) static func scalar(_ a: Float, _ b: Float, _ s: Float) -> Float {
    b.addingProduct(s, a)
  }
}

@inline(__always)
private func binary<T: VectorElement, Op: ElementOperation>(
  _: Op.Type, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>,
  count: Int, scalar s: Float = 0, threads: Int?, function: String
) {
  mantissaRequire(count >= 0, "\(function): count = \(count) must be non-negative")
  forEachChunk(count: count, threads: threads, function: function) { range in
    var i = range.lowerBound
    while i + 16 <= range.upperBound {
      T.store16(Op.vector(T.load16(a + i), T.load16(b + i), s), out + i)
      i += 16
    }
    while i < range.upperBound {
      T.store1(Op.scalar(T.load1(a + i), T.load1(b + i), s), out + i)
      i += 1
    }
  }
}

/// `out[i] = a[i] + b[i]` for `i < count` (`f32-vadd-simd16`, `f16-vadd-simd16`). Float16 data
/// is added in Float and rounded once. `out` may be `a` or `b`.
/// - Precondition: `count >= 0`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func add<T: VectorElement>(
  _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, into out: UnsafeMutablePointer<T>, count: Int,
  threads: Int? = nil
) {
  binary(AddOperation.self, a, b, out, count: count, threads: threads, function: "add")
}

/// `out[i] = a[i] - b[i]` (`f32-vsub-simd16`, `f16-vsub-simd16`). Contract as ``add(_:_:into:count:threads:)``.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func subtract<T: VectorElement>(
  _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, into out: UnsafeMutablePointer<T>, count: Int,
  threads: Int? = nil
) {
  binary(SubtractOperation.self, a, b, out, count: count, threads: threads, function: "subtract")
}

/// `out[i] = a[i] * b[i]` (`f32-vmul-simd16`, `f16-vmul-simd16`). Contract as ``add(_:_:into:count:threads:)``.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func multiply<T: VectorElement>(
  _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, into out: UnsafeMutablePointer<T>, count: Int,
  threads: Int? = nil
) {
  binary(MultiplyOperation.self, a, b, out, count: count, threads: threads, function: "multiply")
}

/// `out[i] = alpha * x[i]` (`f32-vscale-simd16`, `f16-vscale-simd16`); `out` may be `x`.
/// - Precondition: `count >= 0`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func scale<T: VectorElement>(
  _ x: UnsafePointer<T>, by alpha: Float, into out: UnsafeMutablePointer<T>, count: Int,
  threads: Int? = nil
) {
  binary(
    ScaleOperation.self, x, x, out, count: count, scalar: alpha, threads: threads, function: "scale"
  )
}

/// `y[i] += alpha * x[i]`, one fused multiply-add per element (`f32-vaxpy-simd16`,
/// `f16-vaxpy-simd16`). `x` may be `y`.
/// - Precondition: `count >= 0`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func axpy<T: VectorElement>(
  alpha: Float, x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, count: Int, threads: Int? = nil
) {
  binary(
    AXPYOperation.self, x, UnsafePointer(y), y, count: count, scalar: alpha, threads: threads,
    function: "axpy")
}

/// Adds the row vector `bias` (`columns` values) to each of `rows` rows of `x`, row stride `ld`
/// (`f32-vaddbias-simd16`, `f16-vaddbias-simd16`), in place.
/// - Precondition: `rows`, `columns` >= 0; `ld >= columns`.
@_specialize(exported:true,where T == Float)
@_specialize(exported:true,where T == Float16)
public func addBiasRows<T: VectorElement>(
  _ x: UnsafeMutablePointer<T>, rows: Int, columns: Int, ld: Int, bias: UnsafePointer<Float>,
  threads: Int? = nil
) {
  mantissaRequire(rows >= 0, "addBiasRows: rows = \(rows) must be non-negative")
  mantissaRequire(columns >= 0, "addBiasRows: columns = \(columns) must be non-negative")
  mantissaRequire(ld >= columns, "addBiasRows: ld = \(ld) must be >= columns = \(columns)")
  forEachChunk(
    count: rows, threads: threads, minimumCount: max(1, elementwiseParallelCount / max(columns, 1)),
    function: "addBiasRows"
  ) { range in
    for r in range {
      let row = x + r * ld
      var j = 0
      while j + 16 <= columns {
        T.store16(T.load16(row + j) + Float.load16(bias + j), row + j)
        j += 16
      }
      while j < columns {
        T.store1(T.load1(row + j) + bias[j], row + j)
        j += 1
      }
    }
  }
}
