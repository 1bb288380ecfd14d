// FlashInferCutlass: the grouped GEMM's shared memory in each form (fic_form.cuh): the ring of stages, the buffers
// beside it and the mbarriers. Every region starts at a multiple of 1 KiB from the aligned base, barriers excepted.
//
//   Bf16Tiles:       stages [tokens 2 x 8 KiB | weights 32 KiB]; wgmma reads both.
//   ConvertedTiles:  stages [tokens 2 x 8 KiB | NVFP4 tile 9 KiB] and three 32 KiB bf16 weight buffers beside the ring;
//                    the 256 consumer threads convert stage i + 1 into buffer (i + 1) % 3 while the tensor cores
//                    multiply stage i, and each consumer warp arrives on converted[(i + 1) % 3].
//   Fragments:       stages [tokens 4 x 8 KiB | fragment tile: NVFP4 5 KiB or bf16 16 KiB]; each consumer thread loads
//                    its weight fragments into registers; beside the ring, the epilogue's staging tile (the output transposed
//                    through shared memory) and, for GEMM2, the tile's row sources and weights (two tiles' worth).
//   A gathering GEMM1 also keeps each tile row's token index for the producer warpgroup.
//
// full[s] completes when stage s's copies have landed: the bulk copies' bytes plus one arrival (the producer thread),
// and, when the producer warpgroup gathers, one cp.async arrival from each of its 128 threads. empty[s] collects one
// arrival per consumer warp once its reads of stage s are done. meta[s] is the work item the stage belongs to (written
// by the producer before it arrives), or -1: nothing follows; meta[kStages] passes the next item among the producer
// warpgroup. The host computes the same byte count (GemmVariant.SharedMemoryBytes) and passes it as FIC_SMEM_BYTES, so
// a disagreement fails to compile.
//
// Pairs (FIC_PAIRS 1): both CTAs of a cluster fill stage s of each other (half the weight tile each, multicast), so
// empty[s] collects the arrivals of both CTAs' consumer warps and either producer may refill stage s once its own
// empty[s] completes. meta[s] may also be kIdleItem: this CTA has no work item in the pair, its consumers only release
// the stage. The first CTA's producer takes each pair from the queue and passes it to the second through the pair slot
// (meta[kStages + 1] of the second CTA) and two barriers after the ring's: pair_full (in the second CTA) and pair_empty
// (in the first).
#pragma once
#include "fic_form.cuh"
#include "fic_sm90.cuh"

namespace fic {

constexpr int kStages = FIC_STAGES;
constexpr int kConsumerWarps = 8;
constexpr int kConsumerThreads = 256;
constexpr int kProducerThreads = 128;
constexpr int kConvertedBuffers = kForm == Form::ConvertedTiles ? 3 : 0;

constexpr int kStageTokenBytes = kTileBlocks * kABlockBytes;
constexpr int kWeightTileBytes = kForm == Form::Bf16Tiles        ? kBTileBytes
                                 : kForm == Form::ConvertedTiles ? kFp4TileBytes
                                 : kFp4                          ? kFragTileBytes
                                                                 : kBf16FragTileBytes;
constexpr int kStageBytes = kStageTokenBytes + kWeightTileBytes;
constexpr int kRingBytes = kStages * kStageBytes;
constexpr int kConvertedOffset = kRingBytes;
constexpr int kStagingOffset = kConvertedOffset + kConvertedBuffers * kBTileBytes;
// Fragments: GEMM1 SwiGLU writes one 64-column block per token block, ReLU^2 two, GEMM2 256-byte rows of 128 columns.
constexpr int kStagingBytes = kForm != Form::Fragments ? 0 : FIC_EPILOGUE == 1 ? kMaxTileBlocks * kABlockBytes
                                                                               : 2 * kMaxTileBlocks * kABlockBytes;
constexpr int kRowInfoOffset = kStagingOffset + kStagingBytes;
constexpr int kRowInfoBytes = kForm == Form::Fragments && kSecondGemm ? 2 * kTileTokenRows * 8 : 0;
constexpr int kTokenIndexOffset = kRowInfoOffset + kRowInfoBytes;
constexpr int kTokenIndexBytes = kGather ? kTileTokenRows * 4 : 0;
constexpr int kBarrierOffset = kTokenIndexOffset + kTokenIndexBytes;
constexpr int kPairBarriers = kPairs ? 2 : 0;
constexpr int kBarrierCount = 2 * kStages + kConvertedBuffers + kPairBarriers;
constexpr int kMetaOffset = kBarrierOffset + 8 * kBarrierCount;
constexpr int kMetaSlots = kStages + 1 + (kPairs ? 1 : 0);
constexpr int kSmemBytes = kMetaOffset + 4 * kMetaSlots + 1024;  // + slack to align the base to 1 KiB
constexpr u32 kFullArrivals = 1 + (kGather ? kProducerThreads : 0);
constexpr u32 kEmptyArrivals = kConsumerWarps * (kPairs ? 2 : 1);
constexpr int kEndItem = -1;   // meta: nothing follows
constexpr int kIdleItem = -2;  // meta (pairs): no work item for this CTA in this stage's pair

static_assert(kStageBytes % 1024 == 0 && kStagingOffset % 1024 == 0, "regions must keep 1 KiB alignment for the 128-byte swizzle atoms");
static_assert(kBarrierOffset % 8 == 0, "mbarriers are 8-byte words");
static_assert(kStages >= (kForm == Form::ConvertedTiles ? 3 : 2), "the ring is too shallow for its protocol");
static_assert(kSmemBytes <= 227 * 1024, "the layout must fit the opt-in shared memory");
static_assert(kSmemBytes == FIC_SMEM_BYTES, "GemmVariant.SharedMemoryBytes (the host's FIC_SMEM_BYTES) disagrees with this layout");

// Addresses in the shared window (32-bit) of one CTA's ring, buffers and barriers, all from the 1 KiB-aligned base.
struct Pipeline {
    u32 base;
    u8* base_ptr;  // the same address as a generic pointer, for ordinary loads and stores

    __device__ __forceinline__ u32 stage(int s) const { return base + static_cast<u32>(s * kStageBytes); }
    // Token block b (64 rows) of stage s.
    __device__ __forceinline__ u32 tokens(int s, int b = 0) const { return stage(s) + static_cast<u32>(b * kABlockBytes); }
    // The stored weight tile of stage s (bf16 tile, NVFP4 tile or NVFP4 fragments).
    __device__ __forceinline__ u32 stored_weights(int s) const { return stage(s) + kStageTokenBytes; }
    __device__ __forceinline__ const u8* stored_weights_ptr(int s) const { return base_ptr + (stored_weights(s) - base); }

    // Where the bf16 weight tile that stage i (a running count) is multiplied with lives.
    __device__ __forceinline__ u32 bf16_weights(int i) const {
        return kForm == Form::ConvertedTiles ? base + static_cast<u32>(kConvertedOffset + (i % 3) * kBTileBytes)
                                             : stored_weights(i % kStages);
    }
    __device__ __forceinline__ u8* bf16_weights_ptr(int i) const { return base_ptr + (bf16_weights(i) - base); }

    __device__ __forceinline__ u32 staging() const { return base + static_cast<u32>(kStagingOffset); }
    __device__ __forceinline__ u8* staging_ptr() const { return base_ptr + kStagingOffset; }
    // GEMM2 fragments: (row source, weight x scale) of each tile row, two tiles' worth by tile parity.
    __device__ __forceinline__ int2* row_info(int parity) const {
        return reinterpret_cast<int2*>(base_ptr + kRowInfoOffset) + parity * kTileTokenRows;
    }
    __device__ __forceinline__ int* token_index() const { return reinterpret_cast<int*>(base_ptr + kTokenIndexOffset); }

    __device__ __forceinline__ u32 barrier(int index) const { return base + static_cast<u32>(kBarrierOffset + 8 * index); }
    __device__ __forceinline__ u32 full(int s) const { return barrier(s); }
    __device__ __forceinline__ u32 empty(int s) const { return barrier(kStages + s); }
    // ConvertedTiles: the bf16 buffer of stage i is written (three buffers).
    __device__ __forceinline__ u32 converted(int i) const { return barrier(2 * kStages + i % 3); }
    __device__ __forceinline__ int* meta() const { return reinterpret_cast<int*>(base_ptr + kMetaOffset); }
    __device__ __forceinline__ int* next_item_slot() const { return meta() + kStages; }
    __device__ __forceinline__ u32 pair_slot() const { return base + static_cast<u32>(kMetaOffset + 4 * (kStages + 1)); }
    __device__ __forceinline__ u32 pair_full() const { return barrier(2 * kStages + kConvertedBuffers); }
    __device__ __forceinline__ u32 pair_empty() const { return barrier(2 * kStages + kConvertedBuffers + 1); }

    // A consumer warp (lane 0) is done reading stage s; with pairs, in both CTAs of the cluster.
    __device__ __forceinline__ void release(int s) const {
        if constexpr (kPairs) {
            mbar_arrive_remote(map_to_rank(empty(s), cluster_rank() ^ 1u));
        }
        mbar_arrive(empty(s));
    }
};

}  // namespace fic
