import MantissaKernels

/// A shaped, row-major buffer of Float32 or Float16 values: the data that flows between layers.
///
/// Tensors are reference types so layers can keep and reuse their buffers from step to step
/// without copying; ``copy()`` makes an independent one. Element access converts to and from
/// Float. Shapes have at least one dimension; a 2-D tensor is `[rows, columns]`.
public final class Tensor {
  /// The storage type of a tensor's elements.
  public enum Element: Sendable, Equatable {
    case float32
    case float16
  }

  public let shape: [Int]
  public let element: Element
  /// The number of elements (the product of the shape).
  public let count: Int
  let storage: UnsafeMutableRawPointer

  /// A tensor of zeros.
  /// - Precondition: every dimension is non-negative and there is at least one.
  public init(zeros shape: [Int], element: Element = .float32) {
    mantissaRequire(!shape.isEmpty, "Tensor: shape = [] must have at least one dimension")
    mantissaRequire(
      shape.allSatisfy { $0 >= 0 }, "Tensor: shape = \(shape) has a negative dimension")
    self.shape = shape
    self.element = element
    count = shape.reduce(1, *)
    let bytes = max(1, count) * (element == .float32 ? 4 : 2)
    storage = .allocate(byteCount: bytes, alignment: 64)
    storage.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
  }

  /// A tensor holding `values` (rounded to Float16 when `element` is `.float16`).
  /// - Precondition: `values.count` equals the product of `shape`.
  public convenience init(_ values: [Float], shape: [Int], element: Element = .float32) {
    self.init(zeros: shape, element: element)
    mantissaRequire(
      values.count == count,
      "Tensor: \(values.count) values do not fill shape \(shape) (\(count) elements)")
    values.withUnsafeBufferPointer { source in
      switch element {
      case .float32: floats.update(from: source.baseAddress!, count: count)
      case .float16: convert(source.baseAddress!, to: halves, count: count)
      }
    }
  }

  deinit { storage.deallocate() }

  /// Values drawn from a normal distribution with a seeded generator: the same seed gives the
  /// same tensor on every run and machine.
  public static func randomNormal(
    _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, seed: UInt64,
    element: Element = .float32
  ) -> Tensor {
    var generator = MantissaRandom(seed: seed)
    let n = shape.reduce(1, *)
    return Tensor(
      (0..<n).map { _ in mean + standardDeviation * generator.nextNormal() }, shape: shape,
      element: element)
  }

  /// Values drawn uniformly from `[lower, upper)` with a seeded generator.
  public static func randomUniform(
    _ shape: [Int], in range: ClosedRange<Float>, seed: UInt64, element: Element = .float32
  ) -> Tensor {
    var generator = MantissaRandom(seed: seed)
    let n = shape.reduce(1, *)
    return Tensor(
      (0..<n).map { _ in generator.nextUniform(range.lowerBound, range.upperBound) },
      shape: shape, element: element)
  }

  /// The Float32 elements; only for `.float32` tensors.
  public var floats: UnsafeMutablePointer<Float> {
    mantissaRequire(element == .float32, "Tensor.floats: the tensor holds Float16")
    return storage.assumingMemoryBound(to: Float.self)
  }

  /// The Float16 elements; only for `.float16` tensors.
  public var halves: UnsafeMutablePointer<Float16> {
    mantissaRequire(element == .float16, "Tensor.halves: the tensor holds Float32")
    return storage.assumingMemoryBound(to: Float16.self)
  }

  /// Rows of a 2-D tensor (the batch size of an activation).
  public var rows: Int { shape[0] }
  /// Columns of a 2-D tensor (features), or 1 for a 1-D tensor.
  public var columns: Int { shape.count > 1 ? shape.dropFirst().reduce(1, *) : 1 }

  /// The element at a flat row-major index, as Float.
  public subscript(index: Int) -> Float {
    get {
      mantissaRequire(
        index >= 0 && index < count, "Tensor: index \(index) is outside 0..<\(count)")
      return element == .float32 ? floats[index] : Float(halves[index])
    }
    set {
      mantissaRequire(
        index >= 0 && index < count, "Tensor: index \(index) is outside 0..<\(count)")
      if element == .float32 { floats[index] = newValue } else { halves[index] = Float16(newValue) }
    }
  }

  /// The element at `(row, column)` of a 2-D tensor.
  public subscript(row: Int, column: Int) -> Float {
    get { self[row * columns + column] }
    set { self[row * columns + column] = newValue }
  }

  /// All elements as Floats, row-major.
  public func toArray() -> [Float] {
    (0..<count).map { self[$0] }
  }

  /// A tensor of the same shape with `element` storage (rounding once to Float16 if needed).
  public func converted(to element: Element) -> Tensor {
    let result = Tensor(zeros: shape, element: element)
    result.copyConverting(from: self)
    return result
  }

  /// An independent copy.
  public func copy() -> Tensor { converted(to: element) }

  /// Overwrites this tensor's values with `source`'s, converting the storage type if needed.
  /// - Precondition: the element counts match.
  public func copyConverting(from source: Tensor) {
    mantissaRequire(
      source.count == count,
      "Tensor.copyConverting: source has \(source.count) elements, destination \(count)")
    switch (source.element, element) {
    case (.float32, .float32): floats.update(from: source.floats, count: count)
    case (.float16, .float16): halves.update(from: source.halves, count: count)
    case (.float32, .float16): convert(source.floats, to: halves, count: count)
    case (.float16, .float32): convert(source.halves, to: floats, count: count)
    }
  }

  /// Sets every element to zero.
  public func zero() {
    storage.initializeMemory(
      as: UInt8.self, repeating: 0, count: max(1, count) * (element == .float32 ? 4 : 2))
  }
}

extension Tensor: CustomStringConvertible {
  public var description: String {
    "Tensor(\(shape.map(String.init).joined(separator: "x")), \(element == .float32 ? "f32" : "f16"))"
  }
}
