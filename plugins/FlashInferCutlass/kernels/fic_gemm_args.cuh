// FlashInferCutlass: the grouped GEMM's single kernel parameter, passed by value (__grid_constant__). GemmArguments.cs
// mirrors it field for field (ten pointers, then six ints: 104 bytes; a CPU test checks the offsets).
#pragma once
#include "fic_common.cuh"

namespace fic {

struct GemmArgs {
    const u8* a;                  // tokens: tiled blocks (block (row / 64, kb) at ((row / 64) * k_tiles + kb) * 8 KiB),
                                  // or, for a GEMM1 that gathers (FIC_GATHER 1), the hidden states [T, H] bf16
    const u8* b;                  // tiled weights: tile (e, n, kb) at ((e * n_tiles + n) * k_tiles + kb) * tile bytes
    u8* out;                      // GEMM1: tiled intermediate; GEMM2: bf16 partials [T * k, out_cols]
    const int* tile_offsets;      // [E + 1]
    const int* tile_experts;      // [max tiles]
    const int* row_offsets;       // [E + 1]
    const int* row_sources;       // [max rows]: token * k + slot, or -1 for a padding row
    const float* route_weights;   // [T * k] (GEMM2)
    const float* expert_scales;   // [E]: the weights' global dequantisation scale (1 for bf16)
    int* work_counters;           // [2], zero between launches (the dynamic scheduler's)
    int experts;
    int n_tiles;
    int k_tiles;
    int out_cols;                 // GEMM1: 64-column blocks of the intermediate; GEMM2: H
    int hidden_size;              // H: the row length of the hidden states a gathering GEMM1 reads
    int top_k;                    // k: a row source s is token s / k
};

}  // namespace fic
