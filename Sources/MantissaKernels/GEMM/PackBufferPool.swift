#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Float scratch for the packed-panel GEMM driver (packed A micro-panel, packed B block, edge
/// tile, Float16-C workspace), kept between calls instead of allocated per call.
///
/// Why: the scratch of a 512^3..2048^3 call is 0.6-1.3 MiB, above glibc's mmap threshold, so a
/// fresh allocation per call came back from the kernel as untouched pages and faulted in on
/// every call (512^3: 4% of the call). On Linux each buffer is also 2 MiB-aligned and marked
/// `MADV_HUGEPAGE`, so the B block the microkernels stream (1 MiB) sits in one TLB page instead of
/// 256 (2048^3: +1%; Docs/Kernels.md). A thread takes a buffer for the whole call and gives it
/// back, so concurrent calls never share one.
enum PackBufferPool {
  private struct Buffer: @unchecked Sendable {
    var base: UnsafeMutableRawPointer
    var bytes: Int
  }

  private static let pool = BufferList()
  /// Buffers kept for reuse: one per thread of a typical split, plus a spare.
  private static let keptBuffers = 4
  /// Larger buffers (a tall Float16 C's workspace) are returned to the system after the call.
  private static let keptBytes = 8 << 20
  private static let hugePage = 2 << 20

  /// Runs `body` with at least `count` Floats of uninitialized scratch, aligned to 64 bytes.
  static func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
    let bytes = max(count, 1) * MemoryLayout<Float>.stride
    let buffer = take(bytes: bytes) ?? allocate(bytes: bytes)
    defer { giveBack(buffer) }
    return body(buffer.base.bindMemory(to: Float.self, capacity: buffer.bytes / 4))
  }

  /// The smallest kept buffer that is large enough, removed from the pool.
  private static func take(bytes: Int) -> Buffer? {
    pool.withLock { buffers in
      var best: Int?
      for (i, b) in buffers.enumerated() where b.bytes >= bytes {
        if best == nil || b.bytes < buffers[best!].bytes { best = i }
      }
      return best.map { buffers.remove(at: $0) }
    }
  }

  private static func giveBack(_ buffer: Buffer) {
    let kept: Bool = pool.withLock { buffers in
      guard buffer.bytes <= keptBytes else { return false }
      if buffers.count >= keptBuffers {
        // Keep the larger ones: they serve every smaller request too.
        guard let smallest = buffers.indices.min(by: { buffers[$0].bytes < buffers[$1].bytes }),
          buffers[smallest].bytes < buffer.bytes
        else { return false }
        release(buffers.remove(at: smallest))
      }
      buffers.append(buffer)
      return true
    }
    if !kept { release(buffer) }
  }

  private static func allocate(bytes: Int) -> Buffer {
    #if os(Linux)
      let rounded = (bytes + hugePage - 1) / hugePage * hugePage
      var base: UnsafeMutableRawPointer?
      guard posix_memalign(&base, hugePage, rounded) == 0, let base else {
        fatalError("Mantissa gemm: cannot allocate \(rounded) bytes of packing scratch")
      }
      _ = madvise(base, rounded, MADV_HUGEPAGE)
      return Buffer(base: base, bytes: rounded)
    #else
      let base = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
      return Buffer(base: base, bytes: bytes)
    #endif
  }

  /// The kept buffers behind a pthread mutex rather than `Synchronization.Mutex`: the thread
  /// sanitizer intercepts pthread locks but cannot see Mutex's futex inside the standard
  /// library, and reported every buffer handed from one thread to the next as a race.
  private final class BufferList: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var buffers: [Buffer] = []

    init() { pthread_mutex_init(mutex, nil) }

    func withLock<R>(_ body: (inout [Buffer]) -> R) -> R {
      pthread_mutex_lock(mutex)
      defer { pthread_mutex_unlock(mutex) }
      return body(&buffers)
    }
  }

  private static func release(_ buffer: Buffer) {
    #if os(Linux)
      Glibc.free(buffer.base)
    #else
      buffer.base.deallocate()
    #endif
  }
}
