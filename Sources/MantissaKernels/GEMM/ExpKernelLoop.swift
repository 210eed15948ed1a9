import CMantissaCPU
import Dispatch
import Glibc

// EXPERIMENT (not for commit)
public func experimentKernelLoop(kc: Int, calls: Int, tiles: Int, lda: Int) {
  let rows = 12
  let a = UnsafeMutablePointer<Float>.allocate(capacity: rows * max(lda, kc))
  let b = UnsafeMutablePointer<Float>.allocate(capacity: kc * 32 * tiles)
  let c = UnsafeMutablePointer<Float>.allocate(capacity: rows * 32 * tiles)
  for i in 0..<rows * max(lda, kc) { a[i] = 0.001 }
  for i in 0..<kc * 32 * tiles { b[i] = 0.001 }
  for i in 0..<rows * 32 * tiles { c[i] = 0 }
  let u = TileUpdate(mode: .accumulate, alpha: 1, beta: 0, bias: nil, relu: false)
  for i in 0..<calls {
    let t = i % tiles
    if lda == 12 {
      F32GEMM12x32SIMD16.run(
        kc: kc, a: a, b: b + t * kc * 32, c: c + t * 32, ldc: 32 * tiles, update: u)
    } else if lda == 8 {
      F32GEMM8x32SIMD16.run(
        kc: kc, a: a, b: b + t * kc * 32, c: c + t * 32, ldc: 32 * tiles, update: u)
    } else {
      F32GEMM8x32SIMD16.runDirectA(
        kc: kc, a: a, lda: lda, b: b + t * kc * 32, c: c + t * 32, ldc: 32 * tiles, update: u)
    }
  }
  a.deallocate()
  b.deallocate()
  c.deallocate()
}

// mode bits: 1 = A moves through an m x 1024 matrix, 2 = C is an m x 1024 matrix (else one tile
// row reused), 4 = huge pages
nonisolated(unsafe) var expBuffers:
  (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)? = nil
public func experimentMacroLoop(
  m: Int, mode: Int, n: Int = 1024, kc: Int = 256, padA: Int = 0, padC: Int = 0
) {
  let lda = 1024 + padA
  let ldc = n + padC
  if expBuffers == nil {
    func alloc(_ count: Int) -> UnsafeMutablePointer<Float> {
      var p: UnsafeMutableRawPointer?
      let bytes = (count * 4 + (2 << 20) - 1) / (2 << 20) * (2 << 20)
      posix_memalign(&p, 2 << 20, bytes)
      madvise(p, bytes, 14)
      let f = p!.bindMemory(to: Float.self, capacity: count)
      for i in 0..<count { f[i] = 0.001 }
      return f
    }
    expBuffers = (alloc(4200 * 1100), alloc(1024 * 1024), alloc(4200 * 1100))
  }
  let (a, b, c) = expBuffers!
  if mode == 101 {
    var o = KernelOverrides()
    o.gemmBlocking = GEMMBlocking(kc: kc, mc: 192, nc: n)
    KernelOverrides.$current.withValue(o) {
      gemm(
        .noTranspose, .noTranspose, m: m, n: 1024, k: 1024, a: a, lda: lda, b: b, ldb: 1024,
        beta: 1, c: c, ldc: 1024, threads: 1)
    }
    return
  }
  if mode >= 99 {
    gemm(
      .noTranspose, .noTranspose, m: m, n: n, k: mode == 99 ? kc : 1024, a: a, lda: lda, b: b,
      ldb: n, beta: 1, c: c, ldc: n, threads: 1)
    return
  }
  let u = TileUpdate(mode: .accumulate, alpha: 1, beta: 0, bias: nil, relu: false)
  var ic = 0
  while ic < m {
    let ap = mode & 1 != 0 ? a + ic * lda : a
    let cp = mode & 2 != 0 ? c + ic * ldc : c
    for jr in 0..<(n / 32) {
      F32GEMM8x32SIMD16.runDirectA(
        kc: kc, a: ap, lda: lda, b: b + jr * kc * 32, c: cp + jr * 32, ldc: ldc, update: u)
    }
    ic += 8
  }
}

nonisolated(unsafe) var expPack: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)? = nil
public func experimentPackB(n: Int, k: Int, kc: Int) {
  if expPack == nil {
    let src = UnsafeMutablePointer<Float>.allocate(capacity: 4096 * 4096)
    for i in 0..<4096 * 4096 { src[i] = 0.001 }
    var p: UnsafeMutableRawPointer?
    posix_memalign(&p, 2 << 20, 8 << 20)
    madvise(p, 8 << 20, 14)
    expPack = (src, p!.bindMemory(to: Float.self, capacity: 2 << 20))
  }
  let (src, dst) = expPack!
  let view = OperandView(UnsafePointer(src), .noTranspose, ld: n)
  var p0 = 0
  while p0 < k {
    packB(view, depth0: p0, column0: 0, depth: kc, columns: min(n, 1024), nr: 32, into: dst)
    p0 += kc
  }
}

nonisolated(unsafe) var expPF:
  (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)? = nil
/// Returns seconds of packB of a 256 x 1024 block (ldb) after: evict, [prefetch mode], wait.
public func experimentPrefetch(mode: Int, ldb: Int, waitIters: Int) -> Double {
  if expPF == nil {
    let src = UnsafeMutablePointer<Float>.allocate(capacity: 4096 * 4096)
    for i in 0..<4096 * 4096 { src[i] = 0.001 }
    let ev = UnsafeMutablePointer<Float>.allocate(capacity: 8 << 20)
    for i in 0..<(8 << 20) { ev[i] = 1 }
    expPF = (src, ev, .allocate(capacity: 1 << 20))
  }
  let (src, ev, dst) = expPF!
  // evict: read 32 MB
  var acc = SIMD16<Float>()
  var i = 0
  while i < (8 << 20) {
    acc += load16(ev + i)
    i += 16
  }
  if acc[0] == 42 { print("") }
  let view = OperandView(UnsafePointer(src), .noTranspose, ld: ldb)
  if mode == 1 || mode == 3 {
    for r in 0..<256 {
      let row = UnsafeRawPointer(src + r * ldb)
      var l = 0
      while l < 4096 {
        if mode == 1 { mantissa_prefetch_l2(row + l) } else { mantissa_prefetch_read(row + l) }
        l += 64
      }
    }
  }
  if mode >= 6 {
    var a2 = SIMD16<Float>()
    var j = 0
    while j < (256 * 1024) {
      a2 += load16(dst + j)
      j += 16
    }
    if a2[0] == 42 { print("") }
  }
  if mode == 7 || mode == 8 {
    for r in 0..<256 {
      let row = UnsafeRawPointer(src + r * ldb)
      var l = 0
      while l < 4096 {
        if mode == 7 { mantissa_prefetch_l2(row + l) } else { mantissa_prefetch_read(row + l) }
        l += 64
      }
    }
  }
  if mode == 9 {
    packB(view, depth0: 0, column0: 0, depth: 256, columns: 1024, nr: 32, into: dst)
  }
  // wait: dependent FMA chain
  var x = SIMD16<Float>(repeating: 1)
  for _ in 0..<waitIters { x = x.addingProduct(x, SIMD16(repeating: 0.5)) }
  if x[0] == 42 { print("") }
  let t0 = DispatchTime.now().uptimeNanoseconds
  packB(view, depth0: 0, column0: 0, depth: 256, columns: 1024, nr: 32, into: dst)
  let t1 = DispatchTime.now().uptimeNanoseconds
  return Double(t1 - t0) * 1e-9
}
