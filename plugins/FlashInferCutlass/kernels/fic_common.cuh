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
constexpr int kBlockRows = 64;                               // rows per padding block = rows of one consumer warpgroup
constexpr int kTileRows = 128;                               // rows of one CTA tile: two consumer warpgroups
constexpr int kTileCols = 256;                               // output columns of one CTA tile (the wgmma N)
constexpr int kTileK = 64;                                   // reduction depth of one pipeline stage
constexpr int kRowBytes = 128;                               // one swizzled row: kTileK bf16 values
constexpr int kABlockBytes = kBlockRows * kRowBytes;         // 8 KiB: one 64 x 64 bf16 activation block
constexpr int kBTileBytes = kTileCols * kRowBytes;           // 32 KiB: one 256 x 64 bf16 weight tile
constexpr int kFp4PackedBytes = kTileCols * kTileK / 2;      // 8 KiB: E2M1 codes of one NVFP4 weight tile
constexpr int kFp4ScaleBytes = kTileCols * kTileK / 16;      // 1 KiB: E4M3 block scales of one NVFP4 weight tile
constexpr int kFp4TileBytes = kFp4PackedBytes + kFp4ScaleBytes;
constexpr int kScheduleGroup = 8;                            // m-tiles of one expert walked together per n-tile
constexpr int kMaxExperts = 1024;                            // the routing kernel keeps one counter per expert

// Byte offset of 16-byte chunk `chunk` (0..7) of row `row` inside a 128-byte-swizzled tile: the layout the copy
// engine writes and wgmma reads with a SWIZZLE_128B descriptor (chunk index XOR row mod 8, within 1 KiB atoms).
__device__ __forceinline__ u32 swizzled_offset(u32 row, u32 chunk) {
    return row * kRowBytes + ((chunk ^ (row & 7u)) << 4);
}

}  // namespace fic
