// Marlin backend: device helpers shared by the decode and prefill kernels, on top of the shared headers
// (moetune/*.cuh: bf16 bits, cp.async, mma). What is here is Marlin's own: the weight record layout, the in-register
// FP4 decode that matches it, and a few loads and activations. Runs on SM 8.0 and newer; nothing needs sm_90a.
#pragma once

#include "moetune/bf16.cuh"
#include "moetune/cp_async.cuh"
#include "moetune/mma.cuh"

using moetune::u16;
using moetune::u32;
using moetune::u64;
using moetune::u8;

#define MARLIN_DEVICE __device__ __forceinline__

// ---------------------------------------------------------------------------------------------------------------
// Weight record layout (the C# side, Layout/FragmentLayout.cs, writes exactly this; its tests model every index).
//
// A matrix [N, K] is cut into row tiles of 16 "MMA rows" and K chunks of 64. Record (tile, chunk) lives at byte
// ((tile * chunks) + chunk) * record_bytes and holds:
//   bytes [0, 512): lane L = 4 g + t owns bytes [16 L, 16 L + 16) = four u32 words, word j for MMA k-step j.
//     Nibble n of word j holds the E2M1 code of MMA row g + 8 (r & 1), physical k = 64 chunk + 16 t + 4 j + 2 (r >> 1) + h
//     with r = 3 - (n & 3) (the A-fragment register it feeds) and h = n >> 2 (low or high bf16 of that register).
//   bytes [512, 512 + 64) for NVFP4: byte 16 t + 2 g + s = scale of MMA row g + 8 s for 16-element block t of the chunk.
//   bytes [512, 512 + 32) for MXFP4: byte 16 b + 2 g + s = scale of MMA row g + 8 s for 32-element block b.
// Physical k is permuted inside a chunk so that thread t's sixteen k of the chunk (16 t .. 16 t + 15) are contiguous
// in the activations (two 16-byte loads) and fall in one NVFP4 block (so one scale per row per chunk). The same
// permutation applies to A and B, so the dot product is unchanged.
// ---------------------------------------------------------------------------------------------------------------
#define MARLIN_CHUNK_K 64
#define MARLIN_TILE_ROWS 16
#define MARLIN_DATA_BYTES 512
#define MARLIN_FORMAT_NVFP4 0
#define MARLIN_FORMAT_MXFP4 1

#define MARLIN_ACT_SWIGLU 0
#define MARLIN_ACT_RELU2 1
#define MARLIN_ACT_SWIGLU_CLAMPED 2

// ---------------------------------------------------------------------------------------------------------------
// FP4 -> bf16 in registers.
// E2M1 code s e1 e0 m placed as bf16 bits s at 15, e1 e0 at 8..7 (the low exponent bits), m at 6 reads as
// e2m1 * 2^-126 for every code (e = 0 gives the bf16 subnormal 0.5 * 2^-126, exactly as E2M1's own subnormal).
// The 2^-126 is folded into the block scale below.
// ---------------------------------------------------------------------------------------------------------------

// A-fragment register r (0..3) of one k-step from the packed word q: nibble 3 - r in the low bf16, 7 - r in the high.
MARLIN_DEVICE u32 fp4_pair_to_bf16x2(u32 q, int r)
{
    const u32 s = q << (4 * r);
    return (s & 0x80008000u) | ((s >> 6) & 0x01C001C0u);
}

// Exact bf16x2 product a * b (both halves); -0 as the addend keeps fma's rounding out of an exact product.
MARLIN_DEVICE u32 bf16x2_mul(u32 a, u32 b)
{
    u32 d;
    asm("fma.rn.bf16x2 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(0x80008000u));
    return d;
}

// Scale byte (transcoded on the host) -> bf16 broadcast into both halves.
//   NVFP4: byte = (E + 9) << 3 | m for the E4M3 value 2^E (1 + m/8); (byte << 4) | 0x7000 is that value * 2^106.
//          Times the FP4 decode (* 2^-126) the product is e2m1 * e4m3 * 2^-20, exact; the epilogue restores 2^20.
//   MXFP4: byte = e + offset (per matrix); byte << 7 is 2^(byte - 127); the epilogue restores the offset.
MARLIN_DEVICE u32 scale_byte_to_bf16x2(u32 byte, int format)
{
    const u32 dup = byte | (byte << 16);
    return format == MARLIN_FORMAT_NVFP4 ? ((dup << 4) | 0x70007000u) : (dup << 7);
}

// Decodes k-step j's word of a lane's record slice into the four A registers, scaled per row (lo: row g, hi: g + 8).
MARLIN_DEVICE void decode_a_fragment(u32 word, u32 scale_row_lo, u32 scale_row_hi, u32 (&a)[4])
{
    a[0] = bf16x2_mul(fp4_pair_to_bf16x2(word, 0), scale_row_lo);
    a[1] = bf16x2_mul(fp4_pair_to_bf16x2(word, 1), scale_row_hi);
    a[2] = bf16x2_mul(fp4_pair_to_bf16x2(word, 2), scale_row_lo);
    a[3] = bf16x2_mul(fp4_pair_to_bf16x2(word, 3), scale_row_hi);
}

// One m16n8k16 step with the B fragment's two words given apart (they come from different halves of a 16-byte load).
MARLIN_DEVICE void mma_step(float (&d)[4], const u32 (&a)[4], u32 b0, u32 b1)
{
    const u32 b[2] = {b0, b1};
    moetune::mma_m16n8k16_bf16(d, a, b);
}

// Offset of this lane's two scale bytes (rows g and g + 8) inside a record.
MARLIN_DEVICE int scale_offset(int format, int g, int t)
{
    return MARLIN_DATA_BYTES + (format == MARLIN_FORMAT_NVFP4 ? 16 * t : 16 * (t >> 1)) + 2 * g;
}

// ---------------------------------------------------------------------------------------------------------------
// Loads. Shared-memory reads are asm volatile so that they stay after the cp.async waits that guard them.
// ---------------------------------------------------------------------------------------------------------------

MARLIN_DEVICE uint4 lds128(const void* shared)
{
    uint4 v;
    asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                 : "r"(moetune::shared_address(shared)));
    return v;
}

MARLIN_DEVICE u32 lds16(const void* shared)
{
    u16 v;
    asm volatile("ld.shared.u16 %0, [%1];" : "=h"(v) : "r"(moetune::shared_address(shared)));
    return v;
}

// 16 bytes from L2, ignoring (possibly stale) L1 lines: for data other CTAs wrote in this kernel.
MARLIN_DEVICE float4 ld_cg_f32x4(const float* pointer)
{
    float4 v;
    asm volatile("ld.global.cg.v4.f32 {%0, %1, %2, %3}, [%4];" : "=f"(v.x), "=f"(v.y), "=f"(v.z), "=f"(v.w) : "l"(pointer));
    return v;
}

MARLIN_DEVICE u32 ld_acquire_u32(const u32* pointer)
{
    u32 v;
    asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(v) : "l"(pointer) : "memory");
    return v;
}

MARLIN_DEVICE void nanosleep_ns(u32 ns) { asm volatile("nanosleep.u32 %0;" ::"r"(ns)); }

// ---------------------------------------------------------------------------------------------------------------
// Activations between the GEMMs (fp32, as the reference's float64 formulas; the result is rounded to bf16 once).
// ---------------------------------------------------------------------------------------------------------------

// Gated activations; gate and up already include their biases.
MARLIN_DEVICE float gated_activation(int act, float gate, float up)
{
    if (act == MARLIN_ACT_SWIGLU_CLAMPED)
    {
        // gpt-oss: g = min(gate, 7), u = clamp(up, -7, 7), g * sigmoid(1.702 g) * (u + 1).
        const float g = fminf(gate, 7.0f);
        const float u = fminf(fmaxf(up, -7.0f), 7.0f);
        return g / (1.0f + __expf(-1.702f * g)) * (u + 1.0f);
    }

    return gate / (1.0f + __expf(-gate)) * up;
}

MARLIN_DEVICE float relu_squared(float x)
{
    const float r = fmaxf(x, 0.0f);
    return r * r;
}
