// bfloat16 as raw bits (u16): conversions through PTX, no <cuda_bf16.h>.
#pragma once
#include "moetune/types.cuh"

namespace moetune {

// bf16 -> f32 is exact: the bf16 bits are the top half of the f32.
MOETUNE_DEVICE float bf16_to_float(u16 bits) { return __uint_as_float(static_cast<u32>(bits) << 16); }

// f32 -> bf16, round to nearest even (NaN stays NaN), sm_80+.
MOETUNE_DEVICE u16 float_to_bf16(float value) {
    u16 bits;
    asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(bits) : "f"(value));
    return bits;
}

// Two f32 -> one bf16x2 word: lo in bits 0..15, hi in bits 16..31 (the PTX instruction takes hi first).
MOETUNE_DEVICE u32 pack_bf16x2(float lo, float hi) {
    u32 bits;
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(bits) : "f"(hi), "f"(lo));
    return bits;
}

MOETUNE_DEVICE float bf16x2_lo(u32 pair) { return __uint_as_float(pair << 16); }

MOETUNE_DEVICE float bf16x2_hi(u32 pair) { return __uint_as_float(pair & 0xffff0000u); }

}  // namespace moetune
