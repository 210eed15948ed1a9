import Foundation

/// Writes an SVG line plot of `series` (name, values) with axes and labels, atomically
/// (a temporary file renamed over `path`), for `--loss-curve FILE.svg`.
func writeLossCurve(
  _ series: [(name: String, values: [Float])], title: String, xLabel: String, to path: String
) throws {
  let width = 720.0
  let height = 420.0
  let (left, right, top, bottom) = (70.0, 20.0, 40.0, 50.0)
  let all = series.flatMap(\.values).filter(\.isFinite)
  let yMax = Double(all.max() ?? 1)
  let yMin = min(0, Double(all.min() ?? 0))
  let n = series.map(\.values.count).max() ?? 1
  func x(_ i: Int) -> Double { left + (width - left - right) * Double(i) / Double(max(1, n - 1)) }
  func y(_ v: Float) -> Double {
    top + (height - top - bottom) * (1 - (Double(v) - yMin) / max(1e-12, yMax - yMin))
  }
  let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
  var svg = """
    <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
    <rect width="100%" height="100%" fill="white"/>
    <text x="\(width / 2)" y="22" text-anchor="middle" font-size="15">\(title)</text>
    <line x1="\(left)" y1="\(height - bottom)" x2="\(width - right)" y2="\(height - bottom)" stroke="black"/>
    <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(height - bottom)" stroke="black"/>
    <text x="\(width / 2)" y="\(height - 12)" text-anchor="middle">\(xLabel)</text>
    <text x="18" y="\(height / 2)" text-anchor="middle" transform="rotate(-90 18 \(height / 2))">loss</text>

    """
  for t in 0...4 {
    let v = yMin + (yMax - yMin) * Double(t) / 4
    let py = y(Float(v))
    svg += "<line x1=\"\(left - 4)\" y1=\"\(py)\" x2=\"\(left)\" y2=\"\(py)\" stroke=\"black\"/>"
    svg +=
      "<text x=\"\(left - 8)\" y=\"\(py + 4)\" text-anchor=\"end\">\(String(format: "%.3g", v))</text>\n"
  }
  svg += "<text x=\"\(left)\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">0</text>"
  svg +=
    "<text x=\"\(width - right)\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(n - 1)</text>\n"
  for (k, s) in series.enumerated() {
    let points = s.values.enumerated().filter { $0.element.isFinite }
      .map { "\(String(format: "%.1f", x($0.offset))),\(String(format: "%.1f", y($0.element)))" }
      .joined(separator: " ")
    let color = colors[k % colors.count]
    svg +=
      "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(points)\"/>\n"
    svg +=
      "<rect x=\"\(width - right - 150)\" y=\"\(top + 8 + 18 * Double(k))\" width=\"12\" height=\"3\" fill=\"\(color)\"/>"
    svg +=
      "<text x=\"\(width - right - 132)\" y=\"\(top + 13 + 18 * Double(k))\">\(s.name)</text>\n"
  }
  svg += "</svg>\n"
  try Data(svg.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
}
