// FlashInferCutlass: the fused epilogues of the tile forms (tokens x weights), run by each consumer warpgroup on its
// 64 x 256 accumulator.
//
// Thread t of the warpgroup (warp w = t / 32, lane l, quad position q = l % 4) holds rows 16w + l/4 + 8h (h < 2) and
// accumulator columns 8j + 2q + c (j < 32, c < 2) in acc[4j + 2h + c]. The host stores each weight tile's rows in the
// order that makes those columns useful: accumulator column 32g + 8i + 2q + c (j = 4g + i) is output column
// 32g + 8q + 2i + c, i.e. the two-bit fields i and q swap (WeightRowMap.TileColumn). A thread then holds, for each
// group g and row, the 8 consecutive output columns 32g + 8q .. 32g + 8q + 7: one 16-byte store, and the four threads
// of a quad write 64 contiguous bytes of a row.
//
// Per-tile values the epilogue needs (the expert's global scale, GEMM2's row sources and router weights) are loaded
// when the tile starts (EpilogueInputs), so their latency hides behind the main loop.
#pragma once
#include "fic_activation.cuh"
#include "fic_gemm_args.cuh"
#include "fic_fp4.cuh"
#include "fic_pipeline.cuh"
#include "fic_schedule.cuh"

namespace fic {

struct EpilogueInputs {
    float scale;  // the expert's global scale (x 2^8 for NVFP4, see fic_fp4.cuh)
#if FIC_EPILOGUE == 3
    int source[2];    // the (token * k + slot) entry of each of this thread's two rows, or -1 for padding
    float weight[2];  // router weight of each row
#endif
};

// This thread's first row in its 64-row block and its position in the quad.
__device__ __forceinline__ int fragment_row() { return (threadIdx.x % 128) / 32 * 16 + (threadIdx.x % 32) / 4; }
__device__ __forceinline__ int fragment_quad() { return threadIdx.x % 4; }

// Issued when a tile starts; values are used only in the epilogue. An idle consumer (the missing half of a one-block
// tile, whose block may lie past the last row) loads nothing.
__device__ __forceinline__ EpilogueInputs epilogue_loads(const GemmArgs& args, const WorkTile& tile, int block, bool active) {
    EpilogueInputs in{};
    if (!active) return in;
    in.scale = args.expert_scales[tile.expert] * (kFp4 ? kFp4DequantCompensation : 1.0f);
#if FIC_EPILOGUE == 3
    const int row = block * kBlockRows + fragment_row();
    in.source[0] = args.row_sources[row];
    in.source[1] = args.row_sources[row + 8];
#else
    (void)block;
#endif
    return in;
}

// The loads that depend on epilogue_loads' results, issued once the tile's first wgmma is under way. Nothing uses
// them before the epilogue, so the warp does not wait for them here (a padding row reads entry 0's weight, unused).
__device__ __forceinline__ void epilogue_dependent_loads(const GemmArgs& args, EpilogueInputs& in) {
#if FIC_EPILOGUE == 3
#pragma unroll
    for (int h = 0; h < 2; ++h) in.weight[h] = args.route_weights[max(in.source[h], 0)];
#else
    (void)args;
    (void)in;
#endif
}

#if FIC_EPILOGUE == 1 || FIC_EPILOGUE == 2
// Writes h into the tiled intermediate (the A operand of GEMM2) at 64-row block `block`.
__device__ __forceinline__ void store_intermediate(const GemmArgs& args, const WorkTile& tile, int block,
                                                   const EpilogueInputs& in, const float (&acc)[128]) {
#if FIC_EPILOGUE == 1
    // W13 tiles hold 128 gate rows, then the 128 matching up rows: accumulator columns j and j + 128 pair up.
    constexpr int kGroups = 4;
    const int first_column = tile.n_tile * (kTileCols / 2);
#else
    constexpr int kGroups = 8;
    const int first_column = tile.n_tile * kTileCols;
#endif
    const u32 row0 = static_cast<u32>(fragment_row());
    const int quad = fragment_quad();
    u8* out = args.out + static_cast<size_t>(block) * args.out_cols * kABlockBytes;
#pragma unroll
    for (int g = 0; g < kGroups; ++g) {
        const int column = first_column + 32 * g + 8 * quad;
        u8* block_kb = out + static_cast<size_t>(column / kTileK) * kABlockBytes;
        const u32 chunk = static_cast<u32>((column % kTileK) / 8);
#pragma unroll
        for (int h = 0; h < 2; ++h) {
            u32 packed[4];
#pragma unroll
            for (int i = 0; i < 4; ++i) {
                const int j = 4 * g + i;
#if FIC_EPILOGUE == 1
                const float g0 = acc[4 * j + 2 * h] * in.scale, g1 = acc[4 * j + 2 * h + 1] * in.scale;
                const float u0 = acc[4 * (j + 16) + 2 * h] * in.scale, u1 = acc[4 * (j + 16) + 2 * h + 1] * in.scale;
                packed[i] = pack_bf16x2(silu(g0) * u0, silu(g1) * u1);
#else
                const float x0 = fmaxf(acc[4 * j + 2 * h] * in.scale, 0.0f), x1 = fmaxf(acc[4 * j + 2 * h + 1] * in.scale, 0.0f);
                packed[i] = pack_bf16x2(x0 * x0, x1 * x1);
#endif
            }
            *reinterpret_cast<uint4*>(block_kb + swizzled_offset(row0 + 8u * h, chunk)) =
                make_uint4(packed[0], packed[1], packed[2], packed[3]);
        }
    }
}
#else
// Multiplies each row by its router weight and writes it to its (token, slot) row of the partials.
__device__ __forceinline__ void store_weighted(const GemmArgs& args, const WorkTile& tile, const EpilogueInputs& in,
                                               const float (&acc)[128]) {
    const int first_column = tile.n_tile * kTileCols + 8 * fragment_quad();
#pragma unroll
    for (int h = 0; h < 2; ++h) {
        if (in.source[h] < 0) continue;
        const float weight = in.weight[h] * in.scale;
        u16* out = reinterpret_cast<u16*>(args.out) + static_cast<size_t>(in.source[h]) * args.out_cols;
#pragma unroll
        for (int g = 0; g < 8; ++g) {
            const int column = first_column + 32 * g;
            if (column >= args.out_cols) continue;  // H is a multiple of 8: a chunk is wholly in or out
            u32 packed[4];
#pragma unroll
            for (int i = 0; i < 4; ++i) {
                const int j = 4 * g + i;
                packed[i] = pack_bf16x2(acc[4 * j + 2 * h] * weight, acc[4 * j + 2 * h + 1] * weight);
            }
            *reinterpret_cast<uint4*>(out + column) = make_uint4(packed[0], packed[1], packed[2], packed[3]);
        }
    }
}
#endif

__device__ __forceinline__ void run_epilogue(const GemmArgs& args, const WorkTile& tile, int block,
                                             const EpilogueInputs& in, const float (&acc)[128]) {
#if FIC_EPILOGUE == 3
    (void)block;
    store_weighted(args, tile, in, acc);
#else
    store_intermediate(args, tile, block, in, acc);
#endif
}

}  // namespace fic
