import Foundation

extension Reference {
  /// The smooth activations in Double, by their definitions (Foundation's exp, tanh, erf).
  public static func activation(_ name: String, _ x: Double) -> Double {
    switch name {
    case "sigmoid": return 1 / (1 + Foundation.exp(-x))
    case "tanh": return Foundation.tanh(x)
    case "silu": return x / (1 + Foundation.exp(-x))
    case "geluTanh":
      return 0.5 * x
        * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    case "geluErf": return 0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot()))
    case "exp": return Foundation.exp(x)
    default: fatalError("Reference.activation: unknown name \(name)")
    }
  }
}
