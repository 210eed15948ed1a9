import Testing

@testable import MantissaKernels

#if canImport(Glibc)
  import Glibc
#endif

// The partial loads and stores behind every row end of the narrow GEMM path and the Float16
// conversions (VectorMemory.swift): each build has its own implementation (AVX-512 lane masks,
// AVX2 sign-bit masks and pieces, lane by lane), and a lane too many writes into the next row of
// C or past an allocation. Each count is checked against its exact lanes, with canaries after
// the stored lanes, and loads end at a page that cannot be read, so a lane read too many faults.

/// A buffer of `count` elements of `T` ending where a page with no access begins.
private struct GuardedBuffer<T> {
  let pointer: UnsafeMutablePointer<T>
  private let base: UnsafeMutableRawPointer
  private let length: Int

  init(count: Int) {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    length = 2 * page
    base = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
    mprotect(base + page, page, PROT_NONE)
    pointer = (base + page - count * MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: count)
  }

  func free() { munmap(base, length) }
}

private let lanes16 = SIMD16<Float>(
  1.5, -2.25, 3, 4.75, -5, 6.5, 7, -8.25, 9, 10.5, -11, 12, 13.25, -14, 15, 16.5)

@Test func partialFloatLoadsReadExactlyTheirLanes() {
  for count in 0...16 {
    let buffer = GuardedBuffer<Float>(count: count)
    for l in 0..<count { buffer.pointer[l] = lanes16[l] }
    let v = loadPartial16(buffer.pointer, count)
    for l in 0..<16 {
      #expect(v[l] == (l < count ? lanes16[l] : 0), "loadPartial16 count \(count) lane \(l)")
    }
    buffer.free()
  }
}

@Test func partialFloat16LoadsReadExactlyTheirLanes() {
  for count in 0...16 {
    let buffer = GuardedBuffer<Float16>(count: count)
    for l in 0..<count { buffer.pointer[l] = Float16(lanes16[l]) }
    let v = loadPartialWidened16(buffer.pointer, count)
    for l in 0..<16 {
      #expect(
        v[l] == (l < count ? lanes16[l] : 0), "loadPartialWidened16 count \(count) lane \(l)")
    }
    buffer.free()
  }
}

@Test func partialStoresWriteExactlyTheirLanes() {
  let canary: Float = -999
  let halfCanary: Float16 = -999
  for count in 0...16 {
    var out = [Float](repeating: canary, count: 24)
    var halves = [Float16](repeating: halfCanary, count: 24)
    out.withUnsafeMutableBufferPointer { storePartial16(lanes16, to: $0.baseAddress!, count) }
    halves.withUnsafeMutableBufferPointer {
      storePartialNarrowed16(lanes16, to: $0.baseAddress!, count)
    }
    for l in 0..<24 {
      #expect(
        out[l] == (l < count ? lanes16[l] : canary), "storePartial16 count \(count) lane \(l)")
      #expect(
        halves[l] == (l < count ? Float16(lanes16[l]) : halfCanary),
        "storePartialNarrowed16 count \(count) lane \(l)")
    }
  }
  let lanes8 = lowEight(lanes16)
  for count in 0...8 {
    var out = [Float](repeating: canary, count: 16)
    var halves = [Float16](repeating: halfCanary, count: 16)
    out.withUnsafeMutableBufferPointer { storePartial8(lanes8, to: $0.baseAddress!, count) }
    halves.withUnsafeMutableBufferPointer {
      storePartialNarrowed8(lanes8, to: $0.baseAddress!, count)
    }
    for l in 0..<16 {
      #expect(out[l] == (l < count ? lanes8[l] : canary), "storePartial8 count \(count) lane \(l)")
      #expect(
        halves[l] == (l < count ? Float16(lanes8[l]) : halfCanary),
        "storePartialNarrowed8 count \(count) lane \(l)")
    }
  }
}
