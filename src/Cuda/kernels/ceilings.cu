// Hardware ceilings for `moetune bench` (issue 7): a read-only streaming kernel that measures how fast device memory
// can be read, and fills that give the dense GEMM ceiling (cuBLASLt) random, never-zero operands.
#include "moetune/types.cuh"
#include "moetune/bf16.cuh"

using namespace moetune;

// Loads in flight per thread per loop trip: 4 x 16 B. With 2048 resident threads per SM this keeps far more bytes in
// flight than Little's law needs at 3-5 TB/s, so the sweep is limited by DRAM, not by latency.
#define MOETUNE_READ_UNROLL 4

// Reads every 16-byte vector of data[0, vectors) once (grid-stride, coalesced, non-coherent loads) and folds it into
// an XOR. The fold is written only when it equals `never` (the host passes a value the data cannot fold to in
// practice), so the write costs nothing while the compiler must keep every load.
extern "C" __global__ void __launch_bounds__(256) moetune_ceiling_read(
    const uint4* __restrict__ data, i64 vectors, u32 never, u32* __restrict__ sink) {
    const i64 stride = static_cast<i64>(gridDim.x) * blockDim.x;
    i64 i = static_cast<i64>(blockIdx.x) * blockDim.x + threadIdx.x;
    u32 fold = 0;
    for (; i + (MOETUNE_READ_UNROLL - 1) * stride < vectors; i += MOETUNE_READ_UNROLL * stride) {
        uint4 v[MOETUNE_READ_UNROLL];
#pragma unroll
        for (int u = 0; u < MOETUNE_READ_UNROLL; ++u) {
            v[u] = __ldg(data + i + u * stride);
        }
#pragma unroll
        for (int u = 0; u < MOETUNE_READ_UNROLL; ++u) {
            fold ^= v[u].x ^ v[u].y ^ v[u].z ^ v[u].w;
        }
    }
    for (; i < vectors; i += stride) {
        const uint4 v = __ldg(data + i);
        fold ^= v.x ^ v.y ^ v.z ^ v.w;
    }
    if (fold == never) {
        sink[0] = fold;
    }
}

// A 32-bit hash of (seed, index) (the finaliser of MurmurHash3): independent-looking values without state.
MOETUNE_DEVICE u32 ceiling_hash(u32 seed, u64 index) {
    u32 h = seed ^ static_cast<u32>(index) ^ (static_cast<u32>(index >> 32) * 0x9e3779b9u);
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

// bf16 values uniform in [-1, -1/64] u [1/64, 1): never zero, so no multiply can be skipped or cheapened.
extern "C" __global__ void __launch_bounds__(256) moetune_ceiling_fill_bf16(u16* __restrict__ out, i64 count, u32 seed) {
    const i64 stride = static_cast<i64>(gridDim.x) * blockDim.x;
    for (i64 i = static_cast<i64>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
        const u32 h = ceiling_hash(seed, static_cast<u64>(i));
        const float magnitude = 0.015625f + (h >> 9) * (0.984375f / 8388608.0f);
        out[i] = float_to_bf16((h & 1u) != 0 ? -magnitude : magnitude);
    }
}

// FP8 E4M3 codes with exponent fields 4..9 (magnitudes 2^-3 to 2^2 with any mantissa) and either sign: never zero,
// never NaN (0x7f/0xff), within the range where products and sums stay far from overflow.
extern "C" __global__ void __launch_bounds__(256) moetune_ceiling_fill_e4m3(u8* __restrict__ out, i64 count, u32 seed) {
    const i64 stride = static_cast<i64>(gridDim.x) * blockDim.x;
    for (i64 i = static_cast<i64>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
        const u32 h = ceiling_hash(seed, static_cast<u64>(i));
        const u32 exponent = 4u + (h >> 8) % 6u;
        out[i] = static_cast<u8>(((h & 1u) << 7) | (exponent << 3) | ((h >> 4) & 7u));
    }
}
