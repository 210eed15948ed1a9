import MantissaKernels
import MantissaReference
import Testing

// The narrow-C path (`*-gemm-8x16-simd16direct`, `*-gemm-4x32-simd16direct`,
// `*-gemm-4x20-simd16quad`): n <= 32, A and (when rows are contiguous) B read in place.

let narrowCombinations = Combination.allCases

@Test(arguments: [1, 2, 7, 10, 15, 16, 17, 20, 24, 25, 31, 32], [1, 3, 20, 300, 600])
func narrowPathAcrossWidthsAndDepths(n: Int, k: Int) {
  for m in [1, 3, 4, 5, 37] {
    for combination in [Combination.f32, .f16] {
      checkGEMM(
        GEMMCase(
          m: m, n: n, k: k, beta: 1.3, padC: 1, combination: combination, bias: n % 2 == 0,
          narrow: true))
    }
  }
}

@Test(arguments: narrowCombinations, [(false, false), (false, true), (true, false), (true, true)])
func narrowPathTypesAndTransposes(combination: Combination, transposes: (Bool, Bool)) {
  checkGEMM(
    GEMMCase(
      m: 45, n: 20, k: 53, transA: transposes.0, transB: transposes.1, alpha: 0.7, beta: 1,
      padA: 2, padB: 3, combination: combination, relu: true, narrow: true))
}

@Test(arguments: [Float(0), 1, 0.7], [Float(0), 1, 1.3])
func narrowPathAlphaAndBeta(alpha: Float, beta: Float) {
  checkGEMM(
    GEMMCase(m: 17, n: 10, k: 40, alpha: alpha, beta: beta, blocking: tinyBlocking, narrow: true))
}

@Test func narrowPathIntegersAreExact() {
  checkGEMM(GEMMCase(m: 33, n: 20, k: 1000, beta: 1, narrow: true, integers: true))
}

@Test(arguments: narrowCombinations)
func narrowPathAgreesBitwiseWithThePackedKernelsAndAcrossThreads(combination: Combination) {
  // A both ways: a Float16 A is widened into a scratch (k-major when transposed) first; in
  // AVX2 builds a transposed one in blocks of rows, as one flat array when the block is all of
  // m and lda == m (k <= 468 here), else depth by depth (k = 600: blocks of 52 and 18 rows;
  // 2 threads: each thread's rows). k = 1
  // takes the row-by-row outer-product form, shallow depths (k <= 16 wide, k <= 32 narrow)
  // the shallow ones. k = 301 fills each widened block of 8 rows with a count of values that
  // is not a multiple of 16 (its last vector must not be stored whole), and its B, padded, is
  // widened into a Float copy with rows n apart row by row (a Float16 B from 64 rows of C;
  // unpadded, as one flat copy).
  for (n, k) in [
    (1, 600), (9, 600), (20, 600), (32, 600), (10, 1), (20, 1), (32, 1), (20, 10), (32, 16),
    (10, 20), (16, 32), (20, 301), (17, 64), (24, 600), (25, 64), (24, 16), (17, 5), (25, 9),
  ] {
    for transA in [false, true] {
      var c = GEMMCase(
        m: 70, n: n, k: k, transA: transA, beta: 1.3, padB: k == 301 ? 3 : 0,
        combination: combination, bias: true, relu: true)
      let packed = checkGEMM(c)
      c.narrow = true
      let narrow = checkGEMM(c)
      if n > 1 || transA {  // n == 1 with rows of A contiguous sums in its own order
        #expect(
          packed == narrow, "\(c.testDescription): narrow path differs from the packed kernel")
      }
      c.threads = 2
      c.forceParallel = true
      #expect(checkGEMM(c) == narrow, "\(c.testDescription): 2 threads differ from 1")
    }
  }
  // A forward layer's shallow product: C not read (its Float16 rounding fixed per call), and
  // enough rows that a Float16 A is widened in several blocks of 128 (a thread's rows start
  // inside a block).
  // Alpha 1 with a bias takes the forward layer's update (ReLU or not), fixed per call. A
  // Float16 A is widened in blocks of rows (128 in the shallow forms, up to 256 in the general
  // rows form: 10 x 40, 20 x 40): as one flat array when its rows are back to back, else row
  // by row. Deeper still (k >= 48 in 8-row groups, k >= 128 in 4-row groups: 13 x 130,
  // 20 x 300) it is widened one group and K block at a time, here with padded rows. Without a
  // bias (17 x 3 with padded rows, 20 x 10 with alpha 0.7) a Float16 C's last 1-8 columns are
  // rounded on 8 lanes. Alpha 1 with no bias or ReLU (17 x 3, 28 x 12, 32 x 16 with padded
  // rows) stores the accumulators unscaled: a last 1-8, 9-15 or 16 columns.
  for (n, k, alpha, relu, padA) in [
    (20, 10, Float(1), true, 0), (17, 3, 1, false, 0), (17, 3, 1, false, 5),
    (28, 12, 1, false, 5), (32, 16, 1, false, 5),
    (32, 16, 0.7, true, 0), (10, 20, 1, true, 0), (10, 20, 0.7, false, 3), (20, 40, 1, true, 3),
    (10, 40, 1, true, 2), (13, 130, 1, true, 2), (20, 300, 0.7, false, 3),
    (20, 10, 0.7, true, 0),
  ] {
    expectNarrowPathMatchesPackedKernelsAndThreads(
      GEMMCase(
        m: 300, n: n, k: k, alpha: alpha, padA: padA, combination: combination,
        bias: !(padA == 5 || (n == 20 && k == 10 && alpha != 1)), relu: relu))
  }
  // The shallow forms rounding a Float16 C they do not read: the bias and the ReLU each on or
  // off, rows of 16 (whole vectors) and of 10 (partial ones), all fixed per call; and a
  // backward layer's product under a ReLU mask alone (2-16 and 17-32 columns).
  for (n, alpha, bias, relu, mask) in [
    (16, Float(1), false, false, false), (16, 0.7, true, true, false), (16, 1, true, false, false),
    (16, 0.7, false, true, false), (10, 0.7, false, false, false), (10, 1, true, true, false),
    (10, 0.7, true, false, false), (10, 1, false, true, false), (16, 1, false, false, true),
    (10, 0.7, false, false, true), (20, 1, false, false, true), (32, 0.7, false, false, true),
  ] {
    var c = GEMMCase(
      m: 300, n: n, k: 8, alpha: alpha, combination: combination, bias: bias, relu: relu,
      reluMask: mask)
    let packed = checkGEMM(c)
    c.narrow = true
    #expect(
      checkGEMM(c) == packed, "\(c.testDescription): narrow path differs from the packed kernel")
  }
}

/// `c` through the packed kernels, then the narrow path on 1 and 2 threads: the same bits
/// all three times (and each against the reference, in `checkGEMM`).
func expectNarrowPathMatchesPackedKernelsAndThreads(_ c: GEMMCase) {
  var c = c
  c.narrow = false
  let packed = checkGEMM(c)
  c.narrow = true
  let narrow = checkGEMM(c)
  #expect(packed == narrow, "\(c.testDescription): narrow path differs from the packed kernel")
  c.threads = 2
  c.forceParallel = true
  #expect(checkGEMM(c) == narrow, "\(c.testDescription): 2 threads differ from 1")
}

/// The updates a narrow form fixes per call: the forward layer (bias, ReLU or not), unscaled,
/// scaled, beta 1 (C accumulated) and 1.3, the ReLU mask alone and with everything else.
struct NarrowUpdate {
  var alpha: Float = 1
  var beta: Float = 0
  var bias = false
  var relu = false
  var mask = false
}

let narrowUpdates = [
  NarrowUpdate(bias: true, relu: true), NarrowUpdate(bias: true), NarrowUpdate(),
  NarrowUpdate(alpha: 0.7), NarrowUpdate(mask: true),
  NarrowUpdate(alpha: 0.7, beta: 1, relu: true),
  NarrowUpdate(alpha: 0.7, beta: 1.3, bias: true, relu: true, mask: true),
]

@Test(arguments: narrowCombinations)
func quadFormAgreesBitwiseWithThePackedKernelsAndAcrossThreads(combination: Combination) {
  // `*-gemm-4x20-simd16quad` and `*-gemm-16x4-simd16quad` (AVX-512 forms; elsewhere these
  // shapes take the direct forms and must agree just the same): 17-20 and 2-4 columns, one K
  // block of 2-512 (beyond 16 from 64 rows), A by rows. Groups of 1-4 rows at the end, and
  // steps of 16 rows with 1-4 groups in the last (m = 2, 3, 5, 9, 19, 37, 66, 67, 70, 129, 130),
  // a thread's rows starting mid-matrix, padded rows of A and C, depths from 2 (one partial
  // quad) through 16 (four whole ones) to several transposed chunks of 16 with a partial last
  // one (17, 33, 300) and the deepest (512), and every update the form fixes per call: the
  // forward layer (bias, ReLU or not), unscaled, scaled, beta 1 (C accumulated) and 1.3, the
  // ReLU mask alone and with everything else. (20, 17, 37) and (4, 18, 9) keep the direct
  // forms (too few rows), and so does a K block shorter than k, whose blocks sum as the packed kernels' do
  // (tiny blocking below; the quad form over all of k would differ). From k = 17 (2-3
  // columns) or 21 (4) on, they take the dot forms (dotFormsSumAsSingleColumnsAndAgree...).
  for (index, (n, k, m, padA, padC)) in [
    (20, 10, 130, 0, 0), (17, 2, 37, 3, 1), (18, 16, 5, 0, 2), (19, 7, 3, 5, 0),
    (20, 4, 2, 1, 3), (20, 13, 37, 0, 0), (17, 16, 130, 2, 0), (20, 17, 37, 0, 0),
    (19, 33, 70, 3, 2), (20, 64, 66, 0, 0), (17, 300, 129, 1, 0), (20, 512, 67, 0, 1),
    (2, 10, 130, 0, 0), (3, 16, 37, 2, 1), (4, 20, 70, 0, 0), (4, 2, 5, 1, 2), (2, 16, 66, 0, 0),
    (3, 7, 19, 0, 1), (4, 19, 129, 3, 0), (4, 18, 9, 0, 0),
  ].enumerated() {
    for update in narrowUpdates {
      var c = GEMMCase(
        m: m, n: n, k: k, alpha: update.alpha, beta: update.beta, padA: padA, padC: padC,
        combination: combination, bias: update.bias, relu: update.relu, reluMask: update.mask,
        narrow: true, seed: UInt64(index))
      if CompiledCPU.choosesAVX512Forms && (k <= 16 || m >= 64) {
        #expect(c.id.hasSuffix("-simd16quad"), "\(c.testDescription): not a quad form")
      }
      expectNarrowPathMatchesPackedKernelsAndThreads(c)
    }
  }
  var blocked = GEMMCase(
    m: 37, n: 20, k: 40, beta: 1.3, combination: combination, bias: true,
    blocking: tinyBlocking, narrow: true)
  let narrow = checkGEMM(blocked)
  blocked.narrow = false
  #expect(checkGEMM(blocked) == narrow, "\(blocked.testDescription): differs from the narrow path")
}

@Test(arguments: narrowCombinations)
func dotFormsSumAsSingleColumnsAndAgreeAcrossThreads(combination: Combination) {
  // `*-gemm-8x2-simd16dot` to `*-gemm-2x8-simd16dot` (AVX-512 forms): 2-8 columns, A by rows,
  // k from 17, 21 or 33 (n = 2-3, 4, 5-8) on, C's values as dot products along k in the order of `16x1-simd16dot`, so each
  // column has the bits of the n == 1 product of op(B)'s column (whose order
  // singleColumnDotsSumInTheDocumentedOrder emulates), on 1 and 2 threads. Groups of 16 / n
  // rows, whole and short (m = 2 to 130); k a whole number of 16 and not (a masked last step);
  // B both ways (transposed B is copied, row-major B transposed by 8 x 8 blocks, its last
  // depths one by one); padded A, B and C (C's rows apart, so one masked store per row, or
  // back to back, one per group); deep k (600, 1000: one K block whatever k is); 10-12
  // columns (from 64 rows) as two passes; every update.
  // Elsewhere these shapes take the direct forms, checked against the reference here too.
  for (index, (n, k, m, transB, padA, padB, padC)) in [
    (2, 32, 70, false, 0, 0, 0), (3, 33, 37, true, 1, 2, 0), (4, 64, 70, false, 0, 0, 0),
    (4, 47, 9, false, 3, 0, 2), (5, 100, 19, true, 0, 1, 1), (6, 512, 13, false, 2, 0, 0),
    (7, 600, 45, false, 0, 3, 1), (8, 64, 66, true, 1, 0, 3), (8, 300, 2, false, 0, 0, 0),
    (2, 1000, 17, true, 0, 0, 0), (3, 48, 130, false, 0, 0, 0), (8, 37, 5, false, 0, 0, 0),
    (2, 17, 70, false, 0, 0, 0), (4, 21, 37, true, 0, 0, 1), (5, 33, 20, false, 1, 0, 0),
    (10, 48, 70, false, 0, 0, 0), (11, 64, 66, true, 1, 2, 3), (12, 100, 64, false, 0, 0, 0),
    (10, 512, 65, false, 3, 0, 1),
  ].enumerated() {
    for update in narrowUpdates {
      var c = GEMMCase(
        m: m, n: n, k: k, transB: transB, alpha: update.alpha, beta: update.beta, padA: padA,
        padB: padB, padC: padC, combination: combination, bias: update.bias, relu: update.relu,
        reluMask: update.mask, narrow: true, seed: UInt64(index))
      let whole = checkGEMM(c)
      var two = c
      two.threads = 2
      two.forceParallel = true
      #expect(checkGEMM(two) == whole, "\(c.testDescription): 2 threads differ from 1")
      guard CompiledCPU.choosesAVX512Forms else { continue }
      #expect(c.id.hasSuffix("-simd16dot"), "\(c.testDescription): not a dot form")
      let ldc = n + padC
      for j in 0..<n {
        c.onlyColumn = j
        let alone = checkGEMM(c)
        let differing = (0..<m).filter { alone[($0 + 1) * ldc + j] != whole[($0 + 1) * ldc + j] }
        #expect(
          differing.isEmpty,
          "\(c.testDescription): rows \(differing.prefix(5)) differ from the n == 1 product")
      }
    }
  }
}

@Test(arguments: narrowCombinations)
func eightLaneFormsAgreeBitwiseWithThePackedKernelsAndAcrossThreads(combination: Combination) {
  // 2-8 columns take `8x16-simd16direct` on 8 lanes in AVX-512 builds (`add8RowsOf8` and the
  // shallow form's own loop): shallow (k <= 32, A by rows) with whole and short groups, and
  // the rows form with A transposed (one base), one K block or several (k = 600), with the
  // updates a layer uses. Deeper with A by rows (and 2-4 columns from k = 17 or 21) they take
  // the dot forms.
  for (n, k, m, transA, padA) in [
    (6, 31, 70, false, 0), (8, 20, 37, false, 3), (4, 64, 70, true, 0), (7, 300, 45, true, 2),
    (5, 600, 37, true, 0), (8, 64, 70, true, 0), (3, 40, 13, true, 1), (6, 3, 9, false, 0),
  ] {
    for (alpha, beta, bias, relu, mask) in [
      (Float(1), Float(0), true, true, false), (0.7, 1.3, false, false, true),
      (1, 1, true, false, false),
    ] {
      expectNarrowPathMatchesPackedKernelsAndThreads(
        GEMMCase(
          m: m, n: n, k: k, transA: transA, alpha: alpha, beta: beta, padA: padA,
          combination: combination, bias: bias, relu: relu, reluMask: mask))
    }
  }
}

@Test(arguments: narrowCombinations)
func lastColumnsPastThePackedPanels(combination: Combination) {
  // Beyond one 32-wide panel, a last single column goes through the narrow path (dot products),
  // each thread computing it for rows of its own after its region of the packed kernels; a last
  // 2-16 columns through the 8x32 kernel's left half (A in place or packed, short row panels,
  // one K block or several): against the reference, and the same bits on 1 and 2 threads.
  for (m, n, k, transA, transB, mask) in [
    (37, 33, 40, false, false, false), (70, 48, 300, true, false, true),
    (70, 257, 20, false, true, false), (9, 65, 600, false, false, true),
    (100, 40, 7, true, true, false), (37, 44, 40, false, false, true),
    (45, 66, 300, false, true, false),
  ] {
    var c = GEMMCase(
      m: m, n: n, k: k, transA: transA, transB: transB, alpha: 0.7, beta: 1.3, padA: 1, padB: 2,
      padC: 3, combination: combination, bias: true, relu: !mask, reluMask: mask, narrow: true)
    let one = checkGEMM(c)
    c.threads = 2
    c.forceParallel = true
    #expect(checkGEMM(c) == one, "\(c.testDescription): 2 threads differ from 1")
  }
}

@Test(arguments: narrowCombinations, [false, true])
func singleColumnAgreesWithThePackedKernelsAndAcrossThreads(combination: Combination, transA: Bool)
{
  // n == 1 takes the 16-rows-per-vector forms: A transposed read as vectors (the packed
  // kernels' order and bits), A row-major as dot products (its own order: checked against the
  // Double reference here and emulated bit for bit in singleColumnDotsSumInTheDocumentedOrder).
  // Row counts around 16 exercise the masked or repeated last group, k = 20 one K block (a
  // Float16 C rounded from registers), k = 600 several.
  for m in [1, 15, 16, 17, 40, 70] {
    for k in [1, 20, 600] {
      var c = GEMMCase(
        m: m, n: 1, k: k, transA: transA, beta: 1.3, padA: 3, combination: combination,
        bias: true, relu: true)
      let packed = checkGEMM(c)
      c.narrow = true
      let narrow = checkGEMM(c)
      if transA {
        #expect(
          packed == narrow, "\(c.testDescription): narrow path differs from the packed kernel")
      }
      c.threads = 2
      c.forceParallel = true
      #expect(checkGEMM(c) == narrow, "\(c.testDescription): 2 threads differ from 1")
    }
  }
}

@Test(arguments: narrowCombinations)
func reluMaskMatchesTheSeparateReLUBackwardBitwise(combination: Combination) {
  // Every path: each packed microkernel (edge tiles through the scratch merge, several K blocks,
  // k == 0), the narrow path at n = 1, 10, 20, 32 with both A layouts, and 2 threads. The fused
  // mask must give the bits of the unmasked product followed by leakyReLUBackward's formula.
  var cases: [GEMMCase] = []
  for kernel in [GEMMMicrokernel.tile8x32SIMD16, .tile12x32SIMD16, .tile6x16SIMD8] {
    for (m, n, k) in [(37, 45, 70), (19, 33, 600), (9, 40, 0)] {
      cases.append(
        GEMMCase(
          m: m, n: n, k: k, beta: 0.5, padC: 2, combination: combination, kernel: kernel,
          bias: true, relu: false))
    }
  }
  // k = 1 walked as one flat array (blocks of 16 lanes on AVX-512, of 8 rows on AVX2, the
  // last 4 rows row by row), or row by row with the update fixed per call (no bias or ReLU: a
  // layer's input gradient) when C's rows are apart (padC 3) or C is small (45 rows).
  for (m, n, padC) in [
    (300, 16, 0), (300, 20, 0), (300, 31, 0), (300, 20, 3), (45, 20, 0), (45, 8, 0),
  ] {
    for relu in [true, false] {
      cases.append(
        GEMMCase(
          m: m, n: n, k: 1, alpha: 0.7, padC: padC, combination: combination, relu: relu,
          narrow: true))
    }
  }
  for n in [1, 10, 20, 32] {
    for transA in [false, true] {
      for k in [1, 20, 600] {
        cases.append(
          GEMMCase(
            m: 45, n: n, k: k, transA: transA, beta: 0.5, padC: 1, combination: combination,
            bias: true, narrow: true))
      }
    }
  }
  for var c in cases {
    for threads in [1, 2] {
      c.threads = threads
      c.forceParallel = threads > 1
      c.reluMask = false
      let plain = checkGEMM(c)
      c.reluMask = true
      let fused = checkGEMM(c)
      // Rows 1...m of the canary-framed C, columns below n: the masked block.
      let ldc = max(1, c.n + c.padC)
      var expected = plain
      for i in 0..<c.m {
        for j in 0..<c.n {
          let v = Float(bitPattern: plain[(i + 1) * ldc + j])
          let masked = reluMaskValue(i, j) > 0 ? v : v * 0
          expected[(i + 1) * ldc + j] = masked.bitPattern
        }
      }
      #expect(fused == expected, "\(c.testDescription): fused ReLU mask differs")
    }
  }
}

@Test(arguments: [false, true], [1, 15, 16, 20, 33, 600])
func singleColumnDotsSumInTheDocumentedOrder(halfA: Bool, k: Int) {
  // n == 1, rows of A contiguous: lane j of a row sums the terms with index ≡ j (mod 16) in
  // increasing k with one FMA each, then the 16 lanes are added as a pairwise tree. Emulated
  // here in scalar Float, so every bit of the kernel's order is pinned down.
  let m = 37
  let lda = k + 3
  var g = SeededGenerator(seed: 77 &+ UInt64(k))
  // Between rows, values that poison any sum they reach: a row's last piece may be loaded
  // whole, with the lanes past k zeroed, and a lane left unzeroed must not go unseen.
  let aValues = (0..<(m * lda)).map { e in
    e % lda < k ? Float(Float16(Float(g.uniform(-1, 1)))) : e % 2 == 0 ? .infinity : .nan
  }
  let xValues = (0..<k).map { _ in Float(Float16(Float(g.uniform(-1, 1)))) }
  var expected = [Float](repeating: 0, count: m)
  for i in 0..<m {
    var lanes = [Float](repeating: 0, count: 16)
    for q0 in stride(from: 0, to: k, by: 16) {
      for j in 0..<16 {
        let q = q0 + j
        let (a, x): (Float, Float) = q < k ? (aValues[i * lda + q], xValues[q]) : (0, 0)
        lanes[j] = lanes[j].addingProduct(a, x)
      }
    }
    while lanes.count > 1 {
      lanes = stride(from: 0, to: lanes.count, by: 2).map { lanes[$0] + lanes[$0 + 1] }
    }
    expected[i] = lanes[0]
  }
  var c = [Float](repeating: .nan, count: m)
  if halfA {
    let a16 = aValues.map { Float16($0) }
    let x16 = xValues.map { Float16($0) }
    gemm(
      .noTranspose, .noTranspose, m: m, n: 1, k: k, a: a16, lda: lda, b: x16, ldb: 1, c: &c,
      ldc: 1, threads: 1)
  } else {
    gemm(
      .noTranspose, .noTranspose, m: m, n: 1, k: k, a: aValues, lda: lda, b: xValues, ldb: 1,
      c: &c, ldc: 1, threads: 1)
  }
  let id = halfA ? "f16-f16-f32-gemm-16x1-simd16dot" : "f32-gemm-16x1-simd16dot"
  for i in 0..<m {
    #expect(
      c[i].bitPattern == expected[i].bitPattern,
      "\(id) \(m)x1x\(k) row \(i): \(c[i]) != \(expected[i]) (documented order)")
  }
}

@Test(arguments: narrowCombinations, [false, true])
func narrowColumnsAgreeBitwiseWithThePackedKernels(combination: Combination, transB: Bool) {
  // `*-gemm-32x12-simd16columns` (25-32 rows in AVX-512 builds) and `simd8columns` (17-24 rows
  // there, all of them in AVX2 builds): A transposed, 17-32 rows, 2-12 columns, k >= 64 (a
  // weight gradient). Lanes run along m and the K blocks merge into C transposed; every
  // epilogue, alpha/beta case and K-block count must still give the packed kernels' bits. The
  // SIMD16 form widens a Float16 A with lda == m as one flat array (k = 600 here, several chunks
  // of 64 columns), otherwise reads it in place; the SIMD8 form runs passes of up to 4 columns
  // (3 row vectors at m = 17 and 20: passes of 2 and of 4, 3, 3; 4 row vectors at m = 25 and
  // 32 in AVX2 builds: passes of 2, 2, 2, 1 and six of 2), reading whole vectors past m in place
  // except in the last column. B's rows are widened as one flat array when
  // their stride is at most 16 (the padding of 12 at m = 25 makes it 19: row by row).
  let shapes = [(17, 2, 64), (20, 10, 1000), (32, 12, 300), (25, 7, 600)]
  for (m, n, k) in shapes {
    let padA = k >= 600 ? 0 : 3
    let padB = m == 25 ? 12 : 1
    for (alpha, beta) in [(Float(1), Float(0)), (0.7, 1.3)] {
      for (bias, relu, mask) in [(false, false, false), (true, true, false), (true, false, true)] {
        var c = GEMMCase(
          m: m, n: n, k: k, transA: true, transB: transB, alpha: alpha, beta: beta,
          padA: padA, padB: padB, padC: 2, combination: combination, bias: bias, relu: relu)
        c.reluMask = mask
        if k == 300 { c.blocking = tinyBlocking }
        let packed = checkGEMM(c)
        c.narrow = true
        #expect(checkGEMM(c) == packed, "\(c.testDescription): columns kernel differs")
        c.threads = 2
        c.forceParallel = true
        #expect(checkGEMM(c) == packed, "\(c.testDescription): 2 threads differ")
      }
    }
  }
}

@Test(arguments: [Combination.f32, .f16f16f32, .f16], [2, 3, 7, 16, 17, 20, 24, 25, 32])
func singleRowSumsInTheDocumentedOrder(combination: Combination, n: Int) {
  // m == 1 (`*-gemm-1x16/1x32-simd16split4`): term q goes to partial sum q mod 4 with one FMA
  // each in increasing q, and C = (s0 + s1) + (s2 + s3), then the update of one K block.
  // Emulated here in scalar Float for both layouts of A and of B (B's last rows, and a
  // transposed B, come from packed rows, the rest in place), so every bit is pinned down.
  // With n = 2 and ldb = 2 the last 7 rows of B are packed (a full 16-wide load there would
  // run past B's end), so k = 600, 602, 603 start them at q ≡ 1, 3, 0 mod 4.
  for k in [2, 3, 5, 21, 600, 602, 603] {
    for (transA, transB) in [(false, false), (true, false), (false, true)] {
      let lda = transA ? 3 : k + 2
      let ldb = transB ? k + 1 : n == 2 ? 2 : n + 3
      var g = SeededGenerator(seed: 91 &+ UInt64(k * 33 + n))
      let aValues = (0..<(transA ? k * lda : lda)).map { _ in
        Float(Float16(Float(g.uniform(-1, 1))))
      }
      let bValues = (0..<((transB ? n : k) * ldb)).map { _ in
        Float(Float16(Float(g.uniform(-1, 1))))
      }
      let bias = (0..<n).map { _ in Float(Float16(Float(g.uniform(-1, 1)))) }
      let old = (0..<n).map { _ in Float(Float16(Float(g.uniform(-1, 1)))) }
      let (alpha, beta): (Float, Float) = (0.75, 0.5)
      var expected = [Float](repeating: 0, count: n)
      for j in 0..<n {
        var s = [Float](repeating: 0, count: 4)
        for q in 0..<k {
          let a = aValues[transA ? q * lda : q]
          let b = bValues[transB ? j * ldb + q : q * ldb + j]
          s[q % 4] = s[q % 4].addingProduct(a, b)
        }
        // TileUpdate's scaleAdd formula, then the bias.
        expected[j] = ((s[0] + s[1]) + (s[2] + s[3])) * alpha
        expected[j] = expected[j].addingProduct(beta, old[j]) + bias[j]
      }
      var c = old
      let tA: Transpose = transA ? .transpose : .noTranspose
      let tB: Transpose = transB ? .transpose : .noTranspose
      switch combination {
      case .f32:
        gemm(
          tA, tB, m: 1, n: n, k: k, alpha: alpha, a: aValues, lda: lda, b: bValues, ldb: ldb,
          beta: beta, c: &c, ldc: n, bias: bias, threads: 1)
      case .f16:
        var c16 = old.map { Float16($0) }
        gemm(
          tA, tB, m: 1, n: n, k: k, alpha: alpha, a: aValues.map { Float16($0) }, lda: lda,
          b: bValues.map { Float16($0) }, ldb: ldb, beta: beta, c: &c16, ldc: n, bias: bias,
          threads: 1)
        c = c16.map { Float($0) }
        expected = expected.map { Float(Float16($0)) }
      default:
        gemm(
          tA, tB, m: 1, n: n, k: k, alpha: alpha, a: aValues.map { Float16($0) }, lda: lda,
          b: bValues.map { Float16($0) }, ldb: ldb, beta: beta, c: &c, ldc: n, bias: bias,
          threads: 1)
      }
      let (ta, tb, tc) = combination.types
      let id = gemmKernelID(
        a: ta, b: tb, c: tc, bias: true, m: 1, n: n, k: k, transA: transA)
      for j in 0..<n {
        #expect(
          c[j].bitPattern == expected[j].bitPattern,
          "\(id) 1x\(n)x\(k) trans \(transA)/\(transB) column \(j): \(c[j]) != \(expected[j])")
      }
    }
  }
}
