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

// Lanes 0 and 2 of each 128-bit quarter of `a`, then those of `b` (`even`), or lanes 1 and 3
// (`odd`): one vshufps. Quarters 0 and 2 of `a`, then those of `b`, or quarters 1 and 3: one
// vshuff32x4. Swift cannot call the intrinsics (macros: their patterns are immediates). The
// result goes through an empty asm statement, so that LLVM does not merge a tree of them into
// other shuffles (it split one into 128-bit pieces that ran 3x as long).
static inline __attribute__((always_inline)) __m512 mantissa_opaque_ps512(__m512 v) {
  __asm__("" : "+v"(v));
  return v;
}
static inline __attribute__((always_inline)) __m512 mantissa_even_pairs_ps(__m512 a, __m512 b) {
  return mantissa_opaque_ps512(_mm512_shuffle_ps(a, b, 0x88));
}
static inline __attribute__((always_inline)) __m512 mantissa_odd_pairs_ps(__m512 a, __m512 b) {
  return mantissa_opaque_ps512(_mm512_shuffle_ps(a, b, 0xDD));
}
static inline __attribute__((always_inline)) __m512 mantissa_even_quarters_ps(
    __m512 a, __m512 b) {
  return mantissa_opaque_ps512(_mm512_shuffle_f32x4(a, b, 0x88));
}
static inline __attribute__((always_inline)) __m512 mantissa_odd_quarters_ps(
    __m512 a, __m512 b) {
  return mantissa_opaque_ps512(_mm512_shuffle_f32x4(a, b, 0xDD));
}

#endif

#if defined(__F16C__) && defined(__AVX__)
#include <immintrin.h>

// `mantissa_narrow_ps512` for 8 Floats: one 256-bit vcvtps2ph, half the cost of the 512-bit
// one on Zen 4 (which runs it as two halves on the FMA pipes), for a row's last 1-8 columns;
// in AVX2 builds the only narrowing conversion (a lane-by-lane one is eight scalar ones).
static inline __attribute__((always_inline)) __m128i mantissa_narrow_ps256(__m256 v) {
  return _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
#endif

#if defined(__AVX2__)
#include <immintrin.h>

// A vector the compiler cannot trace back to where it came from. For a ReLU mask widened from
// Float16, LLVM otherwise rewrites the compare-and-blend into a compare, an extract, a pack
// and a sign extension (a C loop: 5.0 us against 3.6 for 1000x20 masked values).
static inline __attribute__((always_inline)) __m256 mantissa_opaque_ps256(__m256 v) {
  __asm__("" : "+x"(v));
  return v;
}

// `mantissa_opaque_m512i` for 256-bit index vectors (AVX2 builds).
static inline __attribute__((always_inline)) __m256i mantissa_opaque_m256i(__m256i v) {
  __asm__("" : "+x"(v));
  return v;
}

// Partial vectors for AVX2 builds, which have no lane-masked loads and stores of 16-bit
// elements and none with a scalar mask. Built lane by lane in Swift instead, a partial vector
// went through the stack, and the vector load of the lanes just stored missed store forwarding:
// 1000x1x20 ran at 31.8 us against OpenBLAS's 3.5 (Zen 3). Loads use `vmaskmovps` /
// `vpmaskmovd`, which take a vector of sign bits and neither read nor fault on the lanes left
// out. Stores are whole 4-, 2- and 1-lane pieces by the bits of the count instead: a masked
// store is slow on Zen 3 (1000x10x20, C's rows ending in 10-lane pieces: 14.9 -> 28.2 us).

// Lanes 0..<count of 8 32-bit lanes set (count may be below 0 or above 8).
static inline __attribute__((always_inline)) __m256i mantissa_lanes8(long count) {
  long c = count < 0 ? 0 : (count > 8 ? 8 : count);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)c), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Lanes 0..<count of 4 32-bit lanes set (count 0...4).
static inline __attribute__((always_inline)) __m128i mantissa_lanes4(long count) {
  return _mm_cmpgt_epi32(_mm_set1_epi32((int)count), _mm_setr_epi32(0, 1, 2, 3));
}

// The first `count` (any; 8 and above for all) Floats at `p`, zeros above; nothing past
// `p + count` is read.
static inline __attribute__((always_inline)) __m256 mantissa_load_partial_ps256(
    const float *p, long count) {
  return _mm256_maskload_ps(p, mantissa_lanes8(count));
}

// Writes the low `count` (any; 8 and above for all) lanes of `v` to `p`; nothing past
// `p + count` is touched.
static inline __attribute__((always_inline)) void mantissa_store_partial_ps256(
    float *p, long count, __m256 v) {
  if (count >= 8) {
    _mm256_storeu_ps(p, v);
    return;
  }
  if (count <= 0) return;
  __m128 x = _mm256_castps256_ps128(v);
  if (count & 4) {
    _mm_storeu_ps(p, x);
    p += 4;
    x = _mm256_extractf128_ps(v, 1);
  }
  if (count & 2) {
    _mm_storel_pi((__m64 *)p, x);
    p += 2;
    x = _mm_movehl_ps(x, x);
  }
  if (count & 1) _mm_store_ss(p, x);
}

// The first `count` (0...8) Float16 values at `p` as 8 16-bit lanes, zeros above; nothing past
// `p + count` is read: whole pairs by one 32-bit masked load, an odd last value broadcast and
// blended into its lane (for an even count that lane already holds the same value).
static inline __attribute__((always_inline)) __m128i mantissa_load_partial_epi16(
    const unsigned short *p, long count) {
  if (count <= 0) return _mm_setzero_si128();
  __m128i v = _mm_maskload_epi32((const int *)p, mantissa_lanes4(count >> 1));
  __m128i last = _mm_set1_epi16((short)p[count - 1]);
  __m128i lane = _mm_cmpeq_epi16(
      _mm_set1_epi16((short)(count - 1)), _mm_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7));
  return _mm_blendv_epi8(v, last, lane);
}

// Writes the low `count` (0...8) 16-bit lanes of `h` to `p`; nothing past `p + count` is
// touched: 4-, 2- and 1-lane pieces, as `mantissa_store_partial_ps256`.
static inline __attribute__((always_inline)) void mantissa_store_partial_epi16(
    unsigned short *p, long count, __m128i h) {
  if (count >= 8) {
    _mm_storeu_si128((__m128i *)p, h);
    return;
  }
  if (count <= 0) return;
  if (count & 4) {
    _mm_storel_epi64((__m128i *)p, h);
    p += 4;
    h = _mm_srli_si128(h, 8);
  }
  if (count & 2) {
    _mm_storeu_si32(p, h);
    p += 2;
    h = _mm_srli_si128(h, 4);
  }
  if (count & 1) *p = (unsigned short)_mm_cvtsi128_si32(h);
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
