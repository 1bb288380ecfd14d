// FlashInferCutlass grouped GEMM for Hopper (sm_90a): one persistent launch computes every (expert, m-tile, n-tile)
// of out = A x W^T for all experts, with a fused epilogue.
//
//   FIC_EPILOGUE = 1  GEMM1, SwiGLU:  h = silu(gate) * up, written once in bf16 as the tiled A operand of GEMM2
//   FIC_EPILOGUE = 2  GEMM1, ReLU^2:  h = relu(x)^2, same output
//   FIC_EPILOGUE = 3  GEMM2, router weighting: partial[token * k + slot] = w * (W2 h), bf16, row-major [T * k, H]
//   FIC_WEIGHTS  = 0  bf16 weight tiles;  1  NVFP4 weight tiles dequantised to bf16 in shared memory
//   FIC_STAGES   = depth of the shared-memory ring (the host sizes dynamic shared memory from the same number)
//
// Warp specialisation (384 threads): warpgroup 0 produces (thread 0 issues bulk copies of A blocks and weight tiles
// into a ring of stages, completing on mbarriers; for NVFP4 its warps 1-3 convert each stage's packed tile to bf16),
// warpgroups 1 and 2 consume (each multiplies its own 64-row block by the shared 256-column weight tile with wgmma
// m64n256k16, accumulators in registers, and runs the epilogue). Operands arrive pre-tiled and pre-swizzled in
// device memory (Xp by the gather kernel, the intermediate by GEMM1's epilogue, weights by the host at Prepare), so
// each stage is a handful of plain bulk copies and no tensor maps are needed.
#include "fic_common.cuh"
#include "fic_sm90.cuh"
#include "fic_wgmma.cuh"
#include "fic_schedule.cuh"
#include "fic_fp4.cuh"

#if !defined(FIC_EPILOGUE) || !defined(FIC_WEIGHTS) || !defined(FIC_STAGES)
#error "fic_grouped_gemm.cu needs FIC_EPILOGUE (1 SwiGLU, 2 ReLU^2, 3 weighted scatter), FIC_WEIGHTS (0 bf16, 1 NVFP4) and FIC_STAGES"
#endif
#if FIC_EPILOGUE < 1 || FIC_EPILOGUE > 3 || FIC_WEIGHTS < 0 || FIC_WEIGHTS > 1
#error "FIC_EPILOGUE must be 1, 2 or 3 and FIC_WEIGHTS 0 or 1"
#endif

namespace fic {

constexpr bool kFp4 = FIC_WEIGHTS == 1;
constexpr int kStages = FIC_STAGES;  // chosen by the host (GemmVariant.Stages), which also sizes shared memory
constexpr int kStageABytes = 2 * kABlockBytes;                     // both consumers' A blocks
constexpr int kWeightTileBytes = kFp4 ? kFp4TileBytes : kBTileBytes; // one stored weight tile
constexpr int kStageBytes = kStageABytes + kBTileBytes + (kFp4 ? kFp4TileBytes : 0);
constexpr int kStageRawOffset = kStageABytes + kBTileBytes;          // NVFP4: where the packed tile lands
constexpr int kBarrierBytes = 3 * kStages * 8;
constexpr int kSmemBytes = kStages * kStageBytes + kBarrierBytes + 1024;  // + slack to align the ring to 1 KiB
constexpr int kConsumerWarps = 8;
constexpr int kDequantThreads = 96;                                 // warps 1-3 of the producer warpgroup
static_assert(kStageBytes % 1024 == 0, "stages must keep 1 KiB alignment for the 128-byte swizzle atoms");
static_assert(kStages >= 2 && kSmemBytes <= 227 * 1024, "the ring must have two stages and fit the opt-in shared memory");

struct GemmArgs {
    const u8* a;                  // tiled activations: block (row / 64, kb) at ((row / 64) * k_tiles + kb) * 8 KiB
    const u8* b;                  // tiled weights: tile (e, n, kb) at ((e * n_tiles + n) * k_tiles + kb) * tile bytes
    u8* out;                      // GEMM1: tiled intermediate; GEMM2: bf16 partials [T * k, out_cols]
    const int* tile_offsets;      // [E + 1]
    const int* tile_experts;      // [max tiles]
    const int* row_offsets;       // [E + 1]
    const int* row_sources;       // [max rows]: token * k + slot, or -1 for a padding row
    const float* route_weights;   // [T * k] (GEMM2)
    const float* expert_scales;   // [E]: the weights' global dequantisation scale (1 for bf16)
    int experts;
    int n_tiles;
    int k_tiles;
    int out_cols;                 // GEMM1: 64-column blocks of the intermediate; GEMM2: H
};

__device__ __forceinline__ u32 full_bar(u32 bars, int stage) { return bars + 8u * stage; }
__device__ __forceinline__ u32 empty_bar(u32 bars, int stage) { return bars + 8u * (kStages + stage); }
__device__ __forceinline__ u32 raw_bar(u32 bars, int stage) { return bars + 8u * (2 * kStages + stage); }

// x * sigmoid(x) with the fast reciprocal: the IEEE division path would cost registers and time in the epilogue.
__device__ __forceinline__ float silu(float x) { return __fdividef(x, 1.0f + __expf(-x)); }

// ---- producer ----

__device__ __forceinline__ void issue_loads(const GemmArgs& args, u32 ring, u32 bars, int total_work) {
    int it = 0;
    for (int item = blockIdx.x; item < total_work; item += gridDim.x) {
        const WorkTile tile = decode_work(item, args.n_tiles, args.tile_offsets, args.tile_experts, args.row_offsets);
        const u8* a = args.a + static_cast<size_t>(tile.first_block) * args.k_tiles * kABlockBytes;
        const u8* b = args.b + (static_cast<size_t>(tile.expert) * args.n_tiles + tile.n_tile) * args.k_tiles * kWeightTileBytes;
        const u32 bytes = static_cast<u32>(tile.blocks * kABlockBytes + kWeightTileBytes);
        for (int kb = 0; kb < args.k_tiles; ++kb, ++it) {
            const int stage = it % kStages;
            const int use = it / kStages;
            if (use > 0) mbar_wait(empty_bar(bars, stage), (use - 1) & 1);
            const u32 bar = kFp4 ? raw_bar(bars, stage) : full_bar(bars, stage);
            const u32 base = ring + static_cast<u32>(stage * kStageBytes);
            mbar_arrive_expect_tx(bar, bytes);
            bulk_load(base, a + static_cast<size_t>(kb) * kABlockBytes, kABlockBytes, bar);
            if (tile.blocks == 2) {
                bulk_load(base + kABlockBytes, a + static_cast<size_t>(args.k_tiles + kb) * kABlockBytes, kABlockBytes, bar);
            }
            bulk_load(base + (kFp4 ? kStageRawOffset : kStageABytes), b + static_cast<size_t>(kb) * kWeightTileBytes,
                      kWeightTileBytes, bar);
        }
    }
}

__device__ __forceinline__ void dequantise_stages(const GemmArgs& args, u8* ring, u32 bars, int total_work, int worker) {
    int it = 0;
    for (int item = blockIdx.x; item < total_work; item += gridDim.x) {
        for (int kb = 0; kb < args.k_tiles; ++kb, ++it) {
            const int stage = it % kStages;
            mbar_wait(raw_bar(bars, stage), (it / kStages) & 1);
            u8* base = ring + stage * kStageBytes;
            fp4_dequant_tile(base + kStageRawOffset, base + kStageABytes, worker, kDequantThreads);
            fence_proxy_async_smem();
            mbar_arrive(full_bar(bars, stage));
        }
    }
}

// ---- epilogues: thread (warp w, lane l) holds rows 16w + l/4 (+8) and columns 8j + 2(l%4) (+1) of its block ----

#if FIC_EPILOGUE == 1 || FIC_EPILOGUE == 2
// Writes h into the tiled intermediate (the A operand of GEMM2) at 64-row block `block`.
__device__ __forceinline__ void store_intermediate(const GemmArgs& args, const WorkTile& tile, int block,
                                                   const float (&acc)[128]) {
    const int thread = threadIdx.x % 128;
    const u32 row0 = static_cast<u32>((thread / 32) * 16 + (thread % 32) / 4);
    const u32 column_bytes = static_cast<u32>((thread % 4) * 4);
    const float scale = args.expert_scales[tile.expert] * (kFp4 ? kFp4DequantCompensation : 1.0f);
    u8* out = args.out + static_cast<size_t>(block) * args.out_cols * kABlockBytes;
#if FIC_EPILOGUE == 1
    // W13 tiles interleave 128 gate rows and the 128 matching up rows: columns j and j + 128 pair up.
    constexpr int kChunks = 16;
    const int first_column = tile.n_tile * (kTileCols / 2);
#else
    constexpr int kChunks = 32;
    const int first_column = tile.n_tile * kTileCols;
#endif
#pragma unroll
    for (int j = 0; j < kChunks; ++j) {
        const int column = first_column + 8 * j;
        u8* block_kb = out + static_cast<size_t>(column / kTileK) * kABlockBytes;
        const u32 chunk = static_cast<u32>((column % kTileK) / 8);
#pragma unroll
        for (int h = 0; h < 2; ++h) {
            const u32 row = row0 + 8u * h;
#if FIC_EPILOGUE == 1
            const float g0 = acc[4 * j + 2 * h] * scale, g1 = acc[4 * j + 2 * h + 1] * scale;
            const float u0 = acc[4 * (j + 16) + 2 * h] * scale, u1 = acc[4 * (j + 16) + 2 * h + 1] * scale;
            const u32 packed = pack_bf16x2(silu(g0) * u0, silu(g1) * u1);
#else
            const float x0 = fmaxf(acc[4 * j + 2 * h] * scale, 0.0f), x1 = fmaxf(acc[4 * j + 2 * h + 1] * scale, 0.0f);
            const u32 packed = pack_bf16x2(x0 * x0, x1 * x1);
#endif
            *reinterpret_cast<u32*>(block_kb + swizzled_offset(row, chunk) + column_bytes) = packed;
        }
    }
}
#else
// Multiplies each row by its router weight and writes it to its (token, slot) row of the partials.
__device__ __forceinline__ void store_weighted(const GemmArgs& args, const WorkTile& tile, int block,
                                               const float (&acc)[128]) {
    const int thread = threadIdx.x % 128;
    const int row0 = block * kBlockRows + (thread / 32) * 16 + (thread % 32) / 4;
    const float scale = args.expert_scales[tile.expert] * (kFp4 ? kFp4DequantCompensation : 1.0f);
    const int first_column = tile.n_tile * kTileCols + (thread % 4) * 2;
#pragma unroll
    for (int h = 0; h < 2; ++h) {
        const int source = args.row_sources[row0 + 8 * h];
        if (source < 0) continue;
        const float weight = args.route_weights[source] * scale;
        u16* out = reinterpret_cast<u16*>(args.out) + static_cast<size_t>(source) * args.out_cols;
#pragma unroll
        for (int j = 0; j < 32; ++j) {
            const int column = first_column + 8 * j;
            if (column < args.out_cols) {
                *reinterpret_cast<u32*>(out + column) =
                    pack_bf16x2(acc[4 * j + 2 * h] * weight, acc[4 * j + 2 * h + 1] * weight);
            }
        }
    }
}
#endif

// ---- consumer ----

__device__ __forceinline__ void consume(const GemmArgs& args, u32 ring, u32 bars, int total_work, int consumer) {
    const int lane = threadIdx.x % 32;
    float acc[128];
    // Defined once so that no instruction but wgmma ever writes the accumulators (ptxas would serialise wgmma).
#pragma unroll
    for (int i = 0; i < 128; ++i) acc[i] = 0.0f;
    int it = 0;
    for (int item = blockIdx.x; item < total_work; item += gridDim.x) {
        const WorkTile tile = decode_work(item, args.n_tiles, args.tile_offsets, args.tile_experts, args.row_offsets);
        const bool active = consumer < tile.blocks;
        int pending = -1;  // the stage whose wgmma group may still be reading shared memory
        for (int kb = 0; kb < args.k_tiles; ++kb, ++it) {
            const int stage = it % kStages;
            // NVFP4: A arrived on raw[s]; waiting on it too makes the copy's completion visible to this thread
            // directly rather than only through the converting threads' arrival on full[s].
            if (kFp4) mbar_wait(raw_bar(bars, stage), (it / kStages) & 1);
            mbar_wait(full_bar(bars, stage), (it / kStages) & 1);
            if (active) {
                const u32 base = ring + static_cast<u32>(stage * kStageBytes);
                const u64 desc_a = smem_desc_sw128(base + static_cast<u32>(consumer * kABlockBytes));
                const u64 desc_b = smem_desc_sw128(base + kStageABytes);
                wgmma_fence();
#pragma unroll
                for (int k = 0; k < kTileK / 16; ++k) {
                    wgmma_m64n256k16_bf16(acc, desc_a + 2 * k, desc_b + 2 * k, (kb | k) != 0);
                }
                wgmma_commit();
                wgmma_wait<1>();  // the previous stage's group is done: release it
                if (pending >= 0 && lane == 0) mbar_arrive(empty_bar(bars, pending));
                pending = stage;
            } else if (lane == 0) {
                mbar_arrive(empty_bar(bars, stage));  // nothing to read for an idle half tile
            }
        }
        if (!active) continue;
        wgmma_wait<0>();
        if (lane == 0) mbar_arrive(empty_bar(bars, pending));
#pragma unroll
        for (int i = 0; i < 128; ++i) register_fence(acc[i]);
        const int block = tile.first_block + consumer;
#if FIC_EPILOGUE == 3
        store_weighted(args, tile, block, acc);
#else
        store_intermediate(args, tile, block, acc);
#endif
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
    const u32 ring = (raw_base + 1023u) & ~1023u;
    u8* ring_ptr = smem + (ring - raw_base);
    const u32 bars = ring + static_cast<u32>(kStages * kStageBytes);
    if (threadIdx.x == 0) {
        for (int s = 0; s < kStages; ++s) {
            mbar_init(full_bar(bars, s), kFp4 ? kDequantThreads : 1);
            mbar_init(empty_bar(bars, s), kConsumerWarps);
            if (kFp4) mbar_init(raw_bar(bars, s), 1);
        }
        fence_mbarrier_init();
    }
    __syncthreads();

    // Values are (re)computed after the register reallocation so that none has to live across it.
    if (threadIdx.x < 128) {
        setmaxnreg_dec<40>();
        const int total_work = args.tile_offsets[args.experts] * args.n_tiles;
        if (threadIdx.x == 0) {
            issue_loads(args, ring, bars, total_work);
        } else if (kFp4 && threadIdx.x >= 32) {
            dequantise_stages(args, ring_ptr, bars, total_work, threadIdx.x - 32);
        }
    } else {
        setmaxnreg_inc<232>();
        const int total_work = args.tile_offsets[args.experts] * args.n_tiles;
        consume(args, ring, bars, total_work, threadIdx.x / 128 - 1);
    }
}
