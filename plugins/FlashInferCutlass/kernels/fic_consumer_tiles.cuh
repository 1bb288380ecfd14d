// FlashInferCutlass: the consumer warpgroups of the tile forms (Bf16Tiles, ConvertedTiles): tokens are wgmma's A
// operand, each warpgroup owns one 64-row token block of the tile and multiplies it by the stage's 256-row bf16 weight
// tile with wgmma m64n256k16 (128 f32 accumulators per thread), then runs its epilogue (fic_epilogue.cuh).
#pragma once
#include "fic_sm90.cuh"
#include "fic_wgmma.cuh"
#include "fic_gemm_args.cuh"
#include "fic_schedule.cuh"
#include "fic_pipeline.cuh"
#include "fic_fp4.cuh"
#include "fic_epilogue.cuh"

namespace fic {

// 4 x wgmma m64n256k16 over one 64-deep stage: this consumer's token block times the stage's bf16 weight tile.
__device__ __forceinline__ void multiply_stage(float (&acc)[128], const Pipeline& pipe, int it, int consumer, int kb) {
    const u64 desc_a = smem_desc_sw128(pipe.tokens(it % kStages, consumer));
    const u64 desc_b = smem_desc_sw128(pipe.bf16_weights(it));
    wgmma_fence();
#pragma unroll
    for (int k = 0; k < kTileK / 16; ++k) {
        wgmma_m64n256k16_bf16(acc, desc_a + 2 * k, desc_b + 2 * k, (kb | k) != 0);
    }
    wgmma_commit();
}

// ConvertedTiles: stage `it`'s NVFP4 tile into its bf16 buffer; each of the 256 consumer threads converts two units.
__device__ __forceinline__ void convert_stage(const Pipeline& pipe, int it, int converter) {
    fp4_convert_tile(pipe.stored_weights_ptr(it % kStages), pipe.bf16_weights_ptr(it), converter);
    fence_proxy_async_smem();
    __syncwarp();
    if (threadIdx.x % 32 == 0) mbar_arrive(pipe.converted(it));
}

// After the tile's k-loop, by active and idle warpgroups alike: the wait stays out of any branch (see warp_uniform).
__device__ __forceinline__ void finish_tile(const GemmArgs& args, const Pipeline& pipe, const WorkTile& tile, int consumer, bool active,
                                            int pending, const EpilogueInputs& in, float (&acc)[128]) {
    wgmma_wait<0>();
    if (!active) return;
    if (threadIdx.x % 32 == 0) pipe.release(pending);
#pragma unroll
    for (int i = 0; i < 128; ++i) register_fence(acc[i]);
    run_epilogue(args, tile, tile.first_block + consumer, in, acc);
}

// Bf16Tiles: each stage is waited on where it is used.
__device__ __forceinline__ void consume_tiles(const GemmArgs& args, const Pipeline& pipe, int consumer) {
    const int lane = threadIdx.x % 32;
    const int* meta = pipe.meta();
    float acc[128];
    // Defined once so that no instruction but wgmma ever writes the accumulators (ptxas would serialise wgmma).
#pragma unroll
    for (int i = 0; i < 128; ++i) acc[i] = 0.0f;
    for (int it = 0;;) {
        mbar_wait(pipe.full(it % kStages), (it / kStages) & 1);
        const int item = warp_uniform(meta[it % kStages]);
        if (item == kEndItem) return;
        // kIdleItem (pairs): no tokens for this CTA, the stages only go round.
        const WorkTile tile = item == kIdleItem ? WorkTile{0, 0, 0, 0}
                                                : decode_work(item, args.n_tiles, args.tile_offsets, args.tile_experts, args.row_offsets);
        const bool active = warp_uniform(consumer < tile.blocks);
        EpilogueInputs in = epilogue_loads(args, tile, tile.first_block + consumer, active);
        int pending = -1;  // the stage whose wgmma group may still be reading shared memory
        for (int kb = 0; kb < args.k_tiles; ++kb, ++it) {
            const int s = it % kStages;
            if (kb > 0) mbar_wait(pipe.full(s), (it / kStages) & 1);
            if (active) {
                multiply_stage(acc, pipe, it, consumer, kb);
                if (kb == 0) epilogue_dependent_loads(args, in);
                wgmma_wait<1>();  // the previous stage's group is done: release it
                if (pending >= 0 && lane == 0) pipe.release(pending);
                pending = s;
            } else if (lane == 0) {
                pipe.release(s);  // nothing to read for an idle half tile
            }
        }
        finish_tile(args, pipe, tile, consumer, active, pending, in, acc);
    }
}

// ConvertedTiles: in iteration i a warpgroup issues the wgmma of stage i, waits for its stage i - 1 group, then
// converts stage i + 1 (the next k-step, or the next tile's first) while the tensor cores run. Buffer (i + 1) % 3 last
// served stage i - 2: this warpgroup's group i - 2 finished at its wait in iteration i - 1, and the other warpgroup's
// before it arrived on converted(i), which this one waited for at the top of iteration i.
__device__ __forceinline__ void consume_converting(const GemmArgs& args, const Pipeline& pipe, int consumer) {
    const int lane = threadIdx.x % 32;
    const int converter = static_cast<int>(threadIdx.x) - 128;
    const int* meta = pipe.meta();
    float acc[128];
#pragma unroll
    for (int i = 0; i < 128; ++i) acc[i] = 0.0f;
    int it = 0;
    mbar_wait(pipe.full(0), 0);
    int next = warp_uniform(meta[0]);
    if (next >= 0) convert_stage(pipe, 0, converter);
    while (next >= 0) {
        const WorkTile tile = decode_work(next, args.n_tiles, args.tile_offsets, args.tile_experts, args.row_offsets);
        const bool active = warp_uniform(consumer < tile.blocks);
        EpilogueInputs in = epilogue_loads(args, tile, tile.first_block + consumer, active);
        int pending = -1;
        for (int kb = 0; kb < args.k_tiles; ++kb, ++it) {
            const int s = it % kStages;
            mbar_wait(pipe.converted(it), (it / 3) & 1);
            if (active) {
                multiply_stage(acc, pipe, it, consumer, kb);
                if (kb == 0) epilogue_dependent_loads(args, in);
                wgmma_wait<1>();
                if (pending >= 0 && lane == 0) mbar_arrive(pipe.empty(pending));
                pending = s;
            } else if (lane == 0) {
                mbar_arrive(pipe.empty(s));  // its NVFP4 tile was converted in the previous iteration
            }
            const int following = it + 1;
            mbar_wait(pipe.full(following % kStages), (following / kStages) & 1);
            const int following_item = warp_uniform(meta[following % kStages]);
            if (kb == args.k_tiles - 1) next = following_item;
            if (following_item >= 0) convert_stage(pipe, following, converter);
        }
        finish_tile(args, pipe, tile, consumer, active, pending, in, acc);
    }
}

}  // namespace fic
