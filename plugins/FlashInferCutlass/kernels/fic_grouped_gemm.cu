// FlashInferCutlass grouped GEMM for Hopper (sm_90a): one persistent launch computes every (expert, m-tile, n-tile)
// of out = A x W^T for all experts, with a fused epilogue.
//
//   FIC_EPILOGUE  = 1  GEMM1, SwiGLU:  h = silu(gate) * up, written once in bf16 as the tiled A operand of GEMM2
//                   2  GEMM1, ReLU^2:  h = relu(x)^2, same output
//                   3  GEMM2, router weighting: partial[token * k + slot] = w * (W2 h), bf16, row-major [T * k, H]
//   FIC_WEIGHTS   = 0  bf16 weight tiles;  1  NVFP4 weight tiles converted to bf16 in shared memory
//   FIC_CONVERTER = 0  NVFP4 converted by warps 1-3 of the producer warpgroup;  1  by the consumer warpgroups
//   FIC_SCHEDULER = 0  static stride over the work list;  1  dynamic (fic_schedule.cuh)
//   FIC_STAGES    = depth of the shared-memory ring (the host sizes dynamic shared memory from the same formulas)
//
// Warp specialisation (384 threads): warpgroup 0 produces (thread 0 takes work items and issues the bulk copies of A
// blocks and weight tiles into the ring, fic_pipeline.cuh), warpgroups 1 and 2 consume (each multiplies its own
// 64-row block by the shared 256-column weight tile with wgmma m64n256k16, accumulators in registers, and runs the
// epilogue, fic_epilogue.cuh). Operands arrive pre-tiled and pre-swizzled in device memory (Xp by the gather kernel,
// the intermediate by GEMM1's epilogue, weights by the host at Prepare), so each stage is a handful of plain bulk
// copies and no tensor maps are needed. The producer tells the consumers which work item each stage belongs to
// through meta[s], so both roles follow one sequence however items are handed out.
#include "fic_common.cuh"
#include "fic_sm90.cuh"
#include "fic_wgmma.cuh"
#include "fic_gemm_args.cuh"
#include "fic_schedule.cuh"
#include "fic_pipeline.cuh"
#include "fic_fp4.cuh"
#include "fic_epilogue.cuh"

namespace fic {

// ---- producer (thread 0) ----

__device__ __forceinline__ void produce(const GemmArgs& args, const Pipeline& pipe, const WorkQueue& queue) {
    int* meta = pipe.meta();
    int it = 0;
    const auto claim = [&](int s) {  // waits until every consumer warp has released stage s's previous contents
        if (it >= kStages) mbar_wait(pipe.empty(s), ((it / kStages) - 1) & 1);
    };
    for (int item = queue.first(); item < queue.total; item = queue.next(item)) {
        const WorkTile tile = decode_work(item, args.n_tiles, args.tile_offsets, args.tile_experts, args.row_offsets);
        const u8* a = args.a + static_cast<size_t>(tile.first_block) * args.k_tiles * kABlockBytes;
        const u8* b = args.b + (static_cast<size_t>(tile.expert) * args.n_tiles + tile.n_tile) * args.k_tiles * kWeightTileBytes;
        const u32 bytes = static_cast<u32>(tile.blocks * kABlockBytes + kWeightTileBytes);
        for (int kb = 0; kb < args.k_tiles; ++kb, ++it) {
            const int s = it % kStages;
            claim(s);
            meta[s] = item;
            const u32 bar = pipe.arrived(s);
            mbar_arrive_expect_tx(bar, bytes);
            bulk_load(pipe.a_block(s, 0), a + static_cast<size_t>(kb) * kABlockBytes, kABlockBytes, bar);
            if (tile.blocks == 2) {
                bulk_load(pipe.a_block(s, 1), a + static_cast<size_t>(args.k_tiles + kb) * kABlockBytes, kABlockBytes, bar);
            }
            bulk_load(kFp4 ? pipe.packed(s) : pipe.weights(it), b + static_cast<size_t>(kb) * kWeightTileBytes,
                      kWeightTileBytes, bar);
        }
    }
    // The end: one more stage, carrying no data, tells every other role to stop.
    const int s = it % kStages;
    claim(s);
    meta[s] = -1;
    mbar_arrive(pipe.arrived(s));
    queue.finish();
}

// ---- producer-side NVFP4 conversion (warps 1-3, FIC_CONVERTER 0) ----

__device__ __forceinline__ void convert_in_producer(const GemmArgs& args, const Pipeline& pipe, int worker) {
    const int* meta = pipe.meta();
    for (int it = 0;;) {
        mbar_wait(pipe.arrived(it % kStages), (it / kStages) & 1);
        if (meta[it % kStages] < 0) return;
        for (int kb = 0; kb < args.k_tiles; ++kb, ++it) {
            const int s = it % kStages;
            if (kb > 0) mbar_wait(pipe.arrived(s), (it / kStages) & 1);
            fp4_convert_tile<kProducerConverterThreads>(pipe.packed_ptr(s), pipe.weights_ptr(it), worker);
            fence_proxy_async_smem();
            mbar_arrive(pipe.ready(s));
        }
    }
}

// ---- consumers ----

// 4 x wgmma m64n256k16 over one 64-deep stage: this consumer's A block times the stage's weight tile.
__device__ __forceinline__ void multiply_stage(float (&acc)[128], const Pipeline& pipe, int it, int consumer, int kb) {
    const u64 desc_a = smem_desc_sw128(pipe.a_block(it % kStages, consumer));
    const u64 desc_b = smem_desc_sw128(pipe.weights(it));
    wgmma_fence();
#pragma unroll
    for (int k = 0; k < kTileK / 16; ++k) {
        wgmma_m64n256k16_bf16(acc, desc_a + 2 * k, desc_b + 2 * k, (kb | k) != 0);
    }
    wgmma_commit();
}

// Consumer-side conversion of stage `it` into its B buffer: each of the 256 consumer threads converts two units.
__device__ __forceinline__ void convert_in_consumers(const Pipeline& pipe, int it, int converter) {
    fp4_convert_tile<kConsumerThreads>(pipe.packed_ptr(it % kStages), pipe.weights_ptr(it), converter);
    fence_proxy_async_smem();
    __syncwarp();
    if (threadIdx.x % 32 == 0) mbar_arrive(pipe.converted(it));
}

__device__ __forceinline__ void finish_tile(const GemmArgs& args, const Pipeline& pipe, const WorkTile& tile, int consumer,
                                            int pending, const EpilogueInputs& in, float (&acc)[128]) {
    wgmma_wait<0>();
    if (threadIdx.x % 32 == 0) mbar_arrive(pipe.empty(pending));
#pragma unroll
    for (int i = 0; i < 128; ++i) register_fence(acc[i]);
    run_epilogue(args, tile, tile.first_block + consumer, in, acc);
}

// bf16 weights, or NVFP4 converted by the producer warpgroup: each stage is waited on where it is used.
__device__ __forceinline__ void consume(const GemmArgs& args, const Pipeline& pipe, int consumer) {
    const int lane = threadIdx.x % 32;
    const int* meta = pipe.meta();
    float acc[128];
    // Defined once so that no instruction but wgmma ever writes the accumulators (ptxas would serialise wgmma).
#pragma unroll
    for (int i = 0; i < 128; ++i) acc[i] = 0.0f;
    for (int it = 0;;) {
        mbar_wait(pipe.arrived(it % kStages), (it / kStages) & 1);
        const int item = meta[it % kStages];
        if (item < 0) return;
        const WorkTile tile = decode_work(item, args.n_tiles, args.tile_offsets, args.tile_experts, args.row_offsets);
        const bool active = consumer < tile.blocks;
        EpilogueInputs in = epilogue_loads(args, tile, tile.first_block + consumer, active);
        int pending = -1;  // the stage whose wgmma group may still be reading shared memory
        for (int kb = 0; kb < args.k_tiles; ++kb, ++it) {
            const int s = it % kStages;
            const u32 parity = (it / kStages) & 1;
            // NVFP4: A arrived on raw (arrived) too; waiting on it makes the copy's completion visible to this
            // thread directly rather than only through the converting threads' arrival on ready.
            if (kb > 0) mbar_wait(pipe.arrived(s), parity);
            if (kProducerConverts) mbar_wait(pipe.ready(s), parity);
            if (active) {
                multiply_stage(acc, pipe, it, consumer, kb);
                if (kb == 0) epilogue_dependent_loads(args, in);
                wgmma_wait<1>();  // the previous stage's group is done: release it
                if (pending >= 0 && lane == 0) mbar_arrive(pipe.empty(pending));
                pending = s;
            } else if (lane == 0) {
                mbar_arrive(pipe.empty(s));  // nothing to read for an idle half tile
            }
        }
        if (active) finish_tile(args, pipe, tile, consumer, pending, in, acc);
    }
}

// NVFP4 converted by the consumers themselves: in iteration i a warpgroup issues the wgmma of stage i, waits for its
// stage i - 1 group, then converts stage i + 1 (the next k-step, or the next tile's first) while the tensor cores run.
// Buffer (i + 1) % 3 last served stage i - 2: this warpgroup's group i - 2 finished at its wait in iteration i - 1,
// and the other warpgroup's before it arrived on converted(i), which this one waited for at the top of iteration i.
__device__ __forceinline__ void consume_converting(const GemmArgs& args, const Pipeline& pipe, int consumer) {
    const int lane = threadIdx.x % 32;
    const int converter = static_cast<int>(threadIdx.x) - 128;
    const int* meta = pipe.meta();
    float acc[128];
#pragma unroll
    for (int i = 0; i < 128; ++i) acc[i] = 0.0f;
    int it = 0;
    mbar_wait(pipe.arrived(0), 0);
    int next = meta[0];
    if (next >= 0) convert_in_consumers(pipe, 0, converter);
    while (next >= 0) {
        const WorkTile tile = decode_work(next, args.n_tiles, args.tile_offsets, args.tile_experts, args.row_offsets);
        const bool active = consumer < tile.blocks;
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
                mbar_arrive(pipe.empty(s));  // its packed tile was converted in the previous iteration
            }
            const int following = it + 1;
            mbar_wait(pipe.arrived(following % kStages), (following / kStages) & 1);
            const int following_item = meta[following % kStages];
            if (kb == args.k_tiles - 1) next = following_item;
            if (following_item >= 0) convert_in_consumers(pipe, following, converter);
        }
        if (active) finish_tile(args, pipe, tile, consumer, pending, in, acc);
    }
}

}  // namespace fic

using namespace fic;

extern "C" __global__ void __launch_bounds__(384, 1) fic_grouped_gemm(const __grid_constant__ GemmArgs args) {
    extern __shared__ __align__(1024) u8 smem[];
    u32 dynamic_bytes;
    asm("mov.u32 %0, %%dynamic_smem_size;" : "=r"(dynamic_bytes));
    if (blockDim.x != 384 || dynamic_bytes < static_cast<u32>(kSmemBytes)) __trap();  // a host-side launch bug

    const u32 raw_base = smem_addr(smem);
    const u32 base = (raw_base + 1023u) & ~1023u;
    const Pipeline pipe{base, smem + (base - raw_base)};
    if (threadIdx.x == 0) {
        for (int s = 0; s < kStages; ++s) {
            mbar_init(pipe.arrived(s), 1);
            mbar_init(pipe.empty(s), kConsumerWarps);
            if (kProducerConverts) mbar_init(pipe.ready(s), kProducerConverterThreads);
        }
        for (int b = 0; b < kConvertedBuffers; ++b) mbar_init(pipe.converted(b), kConsumerWarps);
        fence_mbarrier_init();
    }
    __syncthreads();

    // Values are (re)computed after the register reallocation so that none has to live across it.
    if (threadIdx.x < 128) {
        setmaxnreg_dec<40>();
        if (threadIdx.x == 0) {
            produce(args, pipe, WorkQueue{args.work_counters, args.tile_offsets[args.experts] * args.n_tiles});
        } else if (kProducerConverts && threadIdx.x >= 32) {
            convert_in_producer(args, pipe, static_cast<int>(threadIdx.x) - 32);
        }
    } else {
        setmaxnreg_inc<232>();
        const int consumer = static_cast<int>(threadIdx.x) / 128 - 1;
        if (kConsumersConvert) {
            consume_converting(args, pipe, consumer);
        } else {
            consume(args, pipe, consumer);
        }
    }
}
