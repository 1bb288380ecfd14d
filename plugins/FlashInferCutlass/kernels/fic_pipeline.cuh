// FlashInferCutlass: the grouped GEMM's shared-memory ring and its mbarriers, in each of its three forms.
//
//   bf16 weights:          FIC_STAGES stages of [A 16 KiB | B 32 KiB]. full[s] completes when the copies land.
//   NVFP4, producer-side:  FIC_STAGES stages of [A 16 KiB | B 32 KiB | packed 9 KiB]. raw[s] completes when the copies
//   (FIC_CONVERTER 0)      land; warps 1-3 of the producer warpgroup convert packed into B and arrive on ready[s].
//   NVFP4, consumer-side:  FIC_STAGES stages of [A 16 KiB | packed 9 KiB] and three separate 32 KiB B buffers. raw[s]
//   (FIC_CONVERTER 1)      completes when the copies land; the 256 consumer threads convert stage i + 1 into buffer
//                          (i + 1) % 3 while the tensor cores multiply stage i, and each consumer warp arrives on
//                          converted[(i + 1) % 3].
// empty[s] collects one arrival per consumer warp once its reads of stage s are done. meta[s] is the work item the
// stage belongs to (written by the producer before it arrives), or -1: nothing follows. The host computes the same
// byte count (GemmVariant.SharedMemoryBytes) and passes it as FIC_SMEM_BYTES, so a disagreement fails to compile.
#pragma once
#include "fic_common.cuh"

#if !defined(FIC_WEIGHTS) || !defined(FIC_STAGES) || !defined(FIC_CONVERTER) || !defined(FIC_SMEM_BYTES)
#error "fic_pipeline.cuh needs FIC_WEIGHTS (0 bf16, 1 NVFP4), FIC_CONVERTER (0 producer warps, 1 consumers), FIC_STAGES and FIC_SMEM_BYTES"
#endif
#if FIC_WEIGHTS < 0 || FIC_WEIGHTS > 1 || FIC_CONVERTER < 0 || FIC_CONVERTER > 1 || (FIC_WEIGHTS == 0 && FIC_CONVERTER != 0)
#error "FIC_WEIGHTS must be 0 or 1, FIC_CONVERTER 0 or 1, and bf16 builds have no converter (FIC_CONVERTER 0)"
#endif

namespace fic {

constexpr bool kFp4 = FIC_WEIGHTS == 1;
constexpr bool kProducerConverts = kFp4 && FIC_CONVERTER == 0;
constexpr bool kConsumersConvert = kFp4 && FIC_CONVERTER == 1;
constexpr int kStages = FIC_STAGES;
constexpr int kConsumerWarps = 8;
constexpr int kConsumerThreads = 256;
constexpr int kProducerConverterThreads = 96;  // warps 1-3 of the producer warpgroup
constexpr int kConvertedBuffers = kConsumersConvert ? 3 : 0;

constexpr int kStageABytes = 2 * kABlockBytes;  // both consumers' A blocks
constexpr int kWeightTileBytes = kFp4 ? kFp4TileBytes : kBTileBytes;  // one stored weight tile
constexpr int kStageBytes = kStageABytes + (kConsumersConvert ? 0 : kBTileBytes) + (kFp4 ? kFp4TileBytes : 0);
constexpr int kStagePackedOffset = kStageABytes + (kConsumersConvert ? 0 : kBTileBytes);
constexpr int kRingBytes = kStages * kStageBytes + kConvertedBuffers * kBTileBytes;
constexpr int kBarrierCount = (kProducerConverts ? 3 : 2) * kStages + kConvertedBuffers;
constexpr int kSmemBytes = kRingBytes + kBarrierCount * 8 + kStages * 4 + 1024;  // + slack to align the ring to 1 KiB
static_assert(kStageBytes % 1024 == 0, "stages must keep 1 KiB alignment for the 128-byte swizzle atoms");
static_assert(kStages >= (kConsumersConvert ? 3 : 2), "the ring is too shallow for its protocol");
static_assert(kSmemBytes <= 227 * 1024, "the ring must fit the opt-in shared memory");
static_assert(kSmemBytes == FIC_SMEM_BYTES, "GemmVariant.SharedMemoryBytes (the host's FIC_SMEM_BYTES) disagrees with this layout");

// Addresses in the shared window (32-bit) of one CTA's ring, buffers and barriers, all from the 1 KiB-aligned base.
struct Pipeline {
    u32 base;
    u8* base_ptr;  // the same address as a generic pointer, for ordinary loads and stores

    __device__ __forceinline__ u32 stage(int s) const { return base + static_cast<u32>(s * kStageBytes); }
    __device__ __forceinline__ u32 a_block(int s, int consumer) const { return stage(s) + static_cast<u32>(consumer * kABlockBytes); }

    // Where the bf16 weight tile that stage i is multiplied with lives.
    __device__ __forceinline__ u32 weights(int i) const {
        return kConsumersConvert ? base + static_cast<u32>(kStages * kStageBytes + (i % 3) * kBTileBytes)
                                 : stage(i % kStages) + kStageABytes;
    }
    __device__ __forceinline__ u8* weights_ptr(int i) const { return base_ptr + (weights(i) - base); }
    __device__ __forceinline__ u32 packed(int s) const { return stage(s) + kStagePackedOffset; }
    __device__ __forceinline__ const u8* packed_ptr(int s) const { return base_ptr + (packed(s) - base); }

    __device__ __forceinline__ u32 barrier(int index) const { return base + static_cast<u32>(kRingBytes + 8 * index); }
    // Completes when stage s's copies have landed (full for bf16, raw for NVFP4).
    __device__ __forceinline__ u32 arrived(int s) const { return barrier(s); }
    __device__ __forceinline__ u32 empty(int s) const { return barrier(kStages + s); }
    // Producer-side conversion: stage s's bf16 tile is written.
    __device__ __forceinline__ u32 ready(int s) const { return barrier(2 * kStages + s); }
    // Consumer-side conversion: the B buffer of stage i is written (three buffers).
    __device__ __forceinline__ u32 converted(int i) const { return barrier(2 * kStages + i % 3); }
    __device__ __forceinline__ int* meta() const { return reinterpret_cast<int*>(base_ptr + kRingBytes + 8 * kBarrierCount); }
};

}  // namespace fic
