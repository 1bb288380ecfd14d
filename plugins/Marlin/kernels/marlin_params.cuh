// Marlin backend: the one parameter block every Marlin kernel takes by value. Its C# twin is
// KernelInterface/MarlinKernelParams.cs (same field order, natural alignment); a change here must be made there too.
#pragma once

#include "marlin_device.cuh"

struct MarlinParams
{
    // Forward tensors.
    const u16* hidden;      // [T, H] bf16
    const int* topk_ids;    // [T, k]
    const float* topk_weights;  // [T, k]
    u16* output;            // [T, H] bf16, overwritten

    // Prepared weights: records in the layout of marlin_device.cuh, expert-major.
    const u8* w13;          // [E][w13_tiles][chunks13] records
    const u8* w2;           // [E][w2_tiles][chunks2] records
    const float* epilogue13;  // [E] factor restoring the global scale and the decode's power of two
    const float* epilogue2;   // [E]
    const float* bias13;    // [E][W13 rows] in canonical row order, or null
    const float* bias2;     // [E][H], or null

    // Workspaces (sized for MaxTokens by the host).
    u16* intermediate;      // [T * k][I] bf16, row = pair t * k + j
    float* partials;        // decode: [T * k][splits2][H]; prefill: [T * k][H]
    u32* counters;          // decode scheduling counters, zero between forwards (see marlin_decode.cu)
    int* routing;           // prefill routing tables (see marlin_prefill.cu)

    // Sizes.
    int tokens;
    int experts;
    int top_k;
    int hidden_size;        // H
    int inter_size;         // I
    int format;             // MARLIN_FORMAT_*
    int activation;         // MARLIN_ACT_*
    int w13_tiles;          // W13 rows / 16
    int w2_tiles;           // H / 16
    int chunks13;           // H / 64
    int chunks2;            // I / 64
    int record_bytes;       // 512 + scale bytes
    int splits2;            // decode: K splits of GEMM2
    int max_tiles;          // prefill: capacity of the token-tile list
};

MARLIN_DEVICE bool is_gated(int activation) { return activation != MARLIN_ACT_RELU2; }

// Offsets into MarlinParams::counters (decode kernel).
#define MARLIN_COUNTER_TICKET 0
#define MARLIN_COUNTER_EXITED 1
#define MARLIN_COUNTER_EXPERT_DONE 2  // [E] GEMM1 tiles finished per expert, then [H / 16] GEMM2 items per row tile
