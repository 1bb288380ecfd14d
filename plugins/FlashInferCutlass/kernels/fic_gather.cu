// FlashInferCutlass gather: copies the hidden states [T, H] (bf16, row-major) into the tiled, 128-byte-swizzled
// activation layout GEMM1's bulk copies read (block (row / 64, kb) of 64 x 64 bf16 at ((row / 64) * k_tiles + kb) *
// 8 KiB). Token-major: one warp reads a token's row once and writes it to each of its k permuted rows (entry_rows, from
// the routing kernel), so the hidden states are read once rather than k times (with k = 8 and T = 16384 the rows no
// longer fit in L2, and the row-major version read 8 x 134 MB from DRAM for qwen3). Columns past H are written as
// zeros, and so are padding rows (a second grid-stride pass over row_sources), so that padded reduction columns
// contribute exactly nothing and no row of the tiled buffer is left unwritten. Persistent grid, 16 bytes per lane,
// several chunks in flight.
#include "fic_common.cuh"

using namespace fic;

// Chunks each lane loads before storing any, so that a warp keeps several row segments in flight.
constexpr int kBatch = 4;

// Stores chunk c (of 8 bf16) of permuted row `row` into the tiled layout.
__device__ __forceinline__ void store_chunk(u8* __restrict__ out, int k_tiles, int row, int c, uint4 value) {
    u8* block_row = out + static_cast<size_t>(row / kBlockRows) * k_tiles * kABlockBytes + static_cast<size_t>(c / 8) * kABlockBytes;
    *reinterpret_cast<uint4*>(block_row + swizzled_offset(static_cast<u32>(row % kBlockRows), static_cast<u32>(c % 8))) = value;
}

extern "C" __global__ void __launch_bounds__(256) fic_gather(
    const u16* __restrict__ hidden, int hidden_size, int tokens, int top_k, const int* __restrict__ entry_rows,
    const int* __restrict__ row_sources, const int* __restrict__ row_offsets, int experts, int k_tiles, u8* __restrict__ out) {
    const int lane = threadIdx.x % 32;
    const int warps = gridDim.x * (blockDim.x / 32);
    const int warp = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    const int chunks = k_tiles * (kTileK / 8);
    const int hidden_chunks = hidden_size / 8;  // H is a multiple of 8 (SupportRules)

    for (int token = warp; token < tokens; token += warps) {
        const uint4* in = reinterpret_cast<const uint4*>(hidden + static_cast<size_t>(token) * hidden_size);
        const int* rows = entry_rows + static_cast<size_t>(token) * top_k;
        for (int first = lane; first < chunks; first += kBatch * 32) {
            uint4 values[kBatch];
#pragma unroll
            for (int b = 0; b < kBatch; ++b) {
                const int c = first + 32 * b;
                values[b] = c < hidden_chunks ? in[c] : make_uint4(0u, 0u, 0u, 0u);
            }
            for (int slot = 0; slot < top_k; ++slot) {
                const int row = rows[slot];
                if (row < 0) continue;  // an expert id out of range: the entry has no row
#pragma unroll
                for (int b = 0; b < kBatch; ++b) {
                    const int c = first + 32 * b;
                    if (c < chunks) store_chunk(out, k_tiles, row, c, values[b]);
                }
            }
        }
    }

    const int total_rows = row_offsets[experts];
    for (int row = warp; row < total_rows; row += warps) {
        if (row_sources[row] >= 0) continue;
        for (int c = lane; c < chunks; c += 32) store_chunk(out, k_tiles, row, c, make_uint4(0u, 0u, 0u, 0u));
    }
}
