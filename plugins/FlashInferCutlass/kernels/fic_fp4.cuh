// FlashInferCutlass: NVFP4 weight tiles to bf16 in shared memory, exactly (E2M1 x E4M3 needs at most 5 significant
// bits, so every product is a bf16 value; the per-expert global scale is applied in the GEMM epilogue).
//
// Stored tile (9 KiB, written by Nvfp4WeightTiler.cs): bytes [0, 8192) hold the E2M1 codes of 256 rows x 64 columns,
// 32 bytes per row, 8 consecutive elements e0..e7 per 32-bit word; bytes [8192, 9216) hold the E4M3 block scales, 4
// per row (one per 16 columns). The word's bit layout is chosen so that three of its four bf16 pairs come out with one
// shift and one mask each (Nvfp4WeightTiler.DeviceWord writes it; 'mag' is a code's 3 magnitude bits, 's' its sign):
//   pair (e0, e1): mag at 0-2 and 16-18, s at 9 and 25      -> shift left 6
//   pair (e2, e3): mag at 3-5 and 19-21, s at 12 and 28     -> shift left 3
//   pair (e4, e5): mag at 6-8 and 22-24, s at 15 and 31     -> in place
//   pair (e6, e7): mag bits 0,1 at 10,11 and 26,27, mag bit 2 at 13 and 29, s at 14 and 30 -> three shifts
// In place means bf16 bits 6-8 (the exponent's two low bits and the top mantissa bit) and 15 (sign): the bf16 value is
// then E2M1 x 2^-126, code 1 (0.5) landing on the subnormal 2^-127. One bf16x2 multiply by the block scale pair
// {s x 2^118, s x 2^118} gives E2M1 x s x 2^-8 exactly; the epilogue multiplies by 2^8 x the global scale.
// The fragment form stores the scales already as bf16 (s x 2^118, exact), so a thread only spreads them into pairs.
#pragma once
#include "fic_common.cuh"

namespace fic {

// Device bf16 weights are (E2M1 x E4M3) x 2^-8: the epilogue multiplies the accumulator by this to undo it.
constexpr float kFp4DequantCompensation = 256.0f;

__device__ __forceinline__ u32 byte_perm(u32 a, u32 b, u32 selector) {
    u32 result;
    asm("prmt.b32 %0, %1, %2, %3;" : "=r"(result) : "r"(a), "r"(b), "r"(selector));
    return result;
}

// Bits of `if_set` where `mask` is 1, bits of `if_clear` elsewhere: one LOP3.
__device__ __forceinline__ u32 bit_select(u32 mask, u32 if_set, u32 if_clear) { return (if_set & mask) | (if_clear & ~mask); }

// Multiplies a bf16 pair by a bf16 pair; exact here, so the rounding mode never acts.
__device__ __forceinline__ u32 bf16x2_mul(u32 a, u32 b) {
    u32 product;
    asm("mul.rn.bf16x2 %0, %1, %2;" : "=r"(product) : "r"(a), "r"(b));
    return product;
}

// The two E4M3 block scales of a unit (low and high byte of `codes`) as bf16 pairs {s0 x 2^118, s0 x 2^118} and
// {s1 x 2^118, s1 x 2^118}. A code's seven magnitude bits shifted left by 4 are the bf16 bits of its value x 2^-120,
// normal and subnormal codes alike (bf16 keeps subnormals down to 2^-133); two exact multiplies by 2^127 and 2^111
// make that s x 2^118 (a single factor 2^238 is not a bf16).
__device__ __forceinline__ void fp4_scale_pairs(u32 codes, u32& low, u32& high) {
    constexpr u32 kTwoTo127 = 0x7F007F00u;
    constexpr u32 kTwoTo111 = 0x77007700u;
    const u32 spread = byte_perm(codes, 0u, 0x4140u);  // code 0 in byte 0, code 1 in byte 2
    const u32 bits = bit_select(0x80008000u, spread << 8, (spread << 4) & 0x07F007F0u);
    const u32 scaled = bf16x2_mul(bf16x2_mul(bits, kTwoTo127), kTwoTo111);
    low = byte_perm(scaled, scaled, 0x1010u);
    high = byte_perm(scaled, scaled, 0x3232u);
}

// The four unscaled bf16 pairs of one device word (E2M1 x 2^-126 each), in element order.
__device__ __forceinline__ void fp4_word_pairs(u32 word, u32 (&pairs)[4]) {
    constexpr u32 kPairBits = 0x81C081C0u;  // sign at 15 and 31, magnitude at 6-8 and 22-24
    pairs[0] = (word << 6) & kPairBits;
    pairs[1] = (word << 3) & kPairBits;
    pairs[2] = word & kPairBits;
    pairs[3] = bit_select(0x80008000u, word << 1, bit_select(0x00C000C0u, word >> 4, (word >> 5) & 0x01000100u));
}

// One device word (8 elements) times its block scale pair: one 16-byte chunk of a bf16 weight row, elements in order.
__device__ __forceinline__ uint4 fp4_word_to_bf16(u32 word, u32 scale_pair) {
    u32 pairs[4];
    fp4_word_pairs(word, pairs);
    return make_uint4(bf16x2_mul(pairs[0], scale_pair), bf16x2_mul(pairs[1], scale_pair), bf16x2_mul(pairs[2], scale_pair),
                      bf16x2_mul(pairs[3], scale_pair));
}

// One fragment word (Nvfp4FragmentTiler.cs: the pairs a0 .. a3 of one 16-column chunk, rows r, r + 8, r, r + 8) and its
// two rows' block scales (bf16 values s x 2^118, row r in the low half-word) as the four A registers of one wgmma.
__device__ __forceinline__ void fp4_fragment_to_bf16(u32 word, u32 scales, u32 (&a)[4]) {
    const u32 first_row = byte_perm(scales, scales, 0x1010u);
    const u32 second_row = byte_perm(scales, scales, 0x3232u);
    u32 pairs[4];
    fp4_word_pairs(word, pairs);
    a[0] = bf16x2_mul(pairs[0], first_row);
    a[1] = bf16x2_mul(pairs[1], second_row);
    a[2] = bf16x2_mul(pairs[2], first_row);
    a[3] = bf16x2_mul(pairs[3], second_row);
}

// One work unit: 32 elements of row `row` (half `half` of its 64 columns: 16 code bytes, 2 scales) of the stored tile
// `packed` into four 16-byte chunks of the 128-byte-swizzled bf16 tile `tile` (both in shared memory).
__device__ __forceinline__ void fp4_convert_unit(const u8* packed, u8* tile, u32 row, u32 half) {
    const uint4 words = *reinterpret_cast<const uint4*>(packed + row * 32u + half * 16u);
    const u32 codes = *reinterpret_cast<const u16*>(packed + kFp4PackedBytes + row * 4u + half * 2u);
    u32 scale_low, scale_high;
    fp4_scale_pairs(codes, scale_low, scale_high);
    u8* out = tile + row * kRowBytes;
    const u32 chunk = half * 4u;
    *reinterpret_cast<uint4*>(out + (((chunk + 0u) ^ (row & 7u)) << 4)) = fp4_word_to_bf16(words.x, scale_low);
    *reinterpret_cast<uint4*>(out + (((chunk + 1u) ^ (row & 7u)) << 4)) = fp4_word_to_bf16(words.y, scale_low);
    *reinterpret_cast<uint4*>(out + (((chunk + 2u) ^ (row & 7u)) << 4)) = fp4_word_to_bf16(words.z, scale_high);
    *reinterpret_cast<uint4*>(out + (((chunk + 3u) ^ (row & 7u)) << 4)) = fp4_word_to_bf16(words.w, scale_high);
}

// The whole tile by the 256 consumer threads, two units each; `worker` is this thread's index among them. Unit u is
// row u / 2, half u % 2, so a warp reads 512 consecutive code bytes and its 16-byte stores fall in eight distinct bank
// groups.
__device__ __forceinline__ void fp4_convert_tile(const u8* packed, u8* tile, int worker) {
    constexpr int kWorkers = 256;
#pragma unroll
    for (int i = 0; i < kTileCols * 2 / kWorkers; ++i) {
        const u32 unit = static_cast<u32>(worker + i * kWorkers);
        fp4_convert_unit(packed, tile, unit >> 1, unit & 1u);
    }
}

}  // namespace fic
