// FlashInferCutlass: tile geometry and the swizzle shared by every kernel of the backend; types and bf16 bit helpers
// come from src/Cuda's shared headers. Header-free (NVRTC 12.4 ships no CUDA headers): bf16 is handled as bits.
#pragma once
#include "moetune/types.cuh"
#include "moetune/bf16.cuh"

namespace fic {

using moetune::u8;
using moetune::u16;
using moetune::u32;
using moetune::u64;
using moetune::bf16x2_hi;
using moetune::bf16x2_lo;
using moetune::pack_bf16x2;

// Tile geometry. TileGeometry.cs on the host mirrors every value; a CPU test reads this header and checks they agree.
constexpr int kBlockRows = 64;                               // rows per padding block (an expert's rows are padded to it)
constexpr int kTileCols = 256;                               // rows of a weight tile of the tile forms (the wgmma N)
constexpr int kTileK = 64;                                   // reduction depth of one pipeline stage
constexpr int kRowBytes = 128;                               // one swizzled row: kTileK bf16 values
constexpr int kABlockBytes = kBlockRows * kRowBytes;         // 8 KiB: one 64 x 64 bf16 activation block
constexpr int kBTileBytes = kTileCols * kRowBytes;           // 32 KiB: one 256 x 64 bf16 weight tile
constexpr int kFp4PackedBytes = kTileCols * kTileK / 2;      // 8 KiB: E2M1 codes of one NVFP4 weight tile
constexpr int kFp4ScaleBytes = kTileCols * kTileK / 16;      // 1 KiB: E4M3 block scales of one NVFP4 weight tile
constexpr int kFp4TileBytes = kFp4PackedBytes + kFp4ScaleBytes;
constexpr int kScheduleGroupRows = 1024;                     // rows of one expert's m-tiles walked together per n-tile
constexpr int kMaxExperts = 1024;                            // the routing kernel keeps one counter per expert

// NVFP4 weights as register fragments (wgmma's A operand, tokens as B): a weight tile is 128 rows (64 per consumer
// warpgroup) x 64 columns, stored in the order the consumer threads load it (Nvfp4FragmentTiler.cs): E2M1 codes, one
// 16-byte record per thread, then the block scales as bf16, one 16-byte record per quad of threads.
constexpr int kFragTileRows = 128;
constexpr int kFragCodeBytes = kFragTileRows * kTileK / 2;   // 4 KiB
constexpr int kFragScaleBytes = kFragTileRows * kTileK / 16 * 2;  // 1 KiB: bf16 block scales
constexpr int kFragTileBytes = kFragCodeBytes + kFragScaleBytes;
// bf16 weights as register fragments: the same 128 x 64 tile and thread order, as bf16 (Bf16FragmentTiler.cs): for each
// 16-column chunk kk, thread t's four A registers are the 16-byte record at (kk * 256 + t) * 16, so a warp's loads of one
// chunk read 512 consecutive bytes.
constexpr int kBf16FragTileBytes = kFragTileRows * kTileK * 2;  // 16 KiB
constexpr int kMaxTileBlocks = 4;                            // 64-row blocks of one m-tile in the fragment form (N = 256)

// Byte offset of 16-byte chunk `chunk` (0..7) of row `row` inside a 128-byte-swizzled tile: the layout the copy
// engine writes and wgmma reads with a SWIZZLE_128B descriptor (chunk index XOR row mod 8, within 1 KiB atoms).
__device__ __forceinline__ u32 swizzled_offset(u32 row, u32 chunk) {
    return row * kRowBytes + ((chunk ^ (row & 7u)) << 4);
}

}  // namespace fic
