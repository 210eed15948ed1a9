import MantissaKernels

/// Argument and shape checks of the layer API: stops with a message naming the layer, the
/// argument and the values (the kernels' `mantissaRequire`, which prints in every build).
@inline(__always)
func mantissaRequireNN(_ condition: Bool, _ message: @autoclosure () -> String) {
  mantissaRequire(condition, message())
}
