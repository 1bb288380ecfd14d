// FlashInferCutlass gather: copies each permuted row's token from the hidden states [T, H] (bf16, row-major) into
// the tiled, 128-byte-swizzled activation layout GEMM1's bulk copies read (block (row / 64, kb) of 64 x 64 bf16 at
// ((row / 64) * k_tiles + kb) * 8 KiB). Padding rows and the columns past H are written as zeros, so that
// padded reduction columns contribute exactly nothing. One warp per row, 16 bytes per lane and several chunks in flight,
// persistent grid.
#include "fic_common.cuh"

using namespace fic;

// Chunks each lane loads before storing any, so that a warp keeps several row segments in flight.
constexpr int kBatch = 4;

extern "C" __global__ void __launch_bounds__(256) fic_gather(
    const u16* __restrict__ hidden, int hidden_size, int top_k, const int* __restrict__ row_sources,
    const int* __restrict__ row_offsets, int experts, int k_tiles, u8* __restrict__ out) {
    const int total_rows = row_offsets[experts];
    const int lane = threadIdx.x % 32;
    const int warps = gridDim.x * (blockDim.x / 32);
    const int chunks = k_tiles * (kTileK / 8);
    for (int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32; row < total_rows; row += warps) {
        const int source = row_sources[row];
        const int token = source >= 0 ? source / top_k : -1;
        const uint4* in = reinterpret_cast<const uint4*>(hidden + static_cast<size_t>(token < 0 ? 0 : token) * hidden_size);
        u8* out_row = out + static_cast<size_t>(row / kBlockRows) * k_tiles * kABlockBytes;
        const u32 row_in_block = static_cast<u32>(row % kBlockRows);
        for (int first = lane; first < chunks; first += kBatch * 32) {
            uint4 values[kBatch];
#pragma unroll
            for (int b = 0; b < kBatch; ++b) {
                const int c = first + 32 * b;
                values[b] = token >= 0 && c * 8 < hidden_size ? in[c] : make_uint4(0u, 0u, 0u, 0u);
            }
#pragma unroll
            for (int b = 0; b < kBatch; ++b) {
                const int c = first + 32 * b;
                if (c < chunks) {
                    *reinterpret_cast<uint4*>(out_row + static_cast<size_t>(c / 8) * kABlockBytes +
                                              swizzled_offset(row_in_block, static_cast<u32>(c % 8))) = values[b];
                }
            }
        }
    }
}
