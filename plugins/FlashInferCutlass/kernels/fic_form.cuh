// FlashInferCutlass: which form of the grouped GEMM a build is, from its preprocessor definitions (GemmVariant.cs
// writes them):
//   FIC_WEIGHTS   = 0  bf16 weight tiles;  1  NVFP4 weights
//   FIC_FRAGMENTS = 0  weight tiles are wgmma's B operand in shared memory, tokens its A, 128 per tile (NVFP4 tiles are
//                      first converted to bf16 tiles in shared memory by the consumer warpgroups);  1  weights are wgmma's
//                      A operand in registers (weights x tokens, tokens are B, up to 256 per tile): NVFP4 fragments
//                      converted in registers, bf16 fragments loaded from shared memory.
//   FIC_GATHER    = 0  tokens arrive pre-tiled (bulk copies);  1  the producer warpgroup gathers each token row from
//                      the hidden states itself (GEMM1 only)
//   FIC_EPILOGUE  = 1  GEMM1, SwiGLU;  2  GEMM1, ReLU^2;  3  GEMM2, router weighting and scatter
//   FIC_PAIRS     = 0  one CTA per work item;  1  clusters of two CTAs take two neighbouring work items (two m-tiles of
//                      one n-tile), each copying half of their shared weight tile into both CTAs (bf16 tiles only)
//   FIC_STAGES    = depth of the shared-memory ring;  FIC_SMEM_BYTES = the host's size of it all (checked here)
#pragma once
#include "fic_common.cuh"

#if !defined(FIC_WEIGHTS) || !defined(FIC_FRAGMENTS) || !defined(FIC_GATHER) || !defined(FIC_EPILOGUE) || \
    !defined(FIC_STAGES) || !defined(FIC_SMEM_BYTES)
#error "the grouped GEMM needs FIC_WEIGHTS, FIC_FRAGMENTS, FIC_GATHER, FIC_EPILOGUE, FIC_STAGES and FIC_SMEM_BYTES"
#endif
#if FIC_WEIGHTS < 0 || FIC_WEIGHTS > 1 || FIC_FRAGMENTS < 0 || FIC_FRAGMENTS > 1
#error "FIC_WEIGHTS and FIC_FRAGMENTS must be 0 or 1"
#endif
#if FIC_GATHER < 0 || FIC_GATHER > 1 || (FIC_GATHER == 1 && FIC_EPILOGUE == 3)
#error "FIC_GATHER must be 0 or 1, and only GEMM1 (FIC_EPILOGUE 1 or 2) gathers"
#endif
#if !defined(FIC_PAIRS) || FIC_PAIRS < 0 || FIC_PAIRS > 1 || (FIC_PAIRS == 1 && (FIC_WEIGHTS != 0 || FIC_FRAGMENTS != 0 || FIC_GATHER != 0))
#error "FIC_PAIRS must be 0 or 1, and only bf16 tiles with bulk-copied tokens run in pairs"
#endif
#if FIC_EPILOGUE < 1 || FIC_EPILOGUE > 3
#error "FIC_EPILOGUE must be 1 (SwiGLU), 2 (ReLU^2) or 3 (weighted scatter)"
#endif

namespace fic {

enum class Form { Bf16Tiles, ConvertedTiles, Fragments };

constexpr Form kForm = FIC_FRAGMENTS == 1 ? Form::Fragments : FIC_WEIGHTS == 0 ? Form::Bf16Tiles : Form::ConvertedTiles;
constexpr bool kFp4 = FIC_WEIGHTS == 1;
constexpr bool kGather = FIC_GATHER == 1;
constexpr bool kSecondGemm = FIC_EPILOGUE == 3;
constexpr bool kPairs = FIC_PAIRS == 1;
constexpr int kTileBlocks = kForm == Form::Fragments ? kMaxTileBlocks : 2;  // 64-row token blocks of one m-tile
constexpr int kTileTokenRows = kTileBlocks * kBlockRows;
constexpr int kScheduleGroup = kScheduleGroupRows / kTileTokenRows;        // m-tiles walked together per n-tile

}  // namespace fic
