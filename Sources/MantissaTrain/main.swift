import Foundation
import MantissaExamples
import MantissaKernels
import MantissaNN

// mantissa-train [digits] [--precision fp32|mixed] [--steps N] [--epochs N] [--seeds N]
//                [--threads N] [--seed N]
// With no arguments: the seed example in FP32, then in mixed precision.

let usage = """
  usage: mantissa-train [digits] [--precision fp32|mixed] [--steps N] [--epochs N] [--seeds N]
                        [--threads N] [--seed N] [--loss-curve FILE.svg]
    without `digits`: the seed example (Linear(10,20) -> ReLU -> Linear(20,1), MSE, SGD lr 0.01,
      1000 x 10 random inputs), --steps steps (default 1000)
    digits: an MLP (64 -> 128 -> 10) on the bundled handwritten digits, 80/20 split, Adam,
      --epochs epochs (default 40), mean test accuracy over --seeds seeds (default 1)
    with no --precision, both FP32 and mixed precision run
    --loss-curve FILE.svg writes the loss curves (first seed of each precision) as a plot
  """

struct TrainError: Error, CustomStringConvertible {
  var description: String
}

struct Options {
  var digits = false
  var precisions: [Precision] = [.fp32, .mixedFP16]
  var steps = 1000
  var epochs = 40
  var seeds = 1
  var seed: UInt64 = 0
  var lossCurve: String?
}

func parseArguments() throws -> Options {
  var arguments = Array(CommandLine.arguments.dropFirst())
  var o = Options()
  func positive(_ flag: String, _ text: String) throws -> Int {
    guard let n = Int(text), n >= 1 else {
      throw TrainError(description: "\(flag) \"\(text)\" must be a positive integer")
    }
    return n
  }
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
      case "fp32": o.precisions = [.fp32]
      case "mixed": o.precisions = [.mixedFP16]
      default: throw TrainError(description: "--precision \"\(text)\" must be fp32 or mixed")
      }
    case "digits": o.digits = true
    case "--loss-curve": o.lossCurve = try value(flag)
    case "--steps": o.steps = try positive(flag, try value(flag))
    case "--epochs": o.epochs = try positive(flag, try value(flag))
    case "--seeds": o.seeds = try positive(flag, try value(flag))
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
      o.seed = n
    case "-h", "--help":
      print(usage)
      exit(0)
    default: throw TrainError(description: "unknown argument \"\(flag)\"\n\(usage)")
    }
  }
  return o
}

/// A progress line that rewrites itself on a terminal and prints plain lines otherwise.
struct Progress {
  let isTerminal = isatty(STDOUT_FILENO) != 0

  func update(_ text: String, final: Bool = false) {
    if isTerminal {
      print("\r\u{1B}[K" + text, terminator: final ? "\n" : "")
      fflush(nil)
    } else if final {
      print(text)
    }
  }
}

func runDigits(_ o: Options) throws {
  let data = try loadDigits()
  print(
    "Digits: \(data.samples) samples, \(data.featureCount) features; MLP 64 -> 128 -> 10, Adam, "
      + "batch 32, \(o.epochs) epochs, 80/20 split")
  let progress = Progress()
  var means: [Double] = []
  var curves: [(name: String, values: [Float])] = []
  for precision in o.precisions {
    let name = precision == .fp32 ? "fp32 " : "mixed"
    var accuracies: [Double] = []
    for s in 0..<o.seeds {
      let seed = o.seed &+ UInt64(s)
      let r = trainDigits(data, precision: precision, seed: seed, epochs: o.epochs) {
        epoch, loss in
        progress.update(
          "\(name) seed \(seed): epoch \(epoch + 1)/\(o.epochs), loss \(String(format: "%.4f", loss))"
        )
      }
      accuracies.append(r.accuracy)
      if s == 0 { curves.append((precision == .fp32 ? "fp32" : "mixed fp16", r.epochLosses)) }
      progress.update(
        "\(name) seed \(seed): test accuracy \(String(format: "%.2f", 100 * r.accuracy))%, "
          + "final loss \(String(format: "%.4f", r.finalLoss)), \(String(format: "%.2f", r.seconds)) s"
          + (precision == .mixedFP16 ? ", \(r.skippedSteps) skipped steps" : ""), final: true)
    }
    let mean = accuracies.reduce(0, +) / Double(accuracies.count)
    means.append(mean)
    print(
      "\(name) mean test accuracy over \(o.seeds) seed\(o.seeds == 1 ? "" : "s"): \(String(format: "%.2f", 100 * mean))%"
    )
  }
  if means.count == 2 {
    print(
      "difference (mixed - fp32): \(String(format: "%+.2f", 100 * (means[1] - means[0]))) points")
  }
  if let path = o.lossCurve {
    try writeLossCurve(
      curves, title: "Digits MLP: mean training loss per epoch", xLabel: "epoch", to: path)
    print("wrote \(path)")
  }
}

do {
  let o = try parseArguments()
  if o.digits {
    try runDigits(o)
    exit(0)
  }
  print(
    "Seed example: Linear(10, 20) -> ReLU -> Linear(20, 1), MSE, SGD(lr 0.01), \(o.steps) steps")
  var curves: [(name: String, values: [Float])] = []
  for precision in o.precisions {
    let r = runSeedExample(precision: precision, steps: o.steps, seed: o.seed)
    curves.append((precision == .fp32 ? "fp32" : "mixed fp16", r.losses))
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
  if let path = o.lossCurve {
    try writeLossCurve(curves, title: "Seed example: MSE loss per step", xLabel: "step", to: path)
    print("wrote \(path)")
  }
} catch {
  FileHandle.standardError.write(Data("mantissa-train: \(error)\n".utf8))
  exit(2)
}
