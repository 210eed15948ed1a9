import Foundation
import MantissaNN
import Testing

@Test func shapeMismatchNamesTheLayerAndShapes() async {
  let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
    let model = Sequential(Linear(10, 20), ReLU(), Linear(20, 1))
    _ = model(Tensor(zeros: [4, 7]))
  }
  let text = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
  #expect(text.contains("Linear(10 -> 20): input shape [4, 7] must be [batch, 10]"), "\(text)")
}

@Test func emptyBatchIsNamed() async {
  let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
    _ = Linear(3, 2)(Tensor(zeros: [0, 3]))
  }
  let text = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
  #expect(text.contains("Linear(3 -> 2): empty batch"), "\(text)")
}

@Test func lossShapeMismatchIsNamed() async {
  let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
    _ = MSELoss()(Tensor(zeros: [4, 1]), Tensor(zeros: [4, 2]))
  }
  let text = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
  #expect(
    text.contains("MSELoss: prediction shape [4, 1] differs from target shape [4, 2]"), "\(text)")
}
