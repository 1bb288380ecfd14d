// Marlin backend: device helpers shared by the decode and prefill kernels, on top of the shared headers
// (moetune/*.cuh: bf16 bits, cp.async, mma). What is here is Marlin's own: the weight record layout, the in-register
// FP4 decode that matches it, and a few loads and activations. Runs on SM 8.0 and newer; nothing needs sm_90a.
#pragma once

#include "moetune/bf16.cuh"
#include "moetune/clock.cuh"
#include "moetune/cp_async.cuh"
#include "moetune/mma.cuh"

using moetune::u16;
using moetune::u32;
using moetune::u64;
using moetune::u8;

#define MARLIN_DEVICE __device__ __forceinline__

// ---------------------------------------------------------------------------------------------------------------
// Weight record layout (the C# side, Layout/FragmentLayout.cs, writes exactly this; its tests model every index).
//
// A matrix [N, K] is cut into row tiles of 16 "MMA rows" and K chunks of 64, and its row tiles are stored in pairs (N is
// a multiple of 32): record (tile, chunk) is record number record_index(tile, chunk, chunks), that is byte
// (((tile / 2) * chunks + chunk) * 2 + tile % 2) * record_bytes, so that a K range of both tiles of a pair is one
// contiguous run and one tile's consecutive chunks are MARLIN_CHUNK_RECORDS records apart. Each record holds:
//   bytes [0, 512): lane L = 4 g + t owns bytes [16 L, 16 L + 16) = four u32 words, word j for MMA k-step j. Word j
//     holds the eight E2M1 codes of the lane's A-fragment registers r = 0..3 of k-step j, each register's two codes
//     (half h = 0 low, 1 high) at the bit positions decode_a_fragment reads (table there). Register r, half h is MMA
//     row g + 8 (r & 1), physical k = 64 chunk + 16 t + 4 j + 2 (r >> 1) + h.
//   bytes [512, 512 + 64) for NVFP4: byte 16 t + 2 g + s = scale of MMA row g + 8 s for 16-element block t of the chunk.
//   bytes [512, 512 + 32) for MXFP4: byte 16 b + 2 g + s = scale of MMA row g + 8 s for 32-element block b.
// Physical k is permuted inside a chunk so that thread t's sixteen k of the chunk (16 t .. 16 t + 15) are contiguous
// in the activations (two 16-byte loads) and fall in one NVFP4 block (so one scale per row per chunk). The same
// permutation applies to A and B, so the dot product is unchanged.
// ---------------------------------------------------------------------------------------------------------------
#define MARLIN_CHUNK_K 64
#define MARLIN_TILE_ROWS 16
#define MARLIN_CHUNK_RECORDS 2  // records from one chunk of a row tile to its next: the pair's other tile lies between
#define MARLIN_DATA_BYTES 512
#define MARLIN_FORMAT_NVFP4 0
#define MARLIN_FORMAT_MXFP4 1

#define MARLIN_ACT_SWIGLU 0
#define MARLIN_ACT_RELU2 1
#define MARLIN_ACT_SWIGLU_CLAMPED 2

// ---------------------------------------------------------------------------------------------------------------
// FP4 -> bf16 in registers.
// E2M1 code s e1 e0 m placed as bf16 bits s at 15, e1 e0 at 8..7 (the low exponent bits), m at 6 reads as
// e2m1 * 2^-126 for every code (e = 0 gives the bf16 subnormal 0.5 * 2^-126, exactly as E2M1's own subnormal).
// The 2^-126 is folded into the block scale below.
//
// A bf16x2 register wants its two codes at bits {15, 8, 7, 6} and {31, 24, 23, 22}. No arrangement of a word lets
// four shifts of one mask deliver all four registers, so registers 0 and 1 take their codes whole (one mask after a
// shift of 0 and 3) and registers 2 and 3 take magnitude and sign from two shifts each. Bit positions in the word
// (low half; the high half is the same plus 16):
//   register 0: sign 15, e1 e0 m at 8 7 6     register 2: sign 14, e1 e0 m at 2 1 0
//   register 1: sign 12, e1 e0 m at 5 4 3     register 3: sign 13, e1 e0 m at 11 10 9
// That is 11 integer operations per four registers, against 15 for codes stored as plain nibbles.
// ---------------------------------------------------------------------------------------------------------------
#define MARLIN_CODE_MASK 0x81C081C0u       // sign and magnitude of both halves, as bf16x2 wants them
#define MARLIN_MAGNITUDE_MASK 0x01C001C0u
#define MARLIN_SIGN_MASK 0x80008000u

// Exact bf16x2 product a * b (both halves); -0 as the addend keeps fma's rounding out of an exact product.
MARLIN_DEVICE u32 bf16x2_mul(u32 a, u32 b)
{
    u32 d;
    asm("fma.rn.bf16x2 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(0x80008000u));
    return d;
}

// Scale bytes (transcoded on the host) -> bf16 broadcast into both halves, as byte_pair * multiplier + addend:
//   NVFP4: byte = (E + 9) << 3 | m for the E4M3 value 2^E (1 + m/8); (byte << 4) | 0x7000 is that value * 2^106.
//          Times the FP4 decode (* 2^-126) the product is e2m1 * e4m3 * 2^-20, exact; the epilogue restores 2^20.
//   MXFP4: byte = e + offset (per matrix); byte << 7 is 2^(byte - 127); the epilogue restores the offset.
// The byte sits in both halves (byte | byte << 16), so one multiply-add (the shifted byte stays inside its half, and
// the addend's bits lie above it) converts both.
struct ScaleCodec
{
    u32 multiplier;
    u32 addend;
};

MARLIN_DEVICE constexpr ScaleCodec scale_codec(int format)
{
    return format == MARLIN_FORMAT_NVFP4 ? ScaleCodec{16u, 0x70007000u} : ScaleCodec{128u, 0u};
}

// A lane's two scale bytes (low byte: row g, high byte: row g + 8) -> the bf16x2 scales of rows g and g + 8.
MARLIN_DEVICE void decode_scales(u32 scale_pair, ScaleCodec codec, u32& row_lo, u32& row_hi)
{
    row_lo = __byte_perm(scale_pair, 0u, 0x4040) * codec.multiplier + codec.addend;
    row_hi = __byte_perm(scale_pair, 0u, 0x4141) * codec.multiplier + codec.addend;
}

// The decode's four left shifts as multipliers. Written as shifts (constant multipliers, which the compiler turns into
// SHF), all eleven integer operations of a word run on the ALU pipe, which at T = 1 ncu found the busiest (57 % of the
// kernel's cycles, the FMA pipe 14 %). Multiplied by values the compiler cannot see (the bulk-copy kernels read them back
// from shared memory), the shifts become IMAD on the FMA pipe and the ALU keeps the six masks and the right shift.
struct ShiftMultipliers
{
    u32 by2, by4, by8, by64;
};

MARLIN_DEVICE constexpr ShiftMultipliers constant_shift_multipliers() { return ShiftMultipliers{2u, 4u, 8u, 64u}; }

// Decodes k-step j's word of a lane's record slice into the four A registers, scaled per row (lo: row g, hi: g + 8).
MARLIN_DEVICE void decode_a_fragment(u32 word, u32 scale_row_lo, u32 scale_row_hi, u32 (&a)[4],
                                     const ShiftMultipliers& m = constant_shift_multipliers())
{
    a[0] = bf16x2_mul(word & MARLIN_CODE_MASK, scale_row_lo);
    a[1] = bf16x2_mul((word * m.by8) & MARLIN_CODE_MASK, scale_row_hi);
    a[2] = bf16x2_mul(((word * m.by64) & MARLIN_MAGNITUDE_MASK) | ((word * m.by2) & MARLIN_SIGN_MASK), scale_row_lo);
    a[3] = bf16x2_mul(((word >> 3) & MARLIN_MAGNITUDE_MASK) | ((word * m.by4) & MARLIN_SIGN_MASK), scale_row_hi);
}

// One m16n8k16 step with the B fragment's two words given apart (they come from different halves of a 16-byte load).
MARLIN_DEVICE void mma_step(float (&d)[4], const u32 (&a)[4], u32 b0, u32 b1)
{
    const u32 b[2] = {b0, b1};
    moetune::mma_m16n8k16_bf16(d, a, b);
}

// Bytes per record: codes, then 16 rows x 4 NVFP4 blocks or 16 rows x 2 MXFP4 blocks of scales.
MARLIN_DEVICE constexpr int record_bytes_of(int format) { return MARLIN_DATA_BYTES + (format == MARLIN_FORMAT_NVFP4 ? 64 : 32); }

// The number of record (tile, chunk) in a prepared matrix of `chunks` chunks per row tile (the layout above).
MARLIN_DEVICE size_t record_index(int tile, int chunk, int chunks)
{
    return ((size_t)(tile >> 1) * chunks + chunk) * MARLIN_CHUNK_RECORDS + (tile & 1);
}

// Offset of this lane's two scale bytes (rows g and g + 8) inside a record.
MARLIN_DEVICE int scale_offset(int format, int g, int t)
{
    return MARLIN_DATA_BYTES + (format == MARLIN_FORMAT_NVFP4 ? 16 * t : 16 * (t >> 1)) + 2 * g;
}

// ---------------------------------------------------------------------------------------------------------------
// Division by a divisor fixed for the launch (tiles, splits, top-k), which the decode kernel's per-item bookkeeping does
// several times per item: a multiply-high, an add and a shift instead of a ~20-instruction integer division.
// Granlund-Montgomery with l = ceil(log2 d), magic = floor(2^32 (2^l - d) / d) + 1, q = (umulhi(n, magic) + n) >> l;
// exact for every n < 2^31 (then the sum cannot overflow), far above any index here.
// ---------------------------------------------------------------------------------------------------------------
struct FastDivisor
{
    u32 divisor;
    u32 magic;
    u32 shift;
};

MARLIN_DEVICE FastDivisor fast_divisor(u32 divisor)
{
    u32 shift = 0;
    while ((1ull << shift) < divisor) ++shift;
    const u64 magic = (((1ull << 32) * ((1ull << shift) - divisor)) / divisor) + 1;
    return FastDivisor{divisor, (u32)magic, shift};
}

MARLIN_DEVICE int quotient(int n, FastDivisor d) { return (int)((__umulhi((u32)n, d.magic) + (u32)n) >> d.shift); }

// ---------------------------------------------------------------------------------------------------------------
// Loads. Shared-memory reads are asm volatile so that they stay after the cp.async waits that guard them.
// ---------------------------------------------------------------------------------------------------------------

MARLIN_DEVICE uint4 lds128(const void* shared)
{
    uint4 v;
    asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                 : "r"(moetune::shared_address(shared)));
    return v;
}

MARLIN_DEVICE u32 lds16(const void* shared)
{
    u16 v;
    asm volatile("ld.shared.u16 %0, [%1];" : "=h"(v) : "r"(moetune::shared_address(shared)));
    return v;
}

// The decode kernel's loads take their offset from a base register as an immediate (the template argument), so that
// an unrolled ring addresses all its stages from one base without a register per address.

// Weight records are read once: straight into registers, not kept in L1, and marked evict-first in L2 so that they do
// not push the activations out. asm volatile keeps each load where it was issued (ahead of its use), never sunk.
template <int Offset>
MARLIN_DEVICE uint4 ldg_stream_v4(const void* base, u64 policy)
{
    uint4 v;
    asm volatile("ld.global.nc.L1::no_allocate.L2::cache_hint.v4.u32 {%0, %1, %2, %3}, [%4+%6], %5;"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                 : "l"(base), "l"(policy), "n"(Offset));
    return v;
}

template <int Offset>
MARLIN_DEVICE u32 ldg_stream_u16(const void* base, u64 policy)
{
    u16 v;
    asm volatile("ld.global.nc.L1::no_allocate.L2::cache_hint.u16 %0, [%1+%3], %2;"
                 : "=h"(v)
                 : "l"(base), "l"(policy), "n"(Offset));
    return v;
}

// 16 bytes global -> shared, or 16 zero bytes when source_bytes is 0 (the source is then not read).
template <int SharedOffset, int GlobalOffset>
MARLIN_DEVICE void cp_async_16_zfill_at(u32 shared_base, const void* global_base, u32 source_bytes)
{
    asm volatile("cp.async.cg.shared.global [%0+%3], [%1+%4], 16, %2;"
                 ::"r"(shared_base), "l"(global_base), "r"(source_bytes), "n"(SharedOffset), "n"(GlobalOffset));
}

template <int Offset>
MARLIN_DEVICE uint4 lds128_at(u32 shared_base)
{
    uint4 v;
    asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4+%5];"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                 : "r"(shared_base), "n"(Offset));
    return v;
}

// Reads at a shared-window address computed at run time (the bulk pipeline's stages). asm volatile keeps them between
// the mbarrier wait that makes the stage readable and the arrival that releases it.
MARLIN_DEVICE uint4 lds128_shared(u32 address)
{
    uint4 v;
    asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "r"(address));
    return v;
}

MARLIN_DEVICE u32 lds16_shared(u32 address)
{
    u16 v;
    asm volatile("ld.shared.u16 %0, [%1];" : "=h"(v) : "r"(address));
    return v;
}

// 16 bytes from L2, ignoring (possibly stale) L1 lines: for data other CTAs wrote in this kernel.
MARLIN_DEVICE float4 ld_cg_f32x4(const float* pointer)
{
    float4 v;
    asm volatile("ld.global.cg.v4.f32 {%0, %1, %2, %3}, [%4];" : "=f"(v.x), "=f"(v.y), "=f"(v.z), "=f"(v.w) : "l"(pointer));
    return v;
}

MARLIN_DEVICE u32 ld_acquire_u32(const u32* pointer)
{
    u32 v;
    asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(v) : "l"(pointer) : "memory");
    return v;
}

// Counter increments with release semantics at GPU scope: this thread's earlier writes, and those it has observed
// (through a CTA barrier), are visible to any thread that acquires the incremented value. Enough to publish data
// before a counter, and lighter than __threadfence() and a plain atomic: no sequentially consistent fence, and no L1
// invalidation (which a fence.acq_rel brings along).
MARLIN_DEVICE u32 atomic_add_release_gpu(u32* counter, u32 value)
{
    u32 before;
    asm volatile("atom.release.gpu.global.add.u32 %0, [%1], %2;" : "=r"(before) : "l"(counter), "r"(value) : "memory");
    return before;
}

// Takes a ticket: the counter's old value, incremented (relaxed, GPU scope), for a caller that uses it later.
// `atom.inc` with a limit of 2^31 - 1 (tickets restart at 0 every forward and never come near it), not atomicAdd or
// `atom.add`: ptxas turns an add by one lane into a warp-aggregated atomic whose result the warp waits for at once (a
// shuffle right after it), which put the atomic's whole round trip (~1 µs) before every item's copies. An inc it
// leaves alone, so the round trip overlaps whatever comes before the ticket's first use (checked in the SASS).
MARLIN_DEVICE u32 take_ticket(u32* counter)
{
    u32 before;
    asm volatile("atom.relaxed.gpu.global.inc.u32 %0, [%1], %2;" : "=r"(before) : "l"(counter), "r"(0x7fffffffu) : "memory");
    return before;
}

// Release and acquire at GPU scope in one: for the increment whose old value tells a thread that it is the last to
// arrive and may now read (or reset) what every earlier arrival released.
MARLIN_DEVICE u32 atomic_add_acq_rel_gpu(u32* counter, u32 value)
{
    u32 before;
    asm volatile("atom.acq_rel.gpu.global.add.u32 %0, [%1], %2;" : "=r"(before) : "l"(counter), "r"(value) : "memory");
    return before;
}

// Turns a relaxed read before it (an atomic's old value) into an acquire at GPU scope, without the cost of the
// sequentially consistent fence that __threadfence() is.
MARLIN_DEVICE void fence_acq_rel_gpu() { asm volatile("fence.acq_rel.gpu;" ::: "memory"); }

MARLIN_DEVICE void red_add_release_gpu(u32* counter, u32 value)
{
    asm volatile("red.release.gpu.global.add.u32 [%0], %1;" ::"l"(counter), "r"(value) : "memory");
}

MARLIN_DEVICE void nanosleep_ns(u32 ns) { asm volatile("nanosleep.u32 %0;" ::"r"(ns)); }

// ---------------------------------------------------------------------------------------------------------------
// Activations between the GEMMs (fp32, as the reference's float64 formulas; the result is rounded to bf16 once).
// ---------------------------------------------------------------------------------------------------------------

// Gated activations; gate and up already include their biases.
MARLIN_DEVICE float gated_activation(int act, float gate, float up)
{
    if (act == MARLIN_ACT_SWIGLU_CLAMPED)
    {
        // gpt-oss: g = min(gate, 7), u = clamp(up, -7, 7), g * sigmoid(1.702 g) * (u + 1).
        const float g = fminf(gate, 7.0f);
        const float u = fminf(fmaxf(up, -7.0f), 7.0f);
        return g / (1.0f + __expf(-1.702f * g)) * (u + 1.0f);
    }

    return gate / (1.0f + __expf(-gate)) * up;
}

MARLIN_DEVICE float relu_squared(float x)
{
    const float r = fmaxf(x, 0.0f);
    return r * r;
}
