// FlashInferCutlass grouped GEMM for Hopper (sm_90a): one persistent launch computes every (expert, m-tile, n-tile)
// of out = tokens x W^T for all experts, with a fused epilogue (fic_form.cuh lists the builds' forms).
//
// Warp specialisation (384 threads): warpgroup 0 produces (fic_producer.cuh: takes work items and fills the
// shared-memory ring with tokens and weight tiles), warpgroups 1 and 2 consume (fic_consumer_tiles.cuh for bf16 and
// NVFP4 converted to bf16 tiles, fic_consumer_fragments.cuh for NVFP4 converted into register fragments), with their
// epilogues fused. Operands arrive pre-tiled and pre-swizzled in device memory (weights by the host at Prepare, the
// intermediate by GEMM1's epilogue, tokens by the gather kernel or by the producer warpgroup itself), so a stage is a
// few bulk copies (and, when gathering, 16-byte cp.async per token row chunk) and no tensor maps are needed. The
// producer tells the consumers which work item each stage belongs to through meta[s], so both roles follow one
// sequence however items are handed out.
#include "fic_common.cuh"
#include "fic_form.cuh"
#include "fic_sm90.cuh"
#include "fic_gemm_args.cuh"
#include "fic_schedule.cuh"
#include "fic_pipeline.cuh"
#include "fic_producer.cuh"
#include "fic_consumer_tiles.cuh"
#include "fic_consumer_fragments.cuh"

using namespace fic;

#if FIC_PAIRS
#define FIC_CLUSTER_DIMS __cluster_dims__(2, 1, 1)
#else
#define FIC_CLUSTER_DIMS
#endif

extern "C" __global__ void __launch_bounds__(384, 1) FIC_CLUSTER_DIMS fic_grouped_gemm(const __grid_constant__ GemmArgs args) {
    extern __shared__ __align__(1024) u8 smem[];
    u32 dynamic_bytes;
    asm("mov.u32 %0, %%dynamic_smem_size;" : "=r"(dynamic_bytes));
    if (blockDim.x != 384 || dynamic_bytes < static_cast<u32>(kSmemBytes)) __trap();  // a host-side launch bug

    const u32 raw_base = smem_addr(smem);
    const u32 base = (raw_base + 1023u) & ~1023u;
    const Pipeline pipe{base, smem + (base - raw_base)};
    if (threadIdx.x == 0) {
        for (int s = 0; s < kStages; ++s) {
            mbar_init(pipe.full(s), kFullArrivals);
            mbar_init(pipe.empty(s), kEmptyArrivals);
        }
        for (int b = 0; b < kConvertedBuffers; ++b) mbar_init(pipe.converted(b), kConsumerWarps);
        if constexpr (kPairs) {
            mbar_init(pipe.pair_full(), 1);
            mbar_init(pipe.pair_empty(), 1);
        }
        fence_mbarrier_init();
    }
    if constexpr (kPairs) {
        cluster_sync();  // both CTAs' barriers exist before either signals the other's
    } else {
        __syncthreads();
    }

    // Values are (re)computed after the register reallocation so that none has to live across it.
    const int warpgroup = warp_uniform(static_cast<int>(threadIdx.x) / 128);
    if (warpgroup == 0) {
        setmaxnreg_dec<40>();
        const WorkQueue queue{args.work_counters, args.tile_offsets[args.experts] * args.n_tiles};
        if constexpr (kGather) {
            produce_gather(args, pipe, queue);
        } else if constexpr (kPairs) {
            if (threadIdx.x == 0) produce_pairs(args, pipe, queue);
        } else if (threadIdx.x == 0) {
            produce_bulk(args, pipe, queue);
        }
    } else {
        setmaxnreg_inc<232>();
        const int consumer = warpgroup - 1;
        if constexpr (kForm == Form::Fragments) {
            consume_fragments(args, pipe, consumer);
        } else if constexpr (kForm == Form::ConvertedTiles) {
            consume_converting(args, pipe, consumer);
        } else {
            consume_tiles(args, pipe, consumer);
        }
    }
    if constexpr (kPairs) cluster_sync();  // neither CTA exits while the other may still arrive on its barriers
}
