import CMantissaCPU

// How the microkernels fetch their C tile ahead of the merge after the k loop. C's rows are ldc
// apart and, for a large C, in L3 or DRAM, so a merge that waited on them stalled (10-20% at
// n >= 1000 when first added). A long loop asks for the tile in L2 when it starts and in L1,
// with intent to write, `tileClaimDistance` k steps before it ends: asked into L1 at the start,
// the tile was evicted again by the B panel streaming through L1 (32 KiB for the 8x32 kernel)
// before the merge. Session 8 (Docs/Performance.md): f32-gemm-8x32-simd16 +1-2% at 512-1024^3,
// f32-gemm-6x16-simd8 +4-5%. A short loop (64^3) only claims the tile at the start: there the
// second set of prefetches cost more than it saved.

/// k steps before the end of the loop at which a kernel claims its C tile: about 260 cycles of
/// FMAs for the 8x32 kernel, a few L2 latencies (64 and 128 measured the same, 16 worse).
let tileClaimDistance = 32

/// The k step at which to claim C's tile in a loop of `kc` steps; 0 (at once, with no L2 stage)
/// for a loop of at most twice the distance.
@_transparent
func tileClaimStep(_ kc: Int) -> Int {
  kc > 2 * tileClaimDistance ? kc - tileClaimDistance : 0
}

/// Calls `prefetch` on `lines` consecutive cache lines from the start of each of a tile's `rows`
/// rows, `strideBytes` apart (one line more than a row fills, when it may straddle).
@_transparent
func prefetchTile(
  _ c: UnsafeRawPointer, rows: Int, lines: Int, strideBytes: Int,
  _ prefetch: (UnsafeRawPointer) -> Void
) {
  var row = c
  for _ in 0..<rows {
    for line in 0..<lines { prefetch(row + 64 * line) }
    row += strideBytes
  }
}

/// ``prefetchTile(_:rows:lines:strideBytes:_:)`` for a kernel's C tile of `rows` rows, whose
/// rows are `ldc` Floats apart, or `ldc` Float16 values apart when the tile is rounded into
/// Float16 C (``TileUpdate/half``); two lines a row, since a row may straddle a line boundary.
@_transparent
func prefetchTileRows(
  of c: UnsafeMutablePointer<Float>, rows: Int, ldc: Int, update: TileUpdate,
  _ prefetch: (UnsafeRawPointer) -> Void
) {
  let strideBytes = ldc * (update.half == nil ? 4 : 2)
  prefetchTile(c, rows: rows, lines: 2, strideBytes: strideBytes, prefetch)
}
