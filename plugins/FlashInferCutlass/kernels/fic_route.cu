// FlashInferCutlass routing: from the router's top-k expert ids [T, k] to the grouped GEMM's work list, on the
// device and without a host round trip, in two grid-wide launches of 1024-thread CTAs (one thread per expert for the
// scan): fic_route_count adds each CTA's expert histogram into scratch counts; fic_route_place has every CTA scan those
// counts (the same result in each; CTA 0 writes the offsets, the tile list and the padding rows), reserve a run of rows
// per expert for its slice of entries with one atomic per expert, and scatter the slice. The last CTA to finish zeroes
// the scratch, so every launch and graph replay starts from zero without a memset. It writes:
//   row_offsets[e]  first permuted row of expert e; each expert's rows padded to 64-row blocks ([E + 1])
//   tile_offsets[e] first m-tile of expert e; an m-tile is up to tile_blocks blocks (2, or 4 for the GEMMs that take
//                   NVFP4 weights as register fragments) ([E + 1])
//   tile_experts[g] the expert of m-tile g
//   row_sources[r]  the (token * k + slot) entry computed at permuted row r, or -1 for a padding row
//   entry_rows[i]   the inverse: the permuted row of entry i, or -1 for an entry whose expert id is out of range
//                   ([T * k]; the gather kernel reads each token once and writes it to its k rows)
// Rows of one expert come in the order the CTAs' reservations and shared-memory atomics hand out, which varies run to
// run; each row's result does not depend on its position, so the layer's output is still deterministic.
// An id outside [0, E) is reported once per forward (device printf) and left out of the sums.
//
// scratch (ints, zero between forwards): counts[kMaxExperts], cursors[kMaxExperts], reported, done.
#include "fic_common.cuh"

extern "C" __device__ int vprintf(const char* format, const char* arguments);

namespace fic {

constexpr int kRouteThreads = 1024;
static_assert(kRouteThreads >= kMaxExperts, "the scan gives one thread to each expert");

__device__ void report_bad_expert(int entry, int expert, int experts, int top_k) {
    struct { int token; int slot; int expert; int experts; } arguments = {entry / top_k, entry % top_k, expert, experts};
    vprintf("FlashInferCutlass: token %d slot %d names expert %d, outside [0, %d); it is left out of the output\n",
            reinterpret_cast<const char*>(&arguments));
}

constexpr int kCounts = 0;
constexpr int kCursors = kMaxExperts;
constexpr int kReported = 2 * kMaxExperts;
constexpr int kDone = 2 * kMaxExperts + 1;

// The entries CTA `block` of `blocks` handles: a contiguous slice, the same in both launches' arithmetic.
__device__ __forceinline__ void slice_of(int entries, int block, int blocks, int& begin, int& end) {
    const int per = (entries + blocks - 1) / blocks;
    begin = min(entries, block * per);
    end = min(entries, begin + per);
}

// This CTA's histogram of its slice into `local` (zeroed here); ids outside [0, E) are reported once per forward.
__device__ __forceinline__ void count_slice(const int* __restrict__ topk_ids, int begin, int end, int top_k, int experts,
                                            int* local, int* scratch) {
    for (int e = threadIdx.x; e < experts; e += kRouteThreads) local[e] = 0;
    __syncthreads();
    for (int i = begin + static_cast<int>(threadIdx.x); i < end; i += kRouteThreads) {
        const int id = __ldg(topk_ids + i);
        if (static_cast<unsigned>(id) < static_cast<unsigned>(experts)) {
            atomicAdd(&local[id], 1);
        } else if (atomicExch(&scratch[kReported], 1) == 0) {
            report_bad_expert(i, id, experts, top_k);
        }
    }
    __syncthreads();
}

__device__ __forceinline__ int warp_inclusive_scan(int value, int lane) {
#pragma unroll
    for (int offset = 1; offset < 32; offset <<= 1) {
        const int other = __shfl_up_sync(0xFFFFFFFFu, value, offset);
        if (lane >= offset) value += other;
    }
    return value;
}

}  // namespace fic

using namespace fic;

// Adds each CTA's expert histogram of its slice into scratch counts.
extern "C" __global__ void __launch_bounds__(kRouteThreads) fic_route_count(const int* topk_ids, int entries, int top_k, int experts,
                                                                            int* scratch) {
    __shared__ int local[kMaxExperts];
    int begin, end;
    slice_of(entries, blockIdx.x, gridDim.x, begin, end);
    count_slice(topk_ids, begin, end, top_k, experts, local, scratch);
    for (int e = threadIdx.x; e < experts; e += kRouteThreads) {
        if (local[e] > 0) atomicAdd(&scratch[kCounts + e], local[e]);
    }
}

extern "C" __global__ void __launch_bounds__(kRouteThreads) fic_route_place(
    const int* topk_ids, int entries, int top_k, int experts, int tile_blocks, int* row_offsets, int* tile_offsets,
    int* tile_experts, int* row_sources, int* entry_rows, int* scratch) {
    __shared__ int local[kMaxExperts];  // this CTA's count per expert, then its next row per expert
    __shared__ int warp_rows[32];
    __shared__ int warp_tiles[32];
    __shared__ int is_last;
    const int tid = threadIdx.x;
    const int lane = tid % 32;
    const int warp = tid / 32;

    // Exclusive scans of padded rows and m-tiles over experts from the complete counts, thread e holding expert e.
    const int count = tid < experts ? scratch[kCounts + tid] : 0;
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
        if (lane == 31 && blockIdx.x == 0) {
            row_offsets[experts] = row_sum;
            tile_offsets[experts] = tile_sum;
        }
    }
    __syncthreads();
    const int first_row = warp_rows[warp] + rows_inclusive - rows;
    if (tid < experts && blockIdx.x == 0) {
        const int first_tile = warp_tiles[warp] + tiles_inclusive - tiles;
        row_offsets[tid] = first_row;
        tile_offsets[tid] = first_tile;
        for (int g = first_tile; g < first_tile + tiles; ++g) tile_experts[g] = tid;
        for (int r = first_row + count; r < first_row + rows; ++r) row_sources[r] = -1;
    }

    // This CTA's slice: its own histogram, one reservation of rows per expert, then the scatter.
    int begin, end;
    slice_of(entries, blockIdx.x, gridDim.x, begin, end);
    count_slice(topk_ids, begin, end, top_k, experts, local, scratch);
    if (tid < experts && local[tid] > 0) local[tid] = first_row + atomicAdd(&scratch[kCursors + tid], local[tid]);
    __syncthreads();
    for (int i = begin + tid; i < end; i += kRouteThreads) {
        const int id = __ldg(topk_ids + i);
        if (static_cast<unsigned>(id) < static_cast<unsigned>(experts)) {
            const int row = atomicAdd(&local[id], 1);
            row_sources[row] = i;
            entry_rows[i] = row;
        } else {
            entry_rows[i] = -1;
        }
    }

    // The last CTA to finish (every CTA has read the counts and made its reservations) zeroes the scratch.
    __syncthreads();
    if (tid == 0) {
        __threadfence();
        is_last = atomicAdd(&scratch[kDone], 1) == static_cast<int>(gridDim.x) - 1;
    }
    __syncthreads();
    if (is_last) {
        __threadfence();
        for (int e = tid; e < kMaxExperts; e += kRouteThreads) {
            scratch[kCounts + e] = 0;
            scratch[kCursors + e] = 0;
        }
        if (tid == 0) {
            scratch[kReported] = 0;
            scratch[kDone] = 0;
        }
    }
}
