// FlashInferCutlass: the grouped GEMM's work list and how CTAs take items from it. The routing kernel pads each
// expert's rows to 64-row blocks and cuts them into m-tiles of up to kTileBlocks blocks; one work item is one
// (m-tile, n-tile) pair. Items are numbered expert by expert; inside an expert, groups of kScheduleGroup m-tiles (1024
// rows) walk all n-tiles, m fastest, so that CTAs running side by side share one weight tile in L2.
// WorkScheduleModel.cs mirrors the decode for the CPU tests.
#pragma once
#include "fic_form.cuh"

namespace fic {

struct WorkTile {
    int expert;
    int first_block;  // first 64-row block of the tile in the permuted rows
    int blocks;       // 1 .. kTileBlocks
    int n_tile;
};

// tile_offsets[e]: m-tiles before expert e ([E+1]); tile_experts[g]: expert of m-tile g; row_offsets[e]: first
// permuted row of expert e ([E+1], multiples of 64). Work items of expert e are [tile_offsets[e], tile_offsets[e+1])
// x n_tiles, so item w belongs to the expert of m-tile w / n_tiles.
__device__ __forceinline__ WorkTile decode_work(int item, int n_tiles, const int* tile_offsets, const int* tile_experts,
                                                const int* row_offsets) {
    const int expert = tile_experts[item / n_tiles];
    const int base = tile_offsets[expert];
    const int count = tile_offsets[expert + 1] - base;
    const int local = item - base * n_tiles;
    const int group = local / (kScheduleGroup * n_tiles);
    const int group_size = min(kScheduleGroup, count - group * kScheduleGroup);
    const int within = local - group * kScheduleGroup * n_tiles;
    const int m_local = group * kScheduleGroup + within % group_size;
    const int first_row = row_offsets[expert] + m_local * kTileTokenRows;
    WorkTile tile;
    tile.expert = expert;
    tile.first_block = first_row / kBlockRows;
    tile.blocks = min(kTileBlocks, (row_offsets[expert + 1] - first_row) / kBlockRows);
    tile.n_tile = within / group_size;
    return tile;
}

// Hands work items to one CTA, in list order across the grid: CTA b takes item b first, then whatever a global counter
// hands out next. Items then start in list order whatever each tile costs (one-block tiles are faster), so the CTAs
// sharing a weight tile in L2 stay within a fraction of a tile of each other instead of drifting apart over the
// launch (the static stride of the first version lost 20-50 % on qwen3 and deepseek that way).
// counters[0] counts items handed out past the first G, counters[1] CTAs finished; both are zero at launch, and the
// last CTA to finish zeroes them again, so every launch (graph replays included) starts from zero without a memset.
struct WorkQueue {
    int* counters;
    int total;

    __device__ __forceinline__ int first() const { return static_cast<int>(blockIdx.x); }

    __device__ __forceinline__ int next() const { return static_cast<int>(gridDim.x) + atomicAdd(&counters[0], 1); }

    // Pairs (fic_producer.cuh): the first CTA of each cluster takes every pair, the first one too, from the counter.
    __device__ __forceinline__ int take() const { return atomicAdd(&counters[0], 1); }

    // Called once per taker (per CTA; with pairs, per cluster) after its last next() or take(): no CTA of this launch
    // reads the counters afterwards.
    __device__ __forceinline__ void finish() const {
        __threadfence();
        const int takers = static_cast<int>(gridDim.x) / (kPairs ? 2 : 1);
        if (atomicAdd(&counters[1], 1) == takers - 1) {
            __threadfence();
            atomicExch(&counters[0], 0);
            atomicExch(&counters[1], 0);
        }
    }
};

}  // namespace fic
