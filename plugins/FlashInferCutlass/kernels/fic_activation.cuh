// FlashInferCutlass: the activation functions GEMM1's epilogues apply (fused), in f32.
#pragma once
#include "fic_common.cuh"

namespace fic {

// silu(x) = x * sigmoid(x) = h + h * tanh(h) with h = x / 2: one MUFU.TANH instead of an exponential and a
// reciprocal (the epilogue is MUFU-bound). tanh.approx's error (2^-11 relative) is a quarter of h's bf16 rounding.
__device__ __forceinline__ float silu(float x) {
    const float half_x = 0.5f * x;
    float t;
    asm("tanh.approx.f32 %0, %1;" : "=f"(t) : "f"(half_x));
    return fmaf(half_x, t, half_x);
}

}  // namespace fic
