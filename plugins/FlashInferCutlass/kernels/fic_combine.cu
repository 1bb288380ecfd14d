// FlashInferCutlass combine: out[t] = sum over slots j = 0..k-1, in that order, of the weighted expert outputs
// partial[t * k + j] (bf16), accumulated in f32 and rounded once to bf16. The fixed order makes the layer
// deterministic (no float atomics anywhere). Slots whose expert id is out of range were never computed and are
// skipped (the routing kernel reports them). 8 columns (16 bytes) per thread, grid-stride.
#include "fic_common.cuh"

using namespace fic;

extern "C" __global__ void __launch_bounds__(256) fic_combine(
    const u16* partials, const int* topk_ids, int tokens, int top_k, int hidden_size, int experts, u16* out) {
    const int chunks = hidden_size / 8;
    const long long total = static_cast<long long>(tokens) * chunks;
    for (long long index = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; index < total;
         index += static_cast<long long>(gridDim.x) * blockDim.x) {
        const int token = static_cast<int>(index / chunks);
        const int chunk = static_cast<int>(index % chunks);
        float sum[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
        for (int slot = 0; slot < top_k; ++slot) {
            const int entry = token * top_k + slot;
            if (static_cast<unsigned>(topk_ids[entry]) >= static_cast<unsigned>(experts)) continue;
            const uint4 v = *reinterpret_cast<const uint4*>(partials + static_cast<size_t>(entry) * hidden_size + chunk * 8);
            sum[0] += bf16x2_lo(v.x); sum[1] += bf16x2_hi(v.x);
            sum[2] += bf16x2_lo(v.y); sum[3] += bf16x2_hi(v.y);
            sum[4] += bf16x2_lo(v.z); sum[5] += bf16x2_hi(v.z);
            sum[6] += bf16x2_lo(v.w); sum[7] += bf16x2_hi(v.w);
        }
        uint4 packed;
        packed.x = pack_bf16x2(sum[0], sum[1]);
        packed.y = pack_bf16x2(sum[2], sum[3]);
        packed.z = pack_bf16x2(sum[4], sum[5]);
        packed.w = pack_bf16x2(sum[6], sum[7]);
        *reinterpret_cast<uint4*>(out + static_cast<size_t>(token) * hidden_size + chunk * 8) = packed;
    }
}
