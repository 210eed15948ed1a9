/// Stops the program with `message` when `condition` is false.
///
/// Every public entry point of Mantissa checks its arguments with this instead of `precondition`,
/// whose message is dropped in `-O` builds: a bad argument must say which argument and which
/// value. Messages read `<operation>: <argument> = <value> <what was expected>`.
@inlinable @inline(__always)
public func mantissaRequire(
  _ condition: Bool, _ message: @autoclosure () -> String
) {
  if !condition { mantissaArgumentFailure(message()) }
}

/// The cold half of ``mantissaRequire(_:_:)``: kept out of line so checks cost a compare and a
/// branch on the hot path.
@inline(never)
public func mantissaArgumentFailure(_ message: String) -> Never {
  fatalError("Mantissa: \(message)")
}
