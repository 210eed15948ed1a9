import MantissaKernels
import Testing

// Float32 results of one operation on two Floats are correctly rounded, so they must equal the
// Double result rounded to Float exactly. Float16 results widen, compute in Float and round
// once: within 1 Float16 ulp of the Double result (0.5 for the final rounding plus the Float
// rounding of an inexact sum, which is far below it).

@Test(arguments: elementwiseLengths)
func addSubtractMultiplyFloat(count: Int) {
  let a = randomFloats(count + 1, seed: 1)
  let b = randomFloats(count + 1, seed: 2)
  withBothThreadCounts { threads in
    var out = [Float](repeating: .nan, count: count + 1)
    // Start at element 1: an unaligned start.
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        out.withUnsafeMutableBufferPointer { o in
          add(
            a.baseAddress! + 1, b.baseAddress! + 1, into: o.baseAddress! + 1, count: count,
            threads: threads)
        }
      }
    }
    for i in 1..<(count + 1) {
      #expect(
        out[i] == Float(Double(a[i]) + Double(b[i])), "f32-vadd-simd16 count \(count) at \(i)")
    }
    #expect(out[0].isNaN, "f32-vadd-simd16 wrote before the start")
    var d = a
    subtract(d, b, into: &d, count: count + 1, threads: threads)  // in place
    for i in 0..<(count + 1) {
      #expect(d[i] == Float(Double(a[i]) - Double(b[i])), "f32-vsub-simd16 in place")
    }
    var m = [Float](repeating: 0, count: count + 1)
    multiply(a, b, into: &m, count: count + 1, threads: threads)
    for i in 0..<(count + 1) {
      #expect(m[i] == Float(Double(a[i]) * Double(b[i])), "f32-vmul-simd16")
    }
  }
}

@Test(arguments: elementwiseLengths)
func addScaleAxpyFloat16(count: Int) {
  let a = randomHalves(count, seed: 3)
  let b = randomHalves(count, seed: 4)
  withBothThreadCounts { threads in
    var out = [Float16](repeating: 0, count: count)
    add(a, b, into: &out, count: count, threads: threads)
    for i in 0..<count {
      #expect(half16ULPs(out[i], Double(a[i]) + Double(b[i])) <= 0.5, "f16-vadd-simd16 at \(i)")
    }
    var s = a
    scale(s, by: 0.3, into: &s, count: count, threads: threads)
    for i in 0..<count {
      #expect(half16ULPs(s[i], Double(Float(a[i]) * 0.3)) <= 0.5, "f16-vscale-simd16 at \(i)")
    }
    var y = b
    axpy(alpha: -1.5, x: a, y: &y, count: count, threads: threads)
    for i in 0..<count {
      #expect(
        half16ULPs(y[i], Double(b[i]) - 1.5 * Double(a[i])) <= 0.5, "f16-vaxpy-simd16 at \(i)")
    }
  }
}

@Test func axpyFloatIsOneFusedMultiplyAdd() {
  let x = randomFloats(100, seed: 5)
  let y0 = randomFloats(100, seed: 6)
  var y = y0
  axpy(alpha: 0.7, x: x, y: &y, count: 100)
  for i in 0..<100 { #expect(y[i] == y0[i].addingProduct(0.7, x[i]), "f32-vaxpy-simd16 at \(i)") }
}

@Test(arguments: [(3, 17, 20), (5, 40, 40), (0, 8, 8), (4, 0, 3)])
func addBiasRowsBroadcastsTheRow(shape: (Int, Int, Int)) {
  let (rows, columns, ld) = shape
  let x0 = randomFloats(rows * ld, seed: 7)
  let bias = randomFloats(columns, seed: 8)
  var x = x0
  addBiasRows(&x, rows: rows, columns: columns, ld: ld, bias: bias)
  for r in 0..<rows {
    for j in 0..<ld {
      let want = j < columns ? Float(Double(x0[r * ld + j]) + Double(bias[j])) : x0[r * ld + j]
      #expect(x[r * ld + j] == want, "f32-vaddbias-simd16 at \(r),\(j)")
    }
  }
}
