// FlashInferCutlass: the grouped GEMM's work list. The routing kernel pads each expert's rows to 64-row blocks and
// cuts them into m-tiles of up to two blocks (128 rows); one work item is one (m-tile, n-tile) pair. Items are
// numbered expert by expert; inside an expert, groups of kScheduleGroup m-tiles walk all n-tiles, m fastest, so
// that CTAs running side by side share one weight tile in L2. WorkSchedule.cs mirrors this decode for CPU tests.
#pragma once
#include "fic_common.cuh"

namespace fic {

struct WorkTile {
    int expert;
    int first_block;  // first 64-row block of the tile in the permuted activations
    int blocks;       // 1 or 2 blocks (the second consumer warpgroup idles on a 1-block tile)
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
    const int first_row = row_offsets[expert] + m_local * kTileRows;
    WorkTile tile;
    tile.expert = expert;
    tile.first_block = first_row / kBlockRows;
    tile.blocks = row_offsets[expert + 1] - first_row >= kTileRows ? 2 : 1;
    tile.n_tile = within / group_size;
    return tile;
}

}  // namespace fic
