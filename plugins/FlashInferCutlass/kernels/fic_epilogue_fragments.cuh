// FlashInferCutlass: the epilogues of the Fragments form. Each consumer warpgroup holds a 64 x N accumulator whose rows
// are weight rows and whose columns are tokens: thread t (warp w, lane l = 4g + q) has rows 16w + g + 8h (h < 2) of its
// warpgroup's 64 and tokens 8j + 2q + c (j < N / 8, c < 2) in acc[4j + 2h + c]. For each j and h that is one 8 x 8
// matrix in the mma fragment layout (rows g, columns the tile's tokens 8j .. 8j + 7), which stmatrix .trans stores as
// eight 16-byte token rows of 8 consecutive output columns into a staging tile laid out like the output. After a
// barrier of the 256 consumer threads, each copies 16-byte chunks of the staging tile to global memory.
//
// The weight rows of a tile (Nvfp4FragmentTiler.cs, FragmentRowMap.cs): GEMM1 SwiGLU pairs gate and up in the same
// thread (row 16w + g is the gate row of intermediate column 32c + 8w + g of the n-tile's 64, row 16w + g + 8 its up
// row); GEMM1 ReLU^2 and GEMM2 rows are output columns 64c + 16w + 8h + g of the n-tile's 128.
#pragma once
#include "fic_sm90.cuh"
#include "fic_gemm_args.cuh"
#include "fic_fp4.cuh"
#include "fic_pipeline.cuh"
#include "fic_schedule.cuh"
#include "fic_activation.cuh"

namespace fic {

struct FragmentEpilogueInputs {
    float scale;  // the expert's global scale (NVFP4: x 2^8, fic_fp4.cuh)
#if FIC_EPILOGUE == 3
    int source;   // GEMM2: the (token * k + slot) entry of tile row threadIdx.x - 128, or -1
    float weight; // its router weight
#endif
};

// Issued when a tile starts; used only in the epilogue.
__device__ __forceinline__ FragmentEpilogueInputs fragment_epilogue_loads(const GemmArgs& args, const WorkTile& tile) {
    FragmentEpilogueInputs in{};
    in.scale = args.expert_scales[tile.expert] * (kFp4 ? kFp4DequantCompensation : 1.0f);
#if FIC_EPILOGUE == 3
    const int row = static_cast<int>(threadIdx.x) - 128;
    in.source = row < tile.blocks * kBlockRows ? args.row_sources[tile.first_block * kBlockRows + row] : -1;
#endif
    return in;
}

// Issued once the tile's first wgmma is under way (the weight's address depends on the source).
__device__ __forceinline__ void fragment_dependent_loads(const GemmArgs& args, FragmentEpilogueInputs& in) {
#if FIC_EPILOGUE == 3
    in.weight = in.source >= 0 ? args.route_weights[in.source] : 0.0f;
#else
    (void)args;
    (void)in;
#endif
}

// Copies `blocks` whole 8 KiB blocks from the staging tile to `out`, block b at out_block(b), by the 256 consumers.
template <typename OutBlock>
__device__ __forceinline__ void copy_blocks(const u8* staging, int blocks, OutBlock out_block) {
    const int t = static_cast<int>(threadIdx.x) - 128;
    for (int b = 0; b < blocks; ++b) {
        u8* out = out_block(b);
#pragma unroll
        for (int part = 0; part < kABlockBytes / (kConsumerThreads * 16); ++part) {
            const int offset = (part * kConsumerThreads + t) * 16;
            *reinterpret_cast<uint4*>(out + offset) = *reinterpret_cast<const uint4*>(staging + b * kABlockBytes + offset);
        }
    }
}

#if FIC_EPILOGUE == 1
// SwiGLU: h = silu(gate) * up for intermediate columns 32c + 8w + g of the n-tile's 64-column block (one block of the
// tiled intermediate per 64 tokens).
__device__ __forceinline__ void stage_output(const Pipeline& pipe, int warpgroup, int tokens, const FragmentEpilogueInputs& in,
                                             const float (&acc)[128]) {
    const int lane = threadIdx.x % 32;
    const u32 chunk = static_cast<u32>(4 * warpgroup + (threadIdx.x % 128) / 32);
#pragma unroll
    for (int j = 0; j < 32; j += 4) {
        if (8 * j >= tokens) break;
        u32 r[4];
#pragma unroll
        for (int m = 0; m < 4; ++m) {
            const int x = 4 * (j + m);
            const float g0 = acc[x] * in.scale, g1 = acc[x + 1] * in.scale;
            const float u0 = acc[x + 2] * in.scale, u1 = acc[x + 3] * in.scale;
            r[m] = pack_bf16x2(silu(g0) * u0, silu(g1) * u1);
        }
        const u32 token = static_cast<u32>(8 * j + lane);  // matrix lane / 8, its stored row lane % 8
        stmatrix_x4_trans(pipe.staging() + (token / kBlockRows) * kABlockBytes + swizzled_offset(token % kBlockRows, chunk),
                          r[0], r[1], r[2], r[3]);
    }
}

__device__ __forceinline__ void copy_output(const GemmArgs& args, const Pipeline& pipe, const WorkTile& tile, int) {
    copy_blocks(pipe.staging_ptr(), tile.blocks, [&](int b) {
        return args.out + (static_cast<size_t>(tile.first_block + b) * args.out_cols + tile.n_tile) * kABlockBytes;
    });
}
#elif FIC_EPILOGUE == 2
// ReLU^2: output columns 64c + 16w + 8h + g of the n-tile's 128, i.e. intermediate block 2n + c, chunk 2w + h; the
// staging tile holds [token block][c] 8 KiB blocks.
__device__ __forceinline__ void stage_output(const Pipeline& pipe, int warpgroup, int tokens, const FragmentEpilogueInputs& in,
                                             const float (&acc)[128]) {
    const int lane = threadIdx.x % 32;
    const int warp = (threadIdx.x % 128) / 32;
    const int matrix = lane / 8;  // (j + matrix / 2, h = matrix % 2)
#pragma unroll
    for (int j = 0; j < 32; j += 2) {
        if (8 * j >= tokens) break;
        u32 r[4];
#pragma unroll
        for (int m = 0; m < 4; ++m) {
            const int x = 4 * (j + m / 2) + 2 * (m % 2);
            const float x0 = fmaxf(acc[x] * in.scale, 0.0f), x1 = fmaxf(acc[x + 1] * in.scale, 0.0f);
            r[m] = pack_bf16x2(x0 * x0, x1 * x1);
        }
        const u32 token = static_cast<u32>(8 * (j + matrix / 2) + lane % 8);
        const u32 chunk = static_cast<u32>(2 * warp + matrix % 2);
        stmatrix_x4_trans(pipe.staging() + ((token / kBlockRows) * 2 + warpgroup) * kABlockBytes + swizzled_offset(token % kBlockRows, chunk),
                          r[0], r[1], r[2], r[3]);
    }
}

__device__ __forceinline__ void copy_output(const GemmArgs& args, const Pipeline& pipe, const WorkTile& tile, int) {
    copy_blocks(pipe.staging_ptr(), 2 * tile.blocks, [&](int b) {
        return args.out + (static_cast<size_t>(tile.first_block + b / 2) * args.out_cols + 2 * tile.n_tile + b % 2) * kABlockBytes;
    });
}
#else
// GEMM2: rows are output columns 64c + 16w + 8h + g of the n-tile's 128; each token's value is multiplied by its router
// weight (with the expert's scale) before its one rounding to bf16. The staging tile is [256 tokens][16 chunks of 16
// bytes], chunk k of token row r at position k ^ (r & 7), so that the eight rows one stmatrix matrix writes fall in
// distinct banks.
__device__ __forceinline__ u32 staging_row_chunk(u32 row, u32 chunk) { return row * 256u + ((chunk ^ (row & 7u)) << 4); }

__device__ __forceinline__ void stage_output(const Pipeline& pipe, int warpgroup, int tokens, const int2* info, const float (&acc)[128]) {
    const int lane = threadIdx.x % 32;
    const int warp = (threadIdx.x % 128) / 32;
    const int quad = lane % 4;
    const int matrix = lane / 8;  // (j + matrix / 2, h = matrix % 2)
#pragma unroll
    for (int j = 0; j < 32; j += 2) {
        if (8 * j >= tokens) break;
        u32 r[4];
#pragma unroll
        for (int jj = 0; jj < 2; ++jj) {
            const int4 pair = *reinterpret_cast<const int4*>(info + 8 * (j + jj) + 2 * quad);  // tokens 2q, 2q + 1
            const float w0 = __int_as_float(pair.y), w1 = __int_as_float(pair.w);
#pragma unroll
            for (int h = 0; h < 2; ++h) {
                const int x = 4 * (j + jj) + 2 * h;
                r[2 * jj + h] = pack_bf16x2(acc[x] * w0, acc[x + 1] * w1);
            }
        }
        const u32 token = static_cast<u32>(8 * (j + matrix / 2) + lane % 8);
        const u32 chunk = static_cast<u32>(8 * warpgroup + 2 * warp + matrix % 2);
        stmatrix_x4_trans(pipe.staging() + staging_row_chunk(token, chunk), r[0], r[1], r[2], r[3]);
    }
}

// Each token row's 128 columns to its (token, slot) partial; padding rows and columns past H are skipped.
__device__ __forceinline__ void copy_output(const GemmArgs& args, const Pipeline& pipe, const WorkTile& tile, int parity) {
    const int t = static_cast<int>(threadIdx.x) - 128;
    const int2* info = pipe.row_info(parity);
    const u32 chunk = static_cast<u32>(t % 16);
    const int column = tile.n_tile * 128 + 8 * static_cast<int>(chunk);
    if (column >= args.out_cols) return;  // H is a multiple of 8: a chunk is wholly in or out
    u16* out = reinterpret_cast<u16*>(args.out);
    for (int row = t / 16; row < tile.blocks * kBlockRows; row += kConsumerThreads / 16) {
        const int source = info[row].x;
        if (source < 0) continue;
        *reinterpret_cast<uint4*>(out + static_cast<size_t>(source) * args.out_cols + column) =
            *reinterpret_cast<const uint4*>(pipe.staging_ptr() + staging_row_chunk(static_cast<u32>(row), chunk));
    }
}
#endif

// The staging tile is free once every consumer passed the first barrier (the previous tile's copies are done); it is
// complete once every consumer passed the second. GEMM2's row information goes to the half of row_info this tile's
// parity names before the first barrier: its last readers, two tiles back, are past the previous tile's first barrier.
__device__ __forceinline__ void run_fragment_epilogue(const GemmArgs& args, const Pipeline& pipe, const WorkTile& tile,
                                                      int warpgroup, const FragmentEpilogueInputs& in, const float (&acc)[128],
                                                      int parity) {
#if FIC_EPILOGUE == 3
    int2* info = pipe.row_info(parity);
    info[threadIdx.x - 128] = make_int2(in.source, __float_as_int(in.weight * in.scale));
    named_barrier_sync<2, kConsumerThreads>();
    stage_output(pipe, warpgroup, tile.blocks * kBlockRows, info, acc);
#else
    named_barrier_sync<2, kConsumerThreads>();
    stage_output(pipe, warpgroup, tile.blocks * kBlockRows, in, acc);
#endif
    named_barrier_sync<2, kConsumerThreads>();
    copy_output(args, pipe, tile, parity);
}

}  // namespace fic
