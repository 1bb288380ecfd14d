// Expert alignment: top-k assignments [T*k] (expert ids) -> slots grouped by expert, each expert's run padded to a
// multiple of the block size, all on the GPU (no host round trip):
//   expert_counts[e]        assignments routed to expert e
//   expert_offsets[e]       first slot of expert e (exclusive prefix sum of padded counts); [E] holds the total
//   sorted_ids[slot]        the assignment index t*k + j in that slot, or `pad` (= T*k) in padding slots
//   block_experts[b]        the expert of slot block b, or -1 past the total
//   assignment_slots[i]     the slot of assignment i (optional; -1 for ids outside [0, E))
// Within an expert, assignments keep their index order, so the result is deterministic.
//
// Three launches. Assignments are cut into chunks of 1024, one warp per chunk:
//   1. moetune_align_count:   each chunk's histogram            -> chunk_counts [chunks, E]
//   2. moetune_align_scan:    (one block) totals, padded offsets, each chunk's first slot per expert,
//                             padding and block experts         -> chunk_offsets [chunks, E]
//   3. moetune_align_scatter: each warp walks its chunk in order, ranking equal ids with __match_any_sync.
#include "moetune/types.cuh"
#include "moetune/warp.cuh"

using namespace moetune;

namespace {

constexpr int kChunk = 1024;
constexpr int kWarpsPerBlock = 4;

MOETUNE_DEVICE int chunk_count(int assignments) { return (assignments + kChunk - 1) / kChunk; }

}  // namespace

extern "C" __global__ void __launch_bounds__(kWarpsPerBlock * 32) moetune_align_count(
    const int* __restrict__ ids, int assignments, int experts, int* __restrict__ chunk_counts) {
    extern __shared__ int counts[];  // [kWarpsPerBlock][experts]
    const int warp = threadIdx.x >> 5;
    const int lane = static_cast<int>(lane_id());
    const int chunk = blockIdx.x * kWarpsPerBlock + warp;
    if (chunk >= chunk_count(assignments)) {
        return;
    }
    int* mine = counts + warp * experts;
    for (int e = lane; e < experts; e += 32) {
        mine[e] = 0;
    }
    __syncwarp();
    const int end = min(assignments, (chunk + 1) * kChunk);
    for (int i = chunk * kChunk + lane; i < end; i += 32) {
        const int id = ids[i];
        if (id >= 0 && id < experts) {
            atomicAdd(&mine[id], 1);
        }
    }
    __syncwarp();
    for (int e = lane; e < experts; e += 32) {
        chunk_counts[static_cast<i64>(chunk) * experts + e] = mine[e];
    }
}

extern "C" __global__ void __launch_bounds__(1024) moetune_align_scan(
    const int* __restrict__ chunk_counts, int assignments, int experts, int block_size, int capacity, int pad,
    int* __restrict__ chunk_offsets, int* __restrict__ expert_counts, int* __restrict__ expert_offsets,
    int* __restrict__ sorted_ids, int* __restrict__ block_experts) {
    extern __shared__ int offsets[];  // [experts + 1]: padded counts, then their exclusive prefix sums
    const int chunks = chunk_count(assignments);
    for (int e = threadIdx.x; e < experts; e += blockDim.x) {
        int count = 0;
        for (int c = 0; c < chunks; ++c) {
            count += chunk_counts[static_cast<i64>(c) * experts + e];
        }
        expert_counts[e] = count;
        offsets[e] = (count + block_size - 1) / block_size * block_size;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        int running = 0;
        for (int e = 0; e < experts; ++e) {
            const int padded = offsets[e];
            offsets[e] = running;
            running += padded;
        }
        offsets[experts] = running;
    }
    __syncthreads();
    const int total = offsets[experts];
    for (int e = threadIdx.x; e <= experts; e += blockDim.x) {
        expert_offsets[e] = offsets[e];
    }
    for (int e = threadIdx.x; e < experts; e += blockDim.x) {
        int slot = offsets[e];
        for (int c = 0; c < chunks; ++c) {
            const i64 at = static_cast<i64>(c) * experts + e;
            chunk_offsets[at] = slot;
            slot += chunk_counts[at];
        }
    }
    // Every slot starts as padding; the scatter overwrites the real ones.
    for (int s = threadIdx.x; s < capacity; s += blockDim.x) {
        sorted_ids[s] = pad;
    }
    // Block b holds slots [b * block_size, (b + 1) * block_size): its expert is the last e with offsets[e] <= b * block_size
    // (empty experts share their successor's offset, and the last such e is the non-empty one).
    const int blocks = capacity / block_size;
    for (int b = threadIdx.x; b < blocks; b += blockDim.x) {
        const int slot = b * block_size;
        int expert = -1;
        if (slot < total) {
            int lo = 0, hi = experts - 1;
            while (lo < hi) {
                const int mid = (lo + hi + 1) / 2;
                if (offsets[mid] <= slot) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            expert = lo;
        }
        block_experts[b] = expert;
    }
}

extern "C" __global__ void __launch_bounds__(kWarpsPerBlock * 32) moetune_align_scatter(
    const int* __restrict__ ids, int assignments, int experts, const int* __restrict__ chunk_offsets,
    int* __restrict__ sorted_ids, int* __restrict__ assignment_slots) {
    extern __shared__ int cursors[];  // [kWarpsPerBlock][experts]: the next free slot of each expert
    const int warp = threadIdx.x >> 5;
    const int lane = static_cast<int>(lane_id());
    const int chunk = blockIdx.x * kWarpsPerBlock + warp;
    if (chunk >= chunk_count(assignments)) {
        return;
    }
    int* cursor = cursors + warp * experts;
    for (int e = lane; e < experts; e += 32) {
        cursor[e] = chunk_offsets[static_cast<i64>(chunk) * experts + e];
    }
    __syncwarp();
    const int end = min(assignments, (chunk + 1) * kChunk);
    for (int base = chunk * kChunk; base < end; base += 32) {
        const int i = base + lane;
        const int id = i < end ? ids[i] : -1;
        const bool valid = i < end && id >= 0 && id < experts;
        // Lanes holding the same expert form one group; ranks follow lane order, i.e. assignment order.
        const u32 group = __match_any_sync(kFullWarp, valid ? id : -1);
        const int rank = __popc(group & lanes_below());
        const int start = valid ? cursor[id] : 0;
        __syncwarp();
        if (valid && lane == __ffs(group) - 1) {
            cursor[id] = start + __popc(group);
        }
        __syncwarp();
        if (valid) {
            sorted_ids[start + rank] = i;
        }
        if (assignment_slots != nullptr && i < end) {
            assignment_slots[i] = valid ? start + rank : -1;
        }
    }
}
