// FlashInferCutlass: NVFP4 weight tiles to bf16 in shared memory, exactly (E2M1 x E4M3 needs at most 5 significant
// bits, so every product is a bf16 value; the per-expert global scale is applied in the GEMM epilogue).
//
// Stored tile (9 KiB, written by Fp4TilePacker.cs): bytes [0, 8192) hold the E2M1 codes of 256 rows x 64 columns,
// 32 bytes per row; each 32-bit word holds 8 consecutive elements k0..k0+7 of one row, element k0 + 2q in nibble q
// and element k0 + 2q + 1 in nibble q + 4 (q < 4), so that both elements of a bf16 pair move with one shift. Bytes
// [8192, 9216) hold the E4M3 block scales, 4 per row (one per 16 columns).
#pragma once
#include "fic_common.cuh"

namespace fic {

// Device bf16 weights are (E2M1 x E4M3) x 2^-8: the epilogue multiplies the accumulator by this to undo it.
constexpr float kFp4DequantCompensation = 256.0f;

// An E4M3 block scale as a bf16 pair {s, s} with s = e4m3 x 2^118 (exact, normal).
__device__ __forceinline__ u32 fp4_scale_pair(u32 code) {
    const u32 exponent = (code >> 3) & 15u;
    const u32 mantissa = code & 7u;
    // Normal: 2^(e-7) (1 + m/8) x 2^118 has f32 exponent field e + 238. Subnormal: m x 2^-9 x 2^118 = m x 2^109.
    const float magnitude = exponent != 0
        ? __uint_as_float(((exponent + 238u) << 23) | (mantissa << 20))
        : static_cast<float>(mantissa) * 0x1p109f;
    const u32 bits = (__float_as_uint(magnitude) >> 16) | ((code & 0x80u) << 8);
    return bits | (bits << 16);
}

// Multiplies a bf16 pair by a bf16 pair; exact here, so the rounding mode never acts.
__device__ __forceinline__ u32 bf16x2_mul(u32 a, u32 b) {
    u32 product;
    asm("mul.rn.bf16x2 %0, %1, %2;" : "=r"(product) : "r"(a), "r"(b));
    return product;
}

// The bf16 pair of elements (2q, 2q+1) of a packed word as bits E2M1 x 2^-126: magnitude bits to 6-8 and 22-24
// (bf16 exponent low bits and top mantissa bit; code 1 lands on the subnormal 2^-127), signs to bits 15 and 31.
template <int Q>
__device__ __forceinline__ u32 fp4_pair_bits(u32 word) {
    constexpr int kMagnitudeShift = 6 - 4 * Q;  // nibble bits 0-2 of nibble Q to bits 6-8
    constexpr int kSignShift = 12 - 4 * Q;      // nibble bit 3 of nibble Q to bit 15
    const u32 magnitude = (kMagnitudeShift >= 0 ? word << kMagnitudeShift : word >> -kMagnitudeShift) & 0x01C001C0u;
    const u32 sign = (word << kSignShift) & 0x80008000u;
    return magnitude | sign;
}

// Eight elements (one packed word) times their block scale pair: one 16-byte chunk of a bf16 weight row.
__device__ __forceinline__ uint4 fp4_dequant_word(u32 word, u32 scale_pair) {
    uint4 out;
    out.x = bf16x2_mul(fp4_pair_bits<0>(word), scale_pair);
    out.y = bf16x2_mul(fp4_pair_bits<1>(word), scale_pair);
    out.z = bf16x2_mul(fp4_pair_bits<2>(word), scale_pair);
    out.w = bf16x2_mul(fp4_pair_bits<3>(word), scale_pair);
    return out;
}

// Converts one stored NVFP4 tile (`packed`, shared memory) into a 256 x 64 bf16 tile in the 128-byte-swizzled
// layout (`tile`, shared memory). Work unit u = (row u / 2, half u % 2): 32 elements, 16 packed bytes, 2 scales.
// `worker` in [0, workers) is this thread's index among the converting threads.
__device__ __forceinline__ void fp4_dequant_tile(const u8* packed, u8* tile, int worker, int workers) {
    constexpr int kUnits = kTileCols * 2;
    for (int unit = worker; unit < kUnits; unit += workers) {
        const u32 row = static_cast<u32>(unit) >> 1;
        const u32 half = static_cast<u32>(unit) & 1u;
        const uint4 words = *reinterpret_cast<const uint4*>(packed + row * 32u + half * 16u);
        const u32 scales = *reinterpret_cast<const u16*>(packed + kFp4PackedBytes + row * 4u + half * 2u);
        const u32 scale_lo = fp4_scale_pair(scales & 0xFFu);
        const u32 scale_hi = fp4_scale_pair(scales >> 8);
        u8* out = tile + row * kRowBytes;
        const u32 chunk = half * 4u;
        *reinterpret_cast<uint4*>(out + (((chunk + 0u) ^ (row & 7u)) << 4)) = fp4_dequant_word(words.x, scale_lo);
        *reinterpret_cast<uint4*>(out + (((chunk + 1u) ^ (row & 7u)) << 4)) = fp4_dequant_word(words.y, scale_lo);
        *reinterpret_cast<uint4*>(out + (((chunk + 2u) ^ (row & 7u)) << 4)) = fp4_dequant_word(words.z, scale_hi);
        *reinterpret_cast<uint4*>(out + (((chunk + 3u) ^ (row & 7u)) << 4)) = fp4_dequant_word(words.w, scale_hi);
    }
}

}  // namespace fic
