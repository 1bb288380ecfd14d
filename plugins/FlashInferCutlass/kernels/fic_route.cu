// FlashInferCutlass routing: from the router's top-k expert ids [T, k] to the grouped GEMM's work list, on the
// device and without a host round trip. One CTA of 1024 threads (one thread per expert for the scan):
//   row_offsets[e]  first permuted row of expert e; each expert's rows padded to 64-row blocks ([E + 1])
//   tile_offsets[e] first m-tile of expert e; an m-tile is up to tile_blocks blocks (2, or 4 for the GEMMs that take
//                   NVFP4 weights as register fragments) ([E + 1])
//   tile_experts[g] the expert of m-tile g
//   row_sources[r]  the (token * k + slot) entry computed at permuted row r, or -1 for a padding row
//   entry_rows[i]   the inverse: the permuted row of entry i, or -1 for an entry whose expert id is out of range
//                   ([T * k]; the gather kernel reads each token once and writes it to its k rows)
// Rows of one expert come in arrival order of shared-memory atomics, so their order within the expert varies run
// to run; each row's result does not depend on its position, so the layer's output is still deterministic.
// An id outside [0, E) is reported once per launch (device printf) and left out of the sums.
#include "fic_common.cuh"

extern "C" __device__ int vprintf(const char* format, const char* arguments);

namespace fic {

constexpr int kRouteThreads = 1024;
static_assert(kRouteThreads >= kMaxExperts, "the scan gives one thread to each expert");

// Ids each thread loads before using any: one CTA walks all T * k entries twice, so it must keep many loads in flight.
constexpr int kBatch = 8;

// Entries first, first + 1024, ... (kBatch of them) into `ids`; entries past the end read as -1.
__device__ __forceinline__ void load_batch(const int* __restrict__ topk_ids, int entries, int first, int (&ids)[kBatch]) {
#pragma unroll
    for (int b = 0; b < kBatch; ++b) {
        const int i = first + b * kRouteThreads;
        ids[b] = i < entries ? __ldg(topk_ids + i) : -1;
    }
}

__device__ __forceinline__ int warp_inclusive_scan(int value, int lane) {
#pragma unroll
    for (int offset = 1; offset < 32; offset <<= 1) {
        const int other = __shfl_up_sync(0xFFFFFFFFu, value, offset);
        if (lane >= offset) value += other;
    }
    return value;
}

__device__ void report_bad_expert(int entry, int expert, int experts, int top_k) {
    struct { int token; int slot; int expert; int experts; } arguments = {entry / top_k, entry % top_k, expert, experts};
    vprintf("FlashInferCutlass: token %d slot %d names expert %d, outside [0, %d); it is left out of the output\n",
            reinterpret_cast<const char*>(&arguments));
}

}  // namespace fic

using namespace fic;

extern "C" __global__ void __launch_bounds__(kRouteThreads) fic_route(
    const int* topk_ids, int entries, int top_k, int experts, int tile_blocks, int* row_offsets, int* tile_offsets,
    int* tile_experts, int* row_sources, int* entry_rows) {
    __shared__ int counts[kMaxExperts];
    __shared__ int cursors[kMaxExperts];
    __shared__ int warp_rows[32];
    __shared__ int warp_tiles[32];
    __shared__ int reported;
    const int tid = threadIdx.x;
    const int lane = tid % 32;
    const int warp = tid / 32;

    counts[tid] = 0;
    if (tid == 0) reported = 0;
    __syncthreads();
    for (int first = tid; first < entries; first += kBatch * kRouteThreads) {
        int ids[kBatch];
        load_batch(topk_ids, entries, first, ids);
#pragma unroll
        for (int b = 0; b < kBatch; ++b) {
            const int i = first + b * kRouteThreads;
            if (i >= entries) break;
            if (static_cast<unsigned>(ids[b]) < static_cast<unsigned>(experts)) {
                atomicAdd(&counts[ids[b]], 1);
            } else if (atomicExch(&reported, 1) == 0) {
                report_bad_expert(i, ids[b], experts, top_k);
            }
        }
    }
    __syncthreads();

    // Exclusive scans of padded rows and m-tiles over experts, thread e holding expert e.
    const int count = tid < experts ? counts[tid] : 0;
    const int rows = (count + kBlockRows - 1) / kBlockRows * kBlockRows;
    const int tiles = (rows / kBlockRows + tile_blocks - 1) / tile_blocks;
    const int rows_inclusive = warp_inclusive_scan(rows, lane);
    const int tiles_inclusive = warp_inclusive_scan(tiles, lane);
    if (lane == 31) {
        warp_rows[warp] = rows_inclusive;
        warp_tiles[warp] = tiles_inclusive;
    }
    __syncthreads();
    if (warp == 0) {
        const int row_sum = warp_inclusive_scan(warp_rows[lane], lane);
        const int tile_sum = warp_inclusive_scan(warp_tiles[lane], lane);
        warp_rows[lane] = row_sum - warp_rows[lane];  // rows before this warp's experts
        warp_tiles[lane] = tile_sum - warp_tiles[lane];
        if (lane == 31) {
            row_offsets[experts] = row_sum;
            tile_offsets[experts] = tile_sum;
        }
    }
    __syncthreads();
    if (tid < experts) {
        const int first_row = warp_rows[warp] + rows_inclusive - rows;
        const int first_tile = warp_tiles[warp] + tiles_inclusive - tiles;
        row_offsets[tid] = first_row;
        tile_offsets[tid] = first_tile;
        cursors[tid] = first_row;
        for (int g = first_tile; g < first_tile + tiles; ++g) tile_experts[g] = tid;
        for (int r = first_row + count; r < first_row + rows; ++r) row_sources[r] = -1;
    }
    __syncthreads();

    for (int first = tid; first < entries; first += kBatch * kRouteThreads) {
        int ids[kBatch];
        load_batch(topk_ids, entries, first, ids);
#pragma unroll
        for (int b = 0; b < kBatch; ++b) {
            const int i = first + b * kRouteThreads;
            if (i >= entries) break;
            if (static_cast<unsigned>(ids[b]) < static_cast<unsigned>(experts)) {
                const int row = atomicAdd(&cursors[ids[b]], 1);
                row_sources[row] = i;
                entry_rows[i] = row;
            } else {
                entry_rows[i] = -1;
            }
        }
    }
}
