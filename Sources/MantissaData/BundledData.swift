import Foundation

/// Data sets shipped with Mantissa for tests and demos, as package resources so they are found
/// from any working directory.
public enum BundledData {
  /// The UCI handwritten digits test set (1,797 rows: 64 pixel values 0...16, then the label
  /// 0...9; no header). Description: `digits.rst` beside it.
  public static var digitsCSV: URL {
    guard let url = Bundle.module.url(forResource: "digits", withExtension: "csv") else {
      fatalError(
        "Mantissa: the bundled resource digits.csv is missing from \(Bundle.module.bundlePath)")
    }
    return url
  }
}
