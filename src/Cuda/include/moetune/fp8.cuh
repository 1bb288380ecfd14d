// FP8 E4M3 ("fn": bias 7, max 448, no infinities, NaN = S.1111.111) as raw bits.
#pragma once
#include "moetune/types.cuh"

namespace moetune {

// E4M3 -> f32, exact. Subnormals are m * 2^-9; 0x7f / 0xff are NaN.
MOETUNE_DEVICE float e4m3_to_float(u32 code) {
    const u32 sign = (code & 0x80u) << 24;
    const u32 exponent = (code >> 3) & 0xfu;
    const u32 mantissa = code & 0x7u;
    if (exponent == 0xfu && mantissa == 0x7u) {
        return MOETUNE_NAN;
    }
    if (exponent == 0) {
        const float magnitude = static_cast<float>(mantissa) * 0.001953125f;  // m * 2^-9, exact in f32
        return sign ? -magnitude : magnitude;
    }
    return __uint_as_float(sign | ((exponent + 120u) << 23) | (mantissa << 20));
}

// f32 -> E4M3, round to nearest even, saturating to +-448 (NaN stays NaN). Hardware conversion on sm_89+.
MOETUNE_DEVICE u32 float_to_e4m3(float value) {
#if __CUDA_ARCH__ >= 890
    u16 pair;
    asm("cvt.rn.satfinite.e4m3x2.f32 %0, %1, %2;" : "=h"(pair) : "f"(0.0f), "f"(value));
    return pair & 0xffu;
#else
    const u32 bits = __float_as_uint(value);
    const u32 sign = (bits >> 24) & 0x80u;
    const float magnitude = fabsf(value);
    if (magnitude != magnitude) {
        return sign | 0x7fu;
    }
    if (magnitude >= 448.0f) {
        return sign | 0x7eu;
    }
    if (magnitude < 0.015625f) {
        // Subnormal range: a multiple of 2^-9; 8 * 2^-9 rounds up into the smallest normal (code 0x08).
        return sign | static_cast<u32>(__float2int_rn(magnitude * 512.0f));
    }
    const u32 m = __float_as_uint(magnitude);
    const u32 rounded = (m + 0x7ffffu + ((m >> 20) & 1u)) & 0xfff00000u;  // keep 3 mantissa bits, ties to even
    const u32 exponent = (rounded >> 23) - 120u;                            // f32 bias 127 -> e4m3 bias 7
    return sign | (exponent << 3) | ((rounded >> 20) & 0x7u);
#endif
}

}  // namespace moetune
