// What the compiler was told the CPU can do. Swift's `#if` cannot test C macros, but these
// constants reach Swift through the clang importer, which receives the same CPU flags as the
// Swift target, so they describe the code the kernels were compiled to.
#ifndef CMANTISSA_CPU_H
#define CMANTISSA_CPU_H

#if defined(__FMA__)
#define MANTISSA_COMPILED_FMA 1
#else
#define MANTISSA_COMPILED_FMA 0
#endif

#if defined(__AVX512F__)
#define MANTISSA_COMPILED_AVX512F 1
#else
#define MANTISSA_COMPILED_AVX512F 0
#endif

#if defined(__AVX2__)
#define MANTISSA_COMPILED_AVX2 1
#else
#define MANTISSA_COMPILED_AVX2 0
#endif

#if defined(__F16C__)
#define MANTISSA_COMPILED_F16C 1
#else
#define MANTISSA_COMPILED_F16C 0
#endif

#endif


#if defined(__AVX512F__)
#include <immintrin.h>

// Returns `v` unchanged through an empty asm statement, which the optimizer cannot see into.
// A permute whose index vector is a known constant becomes a generic shuffle that LLVM is free
// to rewrite, and a tree of such permutes and adds it rewrote into about 60 128-bit
// instructions; an index passed through here keeps each permute one vpermt2ps.
static inline __attribute__((always_inline)) __m512i mantissa_opaque_m512i(__m512i v) {
  __asm__("" : "+v"(v));
  return v;
}

// Rounds 16 Floats to Float16 (nearest even) in one 512-bit vcvtps2ph. Swift cannot call
// `_mm512_cvtps_ph` (a macro: its rounding argument is an immediate), and the lane-by-lane
// conversion that LLVM vectorizes itself came out as two 256-bit conversions, an extract and an
// insert (a third of the Float16-C rounding cost in the shallow GEMM kernel).
static inline __attribute__((always_inline)) __m256i mantissa_narrow_ps512(__m512 v) {
  return _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

// `mantissa_narrow_ps512` for 8 Floats: one 256-bit vcvtps2ph, half the cost of the 512-bit
// one on Zen 4 (which runs it as two halves on the FMA pipes), for a row's last 1-8 columns.
static inline __attribute__((always_inline)) __m128i mantissa_narrow_ps256(__m256 v) {
  return _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
#endif

#if defined(__AVX2__)
#include <immintrin.h>

// `mantissa_opaque_m512i` for 256-bit index vectors (AVX2 builds).
static inline __attribute__((always_inline)) __m256i mantissa_opaque_m256i(__m256i v) {
  __asm__("" : "+x"(v));
  return v;
}
#endif

// A cache-line prefetch for writing, for kernels to call on their C tile before the k loop so
// the tile's rows (often in DRAM or L3 for large C) arrive while the FMAs run. Swift has no
// prefetch of its own; this inlines into the Swift caller.
static inline __attribute__((always_inline)) void mantissa_prefetch_write(const void *p) {
  __builtin_prefetch(p, 1, 3);
}

// A cache-line prefetch for reading.
static inline __attribute__((always_inline)) void mantissa_prefetch_read(const void *p) {
  __builtin_prefetch(p, 0, 3);
}

// A cache-line prefetch for reading into L2 (prefetcht1), for data needed after the L1's
// current contents have been replaced.
static inline __attribute__((always_inline)) void mantissa_prefetch_l2(const void *p) {
  __builtin_prefetch(p, 0, 2);
}

// A spin-wait hint for the worker pool's polling loops: on x86 `pause` lets the core's other
// hardware thread run and avoids the memory-order flush when the awaited store arrives.
static inline __attribute__((always_inline)) void mantissa_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}
