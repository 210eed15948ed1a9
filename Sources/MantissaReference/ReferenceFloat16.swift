extension Reference {
  /// The binary16 bit pattern nearest to `x` (ties to even), computed with integer arithmetic on
  /// the binary32 bits, independently of any hardware or standard-library conversion.
  /// Overflow gives infinity; NaN gives a quiet NaN with the sign kept.
  public static func float16Bits(nearest x: Float) -> UInt16 {
    let bits = x.bitPattern
    let sign = UInt16((bits >> 16) & 0x8000)
    let exponent = Int((bits >> 23) & 0xFF)
    let mantissa = bits & 0x7F_FFFF
    if exponent == 0xFF { return sign | (mantissa == 0 ? 0x7C00 : 0x7E00) }
    // Value = significand * 2^(e - 23) with the implicit bit; binary16's smallest step is 2^-24.
    let significand: UInt64 = exponent == 0 ? UInt64(mantissa) : UInt64(mantissa | 0x80_0000)
    let e = exponent == 0 ? -126 : exponent - 127
    if e >= 16 { return sign | 0x7C00 }  // at least 2^16, beyond the 65520 rounding boundary
    // Express the value in units of 2^-24 (binary16 subnormal step) as significand * 2^shift.
    let shift = e - 23 + 24
    // Normal binary16 values keep 11 significant bits: find the unit for this magnitude.
    var unitShift = 0  // the result is a multiple of 2^unitShift units of 2^-24
    if e >= -14 { unitShift = e + 14 }  // exponent e has step 2^(e-10) = 2^(e+14) * 2^-24
    // Round significand * 2^shift / 2^unitShift to an integer, ties to even.
    let totalShift = shift - unitShift
    var q: UInt64
    if totalShift >= 0 {
      q = significand << UInt64(totalShift)
    } else {
      let s = UInt64(-totalShift)
      if s >= 64 { return sign }
      q = significand >> s
      let remainder = significand & ((1 << s) - 1)
      let half: UInt64 = 1 << (s - 1)
      if remainder > half || (remainder == half && q & 1 == 1) { q += 1 }
    }
    // Rebuild: value = q * 2^unitShift units.
    let value = q << UInt64(unitShift)  // in units of 2^-24
    // Encode from the integer count of 2^-24 units.
    if value < 1024 { return sign | UInt16(value) }  // subnormal (or the smallest normal edge)
    var exp16 = 1
    var m = value
    while m >= 2048 {
      m >>= 1
      exp16 += 1
    }
    if exp16 >= 31 { return sign | 0x7C00 }
    return sign | UInt16(exp16 << 10) | UInt16(m & 0x3FF)
  }

  /// The exact value of a binary16 bit pattern, decoded from its fields.
  public static func value(float16Bits b: UInt16) -> Double {
    let sign: Double = b & 0x8000 != 0 ? -1 : 1
    let exponent = Int((b >> 10) & 0x1F)
    let mantissa = Double(b & 0x3FF)
    switch exponent {
    case 0: return sign * mantissa * 0x1p-24
    case 31: return mantissa == 0 ? sign * .infinity : .nan
    default:
      return sign * (1024 + mantissa) * Double(sign: .plus, exponent: exponent - 25, significand: 1)
    }
  }
}
