import Foundation
import MantissaKernels
import MantissaNN

// mantissa-train [--precision fp32|mixed] [--steps N] [--threads N] [--seed N]
// With no arguments: the seed example in FP32, then in mixed precision.

let usage = """
  usage: mantissa-train [--precision fp32|mixed] [--steps N] [--threads N] [--seed N]
    runs the seed example (Linear(10,20) -> ReLU -> Linear(20,1), MSE, SGD lr 0.01, 1000 x 10
    random inputs); with no --precision, in FP32 and then in mixed precision
  """

struct TrainError: Error, CustomStringConvertible {
  var description: String
}

func parseArguments() throws -> (precisions: [Precision], steps: Int, seed: UInt64) {
  var arguments = Array(CommandLine.arguments.dropFirst())
  var precisions: [Precision] = [.fp32, .mixedFP16]
  var steps = 1000
  var seed: UInt64 = 0
  func value(_ flag: String) throws -> String {
    guard !arguments.isEmpty else { throw TrainError(description: "\(flag) needs a value") }
    return arguments.removeFirst()
  }
  while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    switch flag {
    case "--precision":
      let text = try value(flag)
      switch text {
      case "fp32": precisions = [.fp32]
      case "mixed": precisions = [.mixedFP16]
      default: throw TrainError(description: "--precision \"\(text)\" must be fp32 or mixed")
      }
    case "--steps":
      let text = try value(flag)
      guard let n = Int(text), n >= 1 else {
        throw TrainError(description: "--steps \"\(text)\" must be a positive integer")
      }
      steps = n
    case "--threads":
      let text = try value(flag)
      guard let n = Int(text), n >= 1 else {
        throw TrainError(description: "--threads \"\(text)\" must be a positive integer")
      }
      MantissaThreads.defaultCount = n
    case "--seed":
      let text = try value(flag)
      guard let n = UInt64(text) else {
        throw TrainError(description: "--seed \"\(text)\" must be a non-negative integer")
      }
      seed = n
    case "-h", "--help":
      print(usage)
      exit(0)
    default: throw TrainError(description: "unknown argument \"\(flag)\"\n\(usage)")
    }
  }
  return (precisions, steps, seed)
}

do {
  let (precisions, steps, seed) = try parseArguments()
  print("Seed example: Linear(10, 20) -> ReLU -> Linear(20, 1), MSE, SGD(lr 0.01), \(steps) steps")
  for precision in precisions {
    let r = runSeedExample(precision: precision, steps: steps, seed: seed)
    let name = precision == .fp32 ? "fp32 " : "mixed"
    print(
      "\(name): loss \(String(format: "%.6f", r.firstLoss)) -> \(String(format: "%.6f", r.finalLoss)), "
        + "\(String(format: "%.1f", r.secondsPerStep * 1e6)) us/step")
    if let scaler = r.scaler {
      let changes = scaler.history.prefix(6).map { "step \($0.step): \(Int($0.scale))" }
      print(
        "       loss scale \(Int(scaler.scale)), \(scaler.skippedSteps) skipped steps"
          + (changes.isEmpty ? "" : "; changes: " + changes.joined(separator: ", "))
          + (scaler.history.count > 6 ? ", ..." : ""))
    }
  }
} catch {
  FileHandle.standardError.write(Data("mantissa-train: \(error)\n".utf8))
  exit(2)
}
