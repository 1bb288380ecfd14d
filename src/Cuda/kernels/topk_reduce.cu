// Weighted top-k reduction: out[t, :] = sum over j < k of w[t, j] * y[row(t, j), :], bf16 in and out.
// Deterministic: each element accumulates in f32 with fused multiply-adds in slot order j = 0, 1, ..., k-1, then rounds
// to bf16 once (round to nearest even). row(t, j) is rows[t*k + j] when `rows` is given (expert outputs kept in
// aligned slot order; a negative row is skipped), else t*k + j. A null `weights` means weight 1.
// Each thread handles 8 consecutive elements (one 16-byte load per slot): hidden % 8 == 0 and 16-byte aligned rows.
#include "moetune/types.cuh"
#include "moetune/bf16.cuh"

using namespace moetune;

extern "C" __global__ void __launch_bounds__(128) moetune_topk_reduce_bf16(
    const u16* __restrict__ expert_outputs,  // [rows, hidden]
    const float* __restrict__ weights,       // [tokens * top_k], or null
    const int* __restrict__ rows,            // [tokens * top_k], or null
    int tokens, int top_k, int hidden,
    u16* __restrict__ out) {                 // [tokens, hidden]
    const int token = blockIdx.x;
    const int column = (blockIdx.y * blockDim.x + threadIdx.x) * 8;
    if (token >= tokens || column >= hidden) {
        return;
    }
    float acc[8];
#pragma unroll
    for (int i = 0; i < 8; ++i) {
        acc[i] = 0.0f;
    }
    for (int j = 0; j < top_k; ++j) {
        const i64 assignment = static_cast<i64>(token) * top_k + j;
        const i64 row = rows != nullptr ? rows[assignment] : assignment;
        if (row < 0) {
            continue;
        }
        const float w = weights != nullptr ? weights[assignment] : 1.0f;
        const uint4 v = *reinterpret_cast<const uint4*>(expert_outputs + row * hidden + column);
        const u32 words[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            acc[2 * i] = __fmaf_rn(w, bf16x2_lo(words[i]), acc[2 * i]);
            acc[2 * i + 1] = __fmaf_rn(w, bf16x2_hi(words[i]), acc[2 * i + 1]);
        }
    }
    uint4 packed;
    packed.x = pack_bf16x2(acc[0], acc[1]);
    packed.y = pack_bf16x2(acc[2], acc[3]);
    packed.z = pack_bf16x2(acc[4], acc[5]);
    packed.w = pack_bf16x2(acc[6], acc[7]);
    *reinterpret_cast<uint4*>(out + static_cast<i64>(token) * hidden + column) = packed;
}
