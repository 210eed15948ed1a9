import Foundation
import MantissaKernels

// mantissa-bench [suite ...] [--shapes LIST] [--threads LIST] [--types LIST] [--kernel TILE]
//                [--json FILE] [--compare FILE] [--quick]
// Suites: gemm, elementwise, train, precision. With no suite, runs every suite in quick mode (about a minute).

let usage = """
  usage: mantissa-bench [gemm] [elementwise] [train] [precision] [options]
    --shapes LIST    GEMM shapes: N, MxNxK, MxNxK:nt (transposes), or a list name in Benchmarks/Shapes
    --threads LIST   thread counts, e.g. 1,2 (default: 1 and all cores)
    --types LIST     GEMM type combinations: f32,f16-f16-f32,f16,f32-f16-f32 (default: all)
    --kernel TILE    force a microkernel: \(GEMMMicrokernel.allCases.map(\.tileID).joined(separator: ", "))
    --blocking K,M,N GEMM cache blocks KC,MC,NC (default: tuned per kernel); several, as
                     K,M,N/K,M,N/..., are timed in turns and compared with the first
    --no-narrow      run narrow C (n <= 32) through the packed microkernel, not the narrow path
    --epilogue LIST  GEMM epilogues fused into the store: bias,relu,drelu (default: none)
    --prepacked      GEMM with B packed once outside the timing (GEMMPackedB), as a layer's
                     reused weights are
    --pages KIND     GEMM matrices on `numpy` pages (default: transparent huge pages for
                     arrays of 4 MiB or more, as numpy asks), `small` (4 KiB pages only, as
                     a Swift Array gets) or `huge` (every matrix on huge pages)
    --elements LIST  elementwise sizes (default 65536 and 16777216)
    --force-parallel split work over every allowed thread at any size (threshold sweeps)
    --json FILE      write the rows as JSON (atomically)
    --compare FILE   print another run's or a peer's rows beside this run's
    --quick          small shape sample (precision: the test-size suite)
    --update-baseline  precision: rewrite Tests/PrecisionTests/precision-baseline.tsv
  """

func main() throws {
  var arguments = Array(CommandLine.arguments.dropFirst())
  var suites: [String] = []
  var shapesText: String?
  var threads = [1, ProcessInfo.processInfo.activeProcessorCount]
  var combinations = GEMMSuite.Combination.allCases
  var kernel: GEMMMicrokernel?
  var blockings: [GEMMBlocking] = []
  var narrow: Bool?
  var epilogue = GEMMSuite.Epilogue()
  var prepacked = false
  var updateBaseline = false
  var elementCounts: [Int]?
  var forceParallel = false
  var jsonPath: String?
  var comparePath: String?
  var quick = false
  func value(_ flag: String) throws -> String {
    guard !arguments.isEmpty else { throw BenchError.badArgument("\(flag) needs a value") }
    return arguments.removeFirst()
  }
  while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--shapes": shapesText = try value(argument)
    case "--threads":
      let text = try value(argument)
      threads = try text.split(separator: ",").map {
        guard let t = Int($0), t >= 1 else {
          throw BenchError.badArgument("--threads \"\(text)\": \"\($0)\" is not a positive integer")
        }
        return t
      }
    case "--types":
      let text = try value(argument)
      combinations = try text.split(separator: ",").map {
        guard let c = GEMMSuite.Combination(rawValue: String($0)) else {
          throw BenchError.badArgument("--types: unknown combination \"\($0)\"")
        }
        return c
      }
    case "--kernel":
      let text = try value(argument)
      guard let k = GEMMMicrokernel(rawValue: text) else {
        throw BenchError.badArgument(
          "--kernel \"\(text)\" is not one of \(GEMMMicrokernel.allCases.map(\.tileID))")
      }
      kernel = k
    case "--blocking":
      let text = try value(argument)
      blockings = try text.split(separator: "/").map { item in
        let v = item.split(separator: ",").map { Int($0) }
        guard v.count == 3, let kc = v[0], let mc = v[1], let nc = v[2], kc >= 1, mc >= 1, nc >= 1
        else {
          throw BenchError.badArgument(
            "--blocking \"\(text)\": \"\(item)\" is not KC,MC,NC (positive integers)")
        }
        return GEMMBlocking(kc: kc, mc: mc, nc: nc)
      }
    case "--no-narrow": narrow = false
    case "--prepacked": prepacked = true
    case "--pages":
      let text = try value(argument)
      guard let pages = Machine.Pages(rawValue: text) else {
        throw BenchError.badArgument("--pages \"\(text)\" must be numpy, small or huge")
      }
      Machine.pages = pages
    case "--epilogue":
      let text = try value(argument)
      for part in text.split(separator: ",") {
        switch part {
        case "bias": epilogue.bias = true
        case "relu": epilogue.relu = true
        case "drelu": epilogue.reluMask = true
        default:
          throw BenchError.badArgument(
            "--epilogue \"\(text)\": \"\(part)\" is not one of bias, relu, drelu")
        }
      }
    case "--json": jsonPath = try value(argument)
    case "--compare": comparePath = try value(argument)
    case "--quick": quick = true
    case "-h", "--help":
      print(usage)
      return
    case "gemm", "elementwise", "train", "precision": suites.append(argument)
    case "--update-baseline": updateBaseline = true
    case "--force-parallel": forceParallel = true
    case "--elements":
      let text = try value(argument)
      elementCounts = try text.split(separator: ",").map {
        guard let n = Int($0), n >= 16 else {
          throw BenchError.badArgument("--elements \"\(text)\": \"\($0)\" is not a count >= 16")
        }
        return n
      }
    default: throw BenchError.badArgument("unknown argument \"\(argument)\"\n\(usage)")
    }
  }
  if suites.isEmpty {
    suites = ["gemm", "elementwise", "train"]
    quick = true
  }
  threads = Array(Set(threads)).sorted()
  let microkernel = kernel ?? .preferred
  print(
    "Mantissa benchmarks on \(Machine.cpu); build: \(CompiledCPU.summary); kernel \(microkernel.id)"
  )
  let peaks = PeakTracker(threads: threads)
  peaks.printPeaks("")
  var rows: [BenchRow] = []
  try KernelOverrides.$current.withValue(
    KernelOverrides(
      gemmMicrokernel: kernel, forceParallel: forceParallel, gemmBlocking: blockings.first,
      narrowGEMM: narrow)
  ) {
    for suite in suites {
      switch suite {
      case "gemm":
        let shapes = try GEMMShape.parseList(shapesText ?? (quick ? "quick" : "default"))
        print("\n== gemm ==")
        rows += GEMMSuite.run(
          shapes: shapes, threads: threads, combinations: combinations, peaks: peaks,
          kernel: microkernel, epilogue: epilogue, prepacked: prepacked, blockings: blockings)
      case "elementwise":
        print("\n== elementwise ==")
        rows += ElementwiseSuite.run(
          counts: elementCounts ?? (quick ? [1 << 16, 1 << 22] : [1 << 16, 1 << 24]),
          threads: threads)
      case "precision":
        print("\n== precision ==")
        try PrecisionReport.run(quick: quick, updateBaseline: updateBaseline)
      case "train":
        print("\n== train ==")
        rows += TrainSuite.run(threads: threads, quick: quick)
      default: break
      }
    }
  }
  if let comparePath { Compare.printBeside(rows, try Report.readJSON(comparePath)) }
  if let jsonPath {
    try Report.writeJSON(rows, to: jsonPath)
    print("wrote \(rows.count) rows to \(jsonPath)")
  }
}

do {
  try main()
} catch {
  FileHandle.standardError.write(Data("\(error)\n".utf8))
  exit(2)
}
