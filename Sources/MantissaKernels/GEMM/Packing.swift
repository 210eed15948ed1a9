import CMantissaCPU

// Packing copies a block of op(A) or op(B) into the panel layout the microkernels read: panels
// `width` wide (MR rows of A or NR columns of B), each stored depth-major (`width` values per k),
// zero-padded past the matrix edge so that edge tiles need no bounds checks inside the kernel.
// Float16 is widened here, once per packed element (see `packHalfPanels` for how, and why it
// matters at small sizes: packing is 15-30% of GEMM time at 64-128^3).

/// A storage type the GEMM packers accept.
protocol PackableElement {
  static func widen(_ p: UnsafePointer<Self>) -> Float
  static func widen8(_ p: UnsafePointer<Self>) -> SIMD8<Float>
  static func widen16(_ p: UnsafePointer<Self>) -> SIMD16<Float>
  /// The first `count` (0...16) values, widened, zeros above; nothing past them is read.
  static func widenPartial16(_ p: UnsafePointer<Self>, _ count: Int) -> SIMD16<Float>
  /// `width` consecutive values from `p`, widened, stored at `d`.
  static func copyWidened(_ p: UnsafePointer<Self>, to d: UnsafeMutablePointer<Float>, count: Int)
}

extension Float: PackableElement {
  @inline(__always)
  static func widen(_ p: UnsafePointer<Float>) -> Float { p.pointee }

  @inline(__always)
  static func widen8(_ p: UnsafePointer<Float>) -> SIMD8<Float> { load8(p) }

  @inline(__always)
  static func widen16(_ p: UnsafePointer<Float>) -> SIMD16<Float> { load16(p) }

  @inline(__always)
  static func widenPartial16(_ p: UnsafePointer<Float>, _ count: Int) -> SIMD16<Float> {
    loadPartial16(p, count)
  }

  @inline(__always)
  static func copyWidened(_ p: UnsafePointer<Float>, to d: UnsafeMutablePointer<Float>, count: Int)
  {
    var i = 0
    while i + 16 <= count {
      store(load16(p + i), to: d + i)
      i += 16
    }
    if i + 8 <= count {
      store(load8(p + i), to: d + i)
      i += 8
    }
    while i < count {
      d[i] = p[i]
      i += 1
    }
  }
}

extension Float16: PackableElement {
  @inline(__always)
  static func widen(_ p: UnsafePointer<Float16>) -> Float { Float(p.pointee) }

  @inline(__always)
  static func widen8(_ p: UnsafePointer<Float16>) -> SIMD8<Float> { loadWidened8(p) }

  @inline(__always)
  static func widen16(_ p: UnsafePointer<Float16>) -> SIMD16<Float> { loadWidened16(p) }

  @inline(__always)
  static func widenPartial16(_ p: UnsafePointer<Float16>, _ count: Int) -> SIMD16<Float> {
    loadPartialWidened16(p, count)
  }

  @inline(__always)
  static func copyWidened(
    _ p: UnsafePointer<Float16>, to d: UnsafeMutablePointer<Float>, count: Int
  ) {
    var i = 0
    // Loads batched ahead of their stores, four vectors at a time: one load and one store at
    // a time, the loop ran at about 3 cycles a vector, stalled on its stores (perf), and the
    // shallow narrow forms lost 10% of their time there (session 7, in-process A/B against
    // that loop: 1000x10x20 f16-f16-f32 0.84-0.89 -> 0.94 of Float's speed, 1000x20x64
    // 0.87-0.89 -> 0.91; batches of eight measured the same within the noise). Short copies (a 64-deep
    // row of A, a 32-wide row of B) batch too: 64^3 f16-f16-f32 0.89 -> 0.94.
    while i + 64 <= count {
      let v0 = loadWidened16(p + i)
      let v1 = loadWidened16(p + i + 16)
      let v2 = loadWidened16(p + i + 32)
      let v3 = loadWidened16(p + i + 48)
      store(v0, to: d + i)
      store(v1, to: d + i + 16)
      store(v2, to: d + i + 32)
      store(v3, to: d + i + 48)
      i += 64
    }
    if i + 32 <= count {
      let v0 = loadWidened16(p + i)
      let v1 = loadWidened16(p + i + 16)
      store(v0, to: d + i)
      store(v1, to: d + i + 16)
      i += 32
    }
    if i + 16 <= count {
      store(loadWidened16(p + i), to: d + i)
      i += 16
    }
    if i + 8 <= count {
      store(loadWidened8(p + i), to: d + i)
      i += 8
    }
    #if MANTISSA_AVX512 || MANTISSA_AVX2
      // The last 1-7 values as one partial vector: one value at a time, a narrow GEMM whose
      // transposed Float16 A is widened 4 rows per depth step (AVX2 groups) ran 20x10x1000:tn
      // at 45 us against Float's 7.3 (Zen 3).
      if i < count {
        storePartial8(lowEight(loadPartialWidened16(p + i, count &- i)), to: d + i, count &- i)
      }
    #else
      while i < count {
        d[i] = Float(p[i])
        i += 1
      }
    #endif
  }
}

/// A matrix operand as the driver sees it: op(X) with element (i, j) at
/// `base + i * rowStride + j * columnStride`, in elements of its storage type.
struct OperandView {
  enum Storage { case float32, float16 }
  var base: UnsafeRawPointer
  var storage: Storage
  var rowStride: Int
  var columnStride: Int

  /// Bytes per stored element.
  var elementBytes: Int { storage == .float32 ? 4 : 2 }

  /// Whether the operand is stored transposed: its rows adjacent in memory, its columns
  /// (`columnStride` apart) not.
  var isTransposed: Bool { rowStride == 1 && columnStride != 1 }

  init(_ p: UnsafePointer<Float>, _ trans: Transpose, ld: Int) {
    base = UnsafeRawPointer(p)
    storage = .float32
    (rowStride, columnStride) = trans == .noTranspose ? (ld, 1) : (1, ld)
  }

  init(_ p: UnsafePointer<Float16>, _ trans: Transpose, ld: Int) {
    base = UnsafeRawPointer(p)
    storage = .float16
    (rowStride, columnStride) = trans == .noTranspose ? (ld, 1) : (1, ld)
  }
}

/// Packs rows `rows` x depth `depth` of op(A) starting at (row0, depth0) into MR-tall panels.
func packA(
  _ a: OperandView, row0: Int, depth0: Int, rows: Int, depth: Int, mr: Int,
  into dst: UnsafeMutablePointer<Float>
) {
  switch a.storage {
  case .float32:
    packPanels(
      a.base.assumingMemoryBound(to: Float.self), across: a.rowStride, along: a.columnStride,
      start0: row0, depth0: depth0, count: rows, depth: depth, width: mr, into: dst)
  case .float16:
    packHalfPanels(
      a.base.assumingMemoryBound(to: Float16.self), across: a.rowStride, along: a.columnStride,
      start0: row0, depth0: depth0, count: rows, depth: depth, width: mr, into: dst)
  }
}

/// Packs depth `depth` x columns `columns` of op(B) starting at (depth0, column0) into NR-wide
/// panels.
func packB(
  _ b: OperandView, depth0: Int, column0: Int, depth: Int, columns: Int, nr: Int,
  into dst: UnsafeMutablePointer<Float>
) {
  switch b.storage {
  case .float32:
    packPanels(
      b.base.assumingMemoryBound(to: Float.self), across: b.columnStride, along: b.rowStride,
      start0: column0, depth0: depth0, count: columns, depth: depth, width: nr, into: dst)
  case .float16:
    packHalfPanels(
      b.base.assumingMemoryBound(to: Float16.self), across: b.columnStride, along: b.rowStride,
      start0: column0, depth0: depth0, count: columns, depth: depth, width: nr, into: dst)
  }
}

/// Packs rows `row0..<row0+16` x depth `depth` of a transposed op(A) (its rows adjacent in
/// memory) as two 8-row micro-panels, the second `8 * depth` Floats after the first: each depth
/// step's 16 values are read once, widened, and split between the two.
///
/// The source lines are `lda` apart; when `lda` is a multiple of 1024 Floats they all share
/// one L1 set, and the loop's loads waited on each other (84% of the pack's samples on the
/// load, 7% of 3072x768x512:tn in the pack on Zen 4). Each step asks for the line 32 steps
/// ahead into L2, whose sets hold them: in-process turns on Zen 4 (session 19), 1 thread,
/// f32: 1024^3:tn +2.0 to +2.5%, 3072x768x512:tn -0.2 to +2.1%, 256^3:tn and 512^3:tn -1.0
/// to +0.2%.
func packTransposedAPair(
  _ a: OperandView, row0: Int, depth0: Int, depth: Int, into dst: UnsafeMutablePointer<Float>
) {
  @inline(__always)
  func pack<T: PackableElement>(_ base: UnsafePointer<T>) {
    var s = base + row0 + depth0 * a.columnStride
    let second = dst + 8 * depth
    let ahead = 32 * a.columnStride
    // The first and last byte of the 16 values: both lines when a row straddles two.
    let lastByte = 16 * MemoryLayout<T>.stride - 1
    for p in 0..<depth {
      mantissa_prefetch_l2(s + ahead)
      mantissa_prefetch_l2(UnsafeRawPointer(s + ahead) + lastByte)
      let v = T.widen16(s)
      store(v.lowHalf, to: dst + p * 8)
      store(v.highHalf, to: second + p * 8)
      s += a.columnStride
    }
  }
  switch a.storage {
  case .float32: pack(a.base.assumingMemoryBound(to: Float.self))
  case .float16: pack(a.base.assumingMemoryBound(to: Float16.self))
  }
}

/// Packs rows `row0..<row0 + rows` x depth `depth` of a transposed op(A) (its rows adjacent in
/// memory) as 6-row micro-panels, one after another `6 * depth` Floats apart, the last one
/// zero-padded: each depth step's `rows` values are one contiguous run, read front to back
/// once for the whole block. For `f32-gemm-6x16-simd8`, whose panels (24 bytes a depth step)
/// do not fill a cache line the way the 8-row kernels' pairs do: packed a panel at a time, the
/// source lines (`lda` apart, often all in one L1 set) were fetched again for every panel, and
/// a transposed A ran at 77% of peak against 90% row-major (3072x768x512, Zen 3).
func packTransposedABlock6(
  _ a: OperandView, row0: Int, depth0: Int, rows: Int, depth: Int,
  into dst: UnsafeMutablePointer<Float>
) {
  let full = rows / 6
  let tail = rows - full * 6
  let panelStride = 6 * depth
  /// One depth step's `rows` Floats at `q`, into each panel's slot for step `p`.
  @inline(__always)
  func scatter(_ source: UnsafePointer<Float>, step p: Int) {
    var q = source
    var d = dst + p * 6
    for _ in 0..<full {
      let f = UnsafeRawPointer(q)
      let out = UnsafeMutableRawPointer(d)
      out.storeBytes(of: f.loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
      out.storeBytes(
        of: f.loadUnaligned(fromByteOffset: 16, as: SIMD2<Float>.self), toByteOffset: 16,
        as: SIMD2<Float>.self)
      q += 6
      d += panelStride
    }
    if tail > 0 {
      for l in 0..<tail { d[l] = q[l] }
      for l in tail..<6 { d[l] = 0 }
    }
  }
  switch a.storage {
  case .float32:
    var s = a.base.assumingMemoryBound(to: Float.self) + row0 + depth0 * a.columnStride
    for p in 0..<depth {
      scatter(s, step: p)
      s += a.columnStride
    }
  case .float16:
    // Each step's run widened 16 values per conversion into a row that stays in L1 first: six
    // values at a time, the conversions were scalar (768^3 tn f16-f32acc 76 -> 71% of peak).
    var s = a.base.assumingMemoryBound(to: Float16.self) + row0 + depth0 * a.columnStride
    withUnsafeTemporaryAllocation(of: Float.self, capacity: rows) { row in
      let r = row.baseAddress!
      for p in 0..<depth {
        Float16.copyWidened(s, to: r, count: rows)
        scatter(r, step: p)
        s += a.columnStride
      }
    }
  }
}

/// ``packPanels`` for Float16. Lines that run along depth (the transposing case) are widened
/// into a Float scratch a panel at a time and interleaved from there: with the widening fused
/// into the 8x8 transposes, LLVM breaks both into per-element conversions and inserts, and
/// Float16 packing cost 1.8x Float's (128^3, f16-f16-f32 at 0.88 of f32; 0.98 after).
private func packHalfPanels(
  _ src: UnsafePointer<Float16>, across: Int, along: Int, start0: Int, depth0: Int, count: Int,
  depth: Int, width: Int, into dst: UnsafeMutablePointer<Float>
) {
  guard along == 1 && across != 1 && depth > 0 else {
    packPanels(
      src, across: across, along: along, start0: start0, depth0: depth0, count: count,
      depth: depth, width: width, into: dst)
    return
  }
  withUnsafeTemporaryAllocation(of: Float.self, capacity: width * depth) { scratch in
    let lines = scratch.baseAddress!
    var line0 = 0
    while line0 < count {
      let n = min(width, count - line0)
      for l in 0..<n {
        Float16.copyWidened(
          src + (start0 + line0 + l) * across + depth0, to: lines + l * depth, count: depth)
      }
      packPanels(
        UnsafePointer(lines), across: depth, along: 1, start0: 0, depth0: 0, count: n,
        depth: depth, width: width, into: dst + line0 * depth)
      line0 += width
    }
  }
}

/// The one packing loop for both operands: `count` lines (rows of A, columns of B), line `l` and
/// depth `p` at `src[(start0 + l) * across + (depth0 + p) * along]`, go to
/// `dst[panel * width * depth + p * width + l % width]`.
@inline(__always)
private func packPanels<T: PackableElement>(
  _ src: UnsafePointer<T>, across: Int, along: Int, start0: Int, depth0: Int, count: Int,
  depth: Int, width: Int, into dst: UnsafeMutablePointer<Float>
) {
  let origin = src + start0 * across + depth0 * along
  if across == 1 && along * MemoryLayout<T>.stride >= 4096 {
    // Lines are adjacent in memory and source rows a page or more apart: each depth step is one
    // contiguous source row, copied across all panels before the next, so the source is read
    // front to back. Panel by panel (each source row visited once per panel) read B a page per
    // row, which no hardware prefetcher follows: packing B was 5% of 1024^3, 3% after. With rows
    // closer together, panel by panel is the faster order (128^3: 1-2% of the call).
    let fullPanels = count / width
    let tail = count - fullPanels * width
    for p in 0..<depth {
      let s = origin + p * along
      var d = dst + p * width
      for q in 0..<fullPanels {
        T.copyWidened(s + q * width, to: d, count: width)
        d += width * depth
      }
      if tail > 0 {
        T.copyWidened(s + fullPanels * width, to: d, count: tail)
        for l in tail..<width { d[l] = 0 }
      }
    }
    return
  }
  var line0 = 0
  var panel = dst
  while line0 < count {
    let lines = min(width, count - line0)
    let first = origin + line0 * across
    if across == 1 {
      // Lines are adjacent in memory: each depth step is one contiguous copy.
      for p in 0..<depth {
        let d = panel + p * width
        T.copyWidened(first + p * along, to: d, count: lines)
        for l in lines..<width { d[l] = 0 }
      }
    } else if along == 1 {
      // Each line is contiguous along depth: interleave lines into the panel.
      interleave(first, lineStride: across, lines: lines, width: width, depth: depth, into: panel)
    } else {
      for l in 0..<lines {
        let s = first + l * across
        for p in 0..<depth { panel[p * width + l] = T.widen(s + p * along) }
      }
      for l in lines..<width {
        for p in 0..<depth { panel[p * width + l] = 0 }
      }
    }
    line0 += width
    panel += width * depth
  }
}

/// Interleaves `lines` lines into a panel `width` wide, zeros past them. Whole groups of 16 lines
/// go through 16x16 register transposes in AVX-512 builds when the width is a multiple of 16
/// and there are 16 lines (64 two-source shuffles per 256 values; against the 8x8 ones, whose
/// shuffles LLVM lowers to a mix of broadcasts, blends and inserts: +1-2% at 128-256^3 with B
/// transposed, +10% at 128x128x1024), else groups of 8 through 8x8 transposes when the width is
/// a multiple of 8 (a third of the instructions of element-by-element copies, which cost 10-17%
/// of GEMM time at k >= 1024; a transposed B of 20 columns, element by element, was 45% of
/// 128x20x512:nt). The other lines and the depths past the last group go element by element,
/// with the width fixed at compile time where it is common, so that the loop unrolls.
@inline(__always)
private func interleave<T: PackableElement>(
  _ first: UnsafePointer<T>, lineStride: Int, lines: Int, width: Int, depth: Int,
  into panel: UnsafeMutablePointer<Float>
) {
  var transposedLines = width % 8 == 0 ? lines / 8 * 8 : 0
  var transposedDepth = 0
  if CompiledCPU.choosesAVX512Forms && width % 16 == 0 && lines >= 16 {
    transposedLines = lines / 16 * 16
    while transposedDepth + 16 <= depth {
      let p = transposedDepth
      var g = 0
      while g < transposedLines {
        var block = Block16x16(first + g * lineStride + p, lineStride: lineStride)
        block.transpose()
        block.write(to: panel + p * width + g, stride: width)
        g += 16
      }
      transposedDepth += 16
    }
  } else if transposedLines > 0 {
    while transposedDepth + 8 <= depth {
      let p = transposedDepth
      var g = 0
      while g < transposedLines {
        let s = first + g * lineStride + p
        var r = (
          T.widen8(s), T.widen8(s + lineStride), T.widen8(s + 2 * lineStride),
          T.widen8(s + 3 * lineStride), T.widen8(s + 4 * lineStride),
          T.widen8(s + 5 * lineStride), T.widen8(s + 6 * lineStride),
          T.widen8(s + 7 * lineStride)
        )
        transpose8x8(&r)
        let d = panel + p * width + g
        store(r.0, to: d)
        store(r.1, to: d + width)
        store(r.2, to: d + 2 * width)
        store(r.3, to: d + 3 * width)
        store(r.4, to: d + 4 * width)
        store(r.5, to: d + 5 * width)
        store(r.6, to: d + 6 * width)
        store(r.7, to: d + 7 * width)
        g += 8
      }
      transposedDepth += 8
    }
  }
  @inline(__always)
  func run(_ w: Int) {
    for p in 0..<depth {
      let d = panel + p * w
      for l in (p < transposedDepth ? transposedLines : 0)..<lines {
        d[l] = T.widen(first + l * lineStride + p)
      }
      for l in lines..<w { d[l] = 0 }
    }
  }
  switch width {
  case 6: run(6)
  case 8: run(8)
  case 12: run(12)
  case 16: run(16)
  case 32: run(32)
  default: run(width)
  }
}

/// A 16 x 16 block of Floats in 16 row vectors, for interleaving lines 16 at a time on AVX-512.
struct Block16x16 {
  var r:
    (
      SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>,
      SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>,
      SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>
    )

  /// Rows from 16 lines `lineStride` apart, 16 values each, widened.
  @inline(__always)
  init<T: PackableElement>(_ s: UnsafePointer<T>, lineStride: Int) {
    r = (
      T.widen16(s), T.widen16(s + lineStride), T.widen16(s + 2 * lineStride),
      T.widen16(s + 3 * lineStride), T.widen16(s + 4 * lineStride),
      T.widen16(s + 5 * lineStride), T.widen16(s + 6 * lineStride),
      T.widen16(s + 7 * lineStride), T.widen16(s + 8 * lineStride),
      T.widen16(s + 9 * lineStride), T.widen16(s + 10 * lineStride),
      T.widen16(s + 11 * lineStride), T.widen16(s + 12 * lineStride),
      T.widen16(s + 13 * lineStride), T.widen16(s + 14 * lineStride),
      T.widen16(s + 15 * lineStride)
    )
  }

  /// Transposes in place, as ``transpose8x8(_:)`` does: each de-interleave of the 256 values
  /// (row << 4 | column) rotates that 8-bit index right by one, so four swap row and column.
  /// Each output is one two-source shuffle.
  @inline(__always)
  mutating func transpose() {
    @inline(__always)
    func pair(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD32<Float> {
      SIMD32(lowHalf: a, highHalf: b)
    }
    for _ in 0..<4 {
      let p0 = pair(r.0, r.1)
      let p1 = pair(r.2, r.3)
      let p2 = pair(r.4, r.5)
      let p3 = pair(r.6, r.7)
      let p4 = pair(r.8, r.9)
      let p5 = pair(r.10, r.11)
      let p6 = pair(r.12, r.13)
      let p7 = pair(r.14, r.15)
      r = (
        p0.evenHalf, p1.evenHalf, p2.evenHalf, p3.evenHalf, p4.evenHalf, p5.evenHalf,
        p6.evenHalf, p7.evenHalf, p0.oddHalf, p1.oddHalf, p2.oddHalf, p3.oddHalf, p4.oddHalf,
        p5.oddHalf, p6.oddHalf, p7.oddHalf
      )
    }
  }

  /// Row i at `d + i * stride`.
  @inline(__always)
  func write(to d: UnsafeMutablePointer<Float>, stride: Int) {
    store(r.0, to: d)
    store(r.1, to: d + stride)
    store(r.2, to: d + 2 * stride)
    store(r.3, to: d + 3 * stride)
    store(r.4, to: d + 4 * stride)
    store(r.5, to: d + 5 * stride)
    store(r.6, to: d + 6 * stride)
    store(r.7, to: d + 7 * stride)
    store(r.8, to: d + 8 * stride)
    store(r.9, to: d + 9 * stride)
    store(r.10, to: d + 10 * stride)
    store(r.11, to: d + 11 * stride)
    store(r.12, to: d + 12 * stride)
    store(r.13, to: d + 13 * stride)
    store(r.14, to: d + 14 * stride)
    store(r.15, to: d + 15 * stride)
  }
}

typealias Rows8x8 = (
  SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>,
  SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>
)

/// Transposes an 8x8 block held as 8 row vectors. Read the 64 values as one row-major array
/// indexed (row << 3 | column): one de-interleave (evens, then odds) rotates that 6-bit index
/// right by one, so three of them swap row and column. Each step is a shuffle per output.
@inline(__always)
func transpose8x8(_ r: inout Rows8x8) {
  @inline(__always)
  func deinterleave(_ r: inout Rows8x8) {
    let p0 = SIMD16(lowHalf: r.0, highHalf: r.1)
    let p1 = SIMD16(lowHalf: r.2, highHalf: r.3)
    let p2 = SIMD16(lowHalf: r.4, highHalf: r.5)
    let p3 = SIMD16(lowHalf: r.6, highHalf: r.7)
    r = (
      p0.evenHalf, p1.evenHalf, p2.evenHalf, p3.evenHalf,
      p0.oddHalf, p1.oddHalf, p2.oddHalf, p3.oddHalf
    )
  }
  deinterleave(&r)
  deinterleave(&r)
  deinterleave(&r)
}
