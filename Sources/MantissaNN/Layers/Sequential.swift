/// Layers applied in order, with one ``Precision`` for all of them.
///
/// Calling the model converts a Float32 input to the precision's activation type once (into a
/// buffer kept between calls), then runs each layer's forward; ``backward(_:)`` runs the
/// layers' backward in reverse.
public final class Sequential: Layer {
  public let layers: [Layer]
  public let precision: Precision
  public var name: String { "Sequential(\(layers.map(\.name).joined(separator: ", ")))" }
  private var convertedInput: Tensor?

  public init(_ layers: [Layer], precision: Precision = .fp32) {
    self.layers = layers
    self.precision = precision
    for (i, layer) in layers.enumerated() {
      layer.setPrecision(precision)
      for p in layer.parameters where !p.name.contains(".") { p.name = "\(i).\(p.name)" }
    }
  }

  public convenience init(_ layers: Layer..., precision: Precision = .fp32) {
    self.init(layers, precision: precision)
  }

  public var parameters: [Parameter] { layers.flatMap(\.parameters) }

  public func setPrecision(_ precision: Precision) {
    mantissaRequireNN(
      precision == self.precision,
      "\(name): precision is fixed at creation (\(self.precision)); create a new model for \(precision)"
    )
  }

  public func callAsFunction(_ x: Tensor) -> Tensor { forward(x) }

  public func forward(_ x: Tensor) -> Tensor {
    var h = x
    let element = precision.activationElement
    if x.element != element {
      let converted = reuse(&convertedInput, shape: x.shape, element: element)
      converted.copyConverting(from: x)
      h = converted
    }
    var i = 0
    while i < layers.count {
      // Linear followed by ReLU: apply the ReLU in the GEMM's store.
      if let linear = layers[i] as? Linear, i + 1 < layers.count,
        let relu = layers[i + 1] as? ReLU, relu.negativeSlope == 0
      {
        h = relu.adoptFusedOutput(linear.forward(h, fusingReLU: true))
        i += 2
        continue
      }
      h = layers[i].forward(h)
      i += 1
    }
    return h
  }

  public func backward(_ gradientOfOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
    var g: Tensor? = gradientOfOutput
    var i = layers.count - 1
    while i >= 0 {
      // A Linear after a ReLU: its input gradient is masked by the ReLU in the GEMM's store
      // (its input is the ReLU's output), and the ReLU's own pass is skipped.
      if let linear = layers[i] as? Linear, i >= 1, let relu = layers[i - 1] as? ReLU,
        relu.negativeSlope == 0
      {
        g = linear.backward(
          g!, needsInputGradient: i - 1 > 0 || needsInputGradient, throughReLU: true)
        i -= 2
        continue
      }
      g = layers[i].backward(g!, needsInputGradient: i > 0 || needsInputGradient)
      i -= 1
    }
    return g
  }
}
