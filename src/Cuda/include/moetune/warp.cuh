// Warp-wide reductions over all 32 lanes (every lane must take part), in a fixed butterfly order so that results
// are deterministic.
#pragma once
#include "moetune/types.cuh"

namespace moetune {

constexpr u32 kFullWarp = 0xffffffffu;

MOETUNE_DEVICE float warp_sum(float value) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) {
        value += __shfl_xor_sync(kFullWarp, value, offset);
    }
    return value;
}

MOETUNE_DEVICE float warp_max(float value) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) {
        value = fmaxf(value, __shfl_xor_sync(kFullWarp, value, offset));
    }
    return value;
}

MOETUNE_DEVICE unsigned lane_id() { return threadIdx.x & 31u; }

// Lanes below this one, for ranking lanes within a match group.
MOETUNE_DEVICE u32 lanes_below() { return (1u << lane_id()) - 1u; }

}  // namespace moetune
