import Foundation
import MantissaNN
import Testing

@Test func parsesFeaturesAndLabelsWithOrWithoutHeader() throws {
  let withHeader = try CSVDataset.parse("a,b,label\n1,2,0\n3.5,-4,2\n")
  #expect(withHeader.samples == 2 && withHeader.featureCount == 2)
  #expect(withHeader.features.toArray() == [1, 2, 3.5, -4])
  #expect(withHeader.labels == [0, 2])
  let firstColumnLabel = try CSVDataset.parse("1,0.5,0.25\r\n0,1,1\n\n", labelColumn: 0)
  #expect(firstColumnLabel.labels == [1, 0])
  #expect(firstColumnLabel.features.toArray() == [0.5, 0.25, 1, 1])
}

@Test func raggedRowsAndBadFieldsThrowWithTheirPlace() {
  #expect(throws: CSVDatasetError.raggedRow(line: 3, expected: 3, found: 2)) {
    try CSVDataset.parse("1,2,0\n3,4,1\n5,6\n")
  }
  #expect(throws: CSVDatasetError.nonNumeric(line: 2, column: 2, text: "x")) {
    try CSVDataset.parse("1,2,0\n3,x,1\n")
  }
  #expect(throws: CSVDatasetError.nonNumeric(line: 1, column: 3, text: "1.5")) {
    try CSVDataset.parse("1,2,1.5\n")
  }
  #expect(throws: CSVDatasetError.empty(path: "<text>")) { try CSVDataset.parse("a,b\n") }
  #expect(throws: CSVDatasetError.labelColumnOutOfRange(column: 5, columns: 3)) {
    try CSVDataset.parse("1,2,0\n", labelColumn: 5)
  }
  #expect(throws: CSVDatasetError.self) {
    try CSVDataset.load(contentsOf: URL(fileURLWithPath: "/nonexistent/file.csv"))
  }
}

@Test func splitAndBatchesAreSeededAndCoverEverySample() throws {
  let text = (0..<50).map { "\($0),\($0 % 3)" }.joined(separator: "\n")
  let data = try CSVDataset.parse(text)
  let (train, test) = data.split(testFraction: 0.2, seed: 7)
  #expect(train.samples == 40 && test.samples == 10)
  let all = (train.features.toArray() + test.features.toArray()).sorted()
  #expect(all == (0..<50).map(Float.init))
  let again = data.split(testFraction: 0.2, seed: 7)
  #expect(again.test.features.toArray() == test.features.toArray())
  let batches = train.batches(size: 16, seed: 1)
  #expect(batches.map(\.samples) == [16, 16, 8])
  #expect(batches.flatMap { $0.features.toArray() }.sorted() == train.features.toArray().sorted())
}
