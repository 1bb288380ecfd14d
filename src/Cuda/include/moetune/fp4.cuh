// FP4 E2M1 elements and their block scales (DESIGN.md "Number formats"), decoded by bit arithmetic.
#pragma once
#include "moetune/types.cuh"

namespace moetune {

// E2M1 code (low 4 bits) -> bf16 bits. Codes 0..7: 0, 0.5, 1, 1.5, 2, 3, 4, 6; bit 3 is the sign.
// For exponent e > 0 the value is 2^(e-1) * (1 + m/2), i.e. bf16 exponent e + 126 and mantissa m << 6;
// e = 0 is zero or 0.5 (bf16 0x3f00). Exact: every E2M1 value is a bf16.
MOETUNE_DEVICE u32 e2m1_to_bf16_bits(u32 code) {
    const u32 exponent = (code >> 1) & 0x3u;
    const u32 mantissa = code & 0x1u;
    const u32 magnitude = exponent != 0 ? (((exponent + 126u) << 7) | (mantissa << 6)) : (mantissa ? 0x3f00u : 0u);
    return ((code & 0x8u) << 12) | magnitude;
}

MOETUNE_DEVICE float e2m1_to_float(u32 code) { return __uint_as_float(e2m1_to_bf16_bits(code) << 16); }

// Two E2M1 codes of one byte (even element in the low nibble) -> one bf16x2 word (even element in the low half).
MOETUNE_DEVICE u32 e2m1x2_to_bf16x2(u32 byte) {
    return e2m1_to_bf16_bits(byte & 0xfu) | (e2m1_to_bf16_bits((byte >> 4) & 0xfu) << 16);
}

// MXFP4's E8M0 block scale: 2^(e - 127); e = 255 is NaN, e = 0 is 2^-127 (an f32 subnormal).
MOETUNE_DEVICE float e8m0_to_float(u32 code) {
    code &= 0xffu;
    if (code == 0xffu) {
        return MOETUNE_NAN;
    }
    return __uint_as_float(code == 0 ? 0x00400000u : (code << 23));
}

}  // namespace moetune
