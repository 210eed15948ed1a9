// swift-tools-version: 6.2
// 6.2 or later: SwiftPM accepts the unsafe build flags below from a dependent that uses a version
// requirement only when this manifest declares tools-version 6.2 or later (Docs/Building.md).
import Foundation
import PackageDescription

/// The CPU the kernels are compiled for, from `MANTISSA_CPU` (Docs/Building.md):
/// `native` (default), any `-target-cpu` name (`znver4`, `skylake-avx512`, ...), `x86-64-v3` or
/// `x86-64-v4` (through clang's `-march`, which `-target-cpu` rejects), or `none` (baseline, slow).
let cpu = Context.environment["MANTISSA_CPU"] ?? "native"

let cpuFlags: [String] =
  switch cpu {
  case "none", "": []
  case let level where level.hasPrefix("x86-64"): ["-Xcc", "-march=\(level)"]
  default: ["-target-cpu", cpu]
  }

/// Whether the chosen CPU has AVX-512F and AVX-512BW (masked 16-bit loads and stores), so that
/// code may call those intrinsics (which crash the compiler when the target lacks them,
/// SWIFT-SIMD.md). `native` reads the build machine's /proc/cpuinfo (the CPUID flags LLVM's host
/// detection also reads); names are a fixed list, all with both.
let avx512CPUs: Set<String> = [
  "x86-64-v4", "znver4", "znver5", "skylake-avx512", "cascadelake", "cooperlake", "icelake-client",
  "icelake-server", "tigerlake", "rocketlake", "sapphirerapids", "emeraldrapids", "graniterapids",
]
let cpuHasAVX512: Bool =
  cpu == "native"
  ? ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)).map {
    $0.contains(" avx512f ") && $0.contains(" avx512bw ")
  } ?? false)
  : avx512CPUs.contains(cpu)

/// Whether the chosen CPU has AVX2, FMA and F16C (x86-64-v3), for the 256-bit intrinsics used
/// where AVX-512 is missing (`vsqrtps ymm`, `vcvtph2ps ymm`); read and listed like AVX-512.
let avx2CPUs: Set<String> = avx512CPUs.union([
  "x86-64-v3", "haswell", "broadwell", "skylake", "alderlake", "znver1", "znver2", "znver3",
])
let cpuHasAVX2: Bool =
  cpu == "native"
  ? ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)).map {
    $0.contains(" avx2 ") && $0.contains(" fma ") && $0.contains(" f16c ")
  } ?? false)
  : avx2CPUs.contains(cpu)

/// `MANTISSA_FORMS=avx512`: a build for a CPU without AVX-512 chooses the microkernel and the
/// narrow-path forms an AVX-512 build chooses, their SIMD16 code running as pairs of 256-bit
/// halves, so that such a machine can test that code's logic (Docs/Building.md). The AVX-512
/// intrinsics stay off; a build that has AVX-512 already makes these choices.
let choosesAVX512Forms = Context.environment["MANTISSA_FORMS"] == "avx512"

/// `-O` in debug too, so `swift test` runs kernels, oracles and
/// training at realistic speed (an `-Onone` kernel runs about 300x slower); exclusivity checks off
/// because they turn loops over class-owned buffers into calls.
let speedFlags = ["-O", "-enforce-exclusivity=unchecked"]

/// `MANTISSA_BASELINE` marks a baseline build that was asked for, so the FMA test warns instead
/// of failing.
let swiftSettings: [SwiftSetting] =
  [.unsafeFlags(cpuFlags + speedFlags)]
  + (cpuFlags.isEmpty ? [.define("MANTISSA_BASELINE")] : [])
  + (cpuHasAVX512 ? [.define("MANTISSA_AVX512")] : [])
  + (cpuHasAVX2 ? [.define("MANTISSA_AVX2")] : [])
  + (choosesAVX512Forms ? [.define("MANTISSA_AVX512_FORMS")] : [])
let package = Package(
  name: "Mantissa",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "MantissaKernels", targets: ["MantissaKernels"]),
    .library(name: "MantissaNN", targets: ["MantissaNN"]),
    .executable(name: "mantissa-train", targets: ["MantissaTrain"]),
    .executable(name: "mantissa-bench", targets: ["MantissaBench"]),
  ],
  targets: [
    .target(name: "CMantissaCPU"),
    .target(name: "MantissaKernels", dependencies: ["CMantissaCPU"], swiftSettings: swiftSettings),
    .target(name: "MantissaNN", dependencies: ["MantissaKernels"], swiftSettings: swiftSettings),
    .target(name: "MantissaReference", swiftSettings: swiftSettings),
    .target(
      name: "MantissaData",
      resources: [.copy("Resources/digits.csv"), .copy("Resources/digits.rst")],
      swiftSettings: swiftSettings),
    .target(
      name: "MantissaExamples", dependencies: ["MantissaNN", "MantissaData"],
      swiftSettings: swiftSettings),
    .target(
      name: "MantissaPrecision",
      dependencies: ["MantissaKernels", "MantissaReference", "MantissaExamples"],
      swiftSettings: swiftSettings),
    .executableTarget(
      name: "MantissaTrain", dependencies: ["MantissaExamples", "MantissaNN", "MantissaKernels"],
      swiftSettings: swiftSettings),
    .executableTarget(
      name: "MantissaBench",
      dependencies: ["MantissaKernels", "MantissaNN", "MantissaPrecision"],
      path: "Benchmarks/MantissaBench",
      swiftSettings: swiftSettings),
    .testTarget(
      name: "MantissaKernelsTests",
      dependencies: ["MantissaKernels", "MantissaReference", "CMantissaCPU"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "MantissaNNTests", dependencies: ["MantissaNN", "MantissaReference", "MantissaData"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "PrecisionTests", dependencies: ["MantissaPrecision"],
      exclude: ["precision-baseline.tsv"], swiftSettings: swiftSettings),
    .testTarget(
      name: "MantissaReferenceTests", dependencies: ["MantissaReference"],
      swiftSettings: swiftSettings),
  ]
)
