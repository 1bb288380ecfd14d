// Self-tests of the shared headers, run by the GPU suite against the CPU reference: number-format conversions,
// and one warp's cp.async -> ldmatrix -> mma.sync round trip. Plugins build on these helpers, so they are checked
// on the device, not only compiled.
#include "moetune/types.cuh"
#include "moetune/bf16.cuh"
#include "moetune/fp8.cuh"
#include "moetune/fp4.cuh"
#include "moetune/cp_async.cuh"
#include "moetune/mma.cuh"

using namespace moetune;

// Thread i converts inputs[i] (i < count) and decodes code i (i < 256).
extern "C" __global__ void moetune_selftest_formats(
    const float* __restrict__ inputs, int count,
    u16* __restrict__ to_bf16,             // [count]
    u8* __restrict__ to_e4m3,              // [count]
    float* __restrict__ e4m3_values,       // [256]
    float* __restrict__ e8m0_values,       // [256]
    u32* __restrict__ e2m1_pairs,          // [256]: byte i as two E2M1 codes -> bf16x2
    float* __restrict__ e2m1_values) {     // [16]
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) {
        to_bf16[i] = float_to_bf16(inputs[i]);
        to_e4m3[i] = static_cast<u8>(float_to_e4m3(inputs[i]));
    }
    if (i < 256) {
        e4m3_values[i] = e4m3_to_float(static_cast<u32>(i));
        e8m0_values[i] = e8m0_to_float(static_cast<u32>(i));
        e2m1_pairs[i] = e2m1x2_to_bf16x2(static_cast<u32>(i));
    }
    if (i < 16) {
        e2m1_values[i] = e2m1_to_float(static_cast<u32>(i));
    }
}

// One warp: D[16x8] = A[16x16] * B[16x8] with A row-major and B given transposed (bt[n][k]), both bf16, D f32.
// A arrives through cp.async with an evict-first policy, B through plain cp.async; `zeros` receives 16 bytes that a
// zero-filling cp.async produced without reading its source.
extern "C" __global__ void moetune_selftest_mma(
    const u16* __restrict__ a, const u16* __restrict__ bt, float* __restrict__ d, u16* __restrict__ zeros) {
    __shared__ __align__(16) u16 shared_a[16 * 16];
    __shared__ __align__(16) u16 shared_b[8 * 16];
    __shared__ __align__(16) u16 shared_zero[8];
    const int lane = static_cast<int>(threadIdx.x);
    cp_async_16_policy(shared_a + lane * 8, a + lane * 8, l2_evict_first_policy());
    if (lane < 16) {
        cp_async_16(shared_b + lane * 8, bt + lane * 8);
    }
    if (lane == 0) {
        cp_async_16_zfill(shared_zero, a, false);
    }
    cp_async_commit();
    cp_async_wait<0>();
    __syncwarp();

    u32 fragment_a[4];
    ldmatrix_x4(fragment_a, shared_a + (lane % 16) * 16 + (lane / 16) * 8);
    u32 fragment_b[2];
    ldmatrix_x2(fragment_b, shared_b + (lane % 8) * 16 + ((lane / 8) % 2) * 8);
    float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    mma_m16n8k16_bf16(acc, fragment_a, fragment_b);

    const int group = lane >> 2;
    const int pair = (lane & 3) * 2;
    d[group * 8 + pair] = acc[0];
    d[group * 8 + pair + 1] = acc[1];
    d[(group + 8) * 8 + pair] = acc[2];
    d[(group + 8) * 8 + pair + 1] = acc[3];
    if (lane < 8) {
        zeros[lane] = shared_zero[lane];
    }
}
