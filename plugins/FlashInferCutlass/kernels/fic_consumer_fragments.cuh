// FlashInferCutlass: the consumer warpgroups of the Fragments form (weights as register fragments). The CTA tile is
// 128 weight rows x up to 256 tokens: warpgroup c owns weight rows 64c .. 64c + 63 as wgmma's A operand, loaded from the
// stage's fragment tile straight into registers (NVFP4 converted on the way: no bf16 tile in shared memory, no proxy
// fence, no barrier between the converting threads; bf16 loaded as stored), and multiplies them by the tile's tokens,
// wgmma's B operand, with N = 64 x blocks: a tile of fewer than four blocks costs proportionally less, and no warpgroup
// idles. The accumulators are the output transposed (weight rows x tokens); the epilogue turns them back through shared
// memory (fic_epilogue_fragments.cuh).
//
// Each k-step's fragments (16 registers) are converted while the tensor cores multiply the previous k-step's, into the
// other of two register sets: the loop body is written twice so that both sets have fixed registers. wgmma reads its
// A registers asynchronously; a set is overwritten only after the wgmma_wait that retires the group reading it.
//
// The tile's N (its block count) is a template parameter of the whole k-loop, chosen once per tile. Chosen per k-step
// by a switch around the wgmma calls (round 3), it made ptxas close every k-step with an extra, empty wgmma group at
// the switch's join (HGMMA.64x8x16 RZ in the SASS), so wgmma_wait<1> retired the k-step's own group and a warpgroup's
// conversion overlapped only the other warpgroup's multiplies (measured: GEMM2 5 % faster without it).
#pragma once
#include "fic_sm90.cuh"
#include "fic_wgmma.cuh"
#include "fic_gemm_args.cuh"
#include "fic_schedule.cuh"
#include "fic_pipeline.cuh"
#include "fic_fp4.cuh"
#include "fic_epilogue_fragments.cuh"

namespace fic {

// One k-step's A registers of this thread: [16-column chunk][a0 .. a3].
struct Fragments {
    u32 a[kTileK / 16][4];
};

// This thread's fragments of stage s. NVFP4: its 16-byte record of codes and its quad's 16-byte record of scales
// (Nvfp4FragmentTiler.cs), converted to bf16 pairs times their block scales (x 2^-8, undone in the epilogue). bf16: its
// four 16-byte records, one per 16-column chunk (Bf16FragmentTiler.cs), already the A registers.
__device__ __forceinline__ void load_fragments(const Pipeline& pipe, int s, int warpgroup, Fragments& f) {
    const int t = static_cast<int>(threadIdx.x % 128);
    const u8* stored = pipe.stored_weights_ptr(s);
    if constexpr (kFp4) {
        const uint4 codes = *reinterpret_cast<const uint4*>(stored + (warpgroup * 128 + t) * 16);
        const uint4 scales = *reinterpret_cast<const uint4*>(stored + kFragCodeBytes + (warpgroup * 32 + t / 4) * 16);
        fp4_fragment_to_bf16(codes.x, scales.x, f.a[0]);
        fp4_fragment_to_bf16(codes.y, scales.y, f.a[1]);
        fp4_fragment_to_bf16(codes.z, scales.z, f.a[2]);
        fp4_fragment_to_bf16(codes.w, scales.w, f.a[3]);
    } else {
#pragma unroll
        for (int kk = 0; kk < kTileK / 16; ++kk) {
            const uint4 r = *reinterpret_cast<const uint4*>(stored + ((kk * 2 + warpgroup) * 128 + t) * 16);
            f.a[kk][0] = r.x;
            f.a[kk][1] = r.y;
            f.a[kk][2] = r.z;
            f.a[kk][3] = r.w;
        }
    }
}

template <int Blocks>
__device__ __forceinline__ void issue_fragments(float (&acc)[128], const Fragments& f, u64 desc_b, int kb) {
#pragma unroll
    for (int k = 0; k < kTileK / 16; ++k) wgmma_rs_bf16<Blocks>(acc, f.a[k], desc_b + 2 * k, (kb | k) != 0);
}

// 4 x wgmma m64nNk16 (N = 64 x Blocks) over one 64-deep stage: this warpgroup's weight rows times the stage's tokens.
template <int Blocks>
__device__ __forceinline__ void multiply_fragments(float (&acc)[128], const Fragments& f, u32 tokens, int kb) {
    const u64 desc_b = smem_desc_sw128(tokens);
    wgmma_fence();
    issue_fragments<Blocks>(acc, f, desc_b, kb);
    wgmma_commit();
}

// Where one k-step of a tile stands: the running stage count and the stage whose wgmma group may still be reading.
struct StepState {
    int it;
    int pending;
};

// One k-step: multiply with `current`, retire the previous group (releasing its stage and the other register set),
// then convert the tile's next k-step into `following` while this one runs.
template <int Blocks>
__device__ __forceinline__ void fragment_step(const GemmArgs& args, const Pipeline& pipe, const WorkTile& tile, int warpgroup,
                                              int kb, float (&acc)[128], const Fragments& current, Fragments& following,
                                              StepState& state, FragmentEpilogueInputs& in) {
    const int s = state.it % kStages;
    multiply_fragments<Blocks>(acc, current, pipe.tokens(s), kb);
    if (kb == 0) fragment_dependent_loads(args, in);
    wgmma_wait<1>();
    if (state.pending >= 0 && threadIdx.x % 32 == 0) mbar_arrive(pipe.empty(state.pending));
    state.pending = s;
    if (kb + 1 < args.k_tiles) {
        const int next = state.it + 1;
        mbar_wait(pipe.full(next % kStages), (next / kStages) & 1);
        load_fragments(pipe, next % kStages, warpgroup, following);
    }
    ++state.it;
}

// A tile's k-loop with its N fixed; every group it issues is retired before it returns, so none crosses a join.
template <int Blocks>
__device__ __forceinline__ void fragment_mainloop(const GemmArgs& args, const Pipeline& pipe, const WorkTile& tile, int warpgroup,
                                                  float (&acc)[128], Fragments& even, Fragments& odd, StepState& state,
                                                  FragmentEpilogueInputs& in) {
    for (int kb = 0; kb < args.k_tiles; kb += 2) {
        fragment_step<Blocks>(args, pipe, tile, warpgroup, kb, acc, even, odd, state, in);
        if (kb + 1 == args.k_tiles) break;
        fragment_step<Blocks>(args, pipe, tile, warpgroup, kb + 1, acc, odd, even, state, in);
    }
    wgmma_wait<0>();
}

__device__ __forceinline__ void consume_fragments(const GemmArgs& args, const Pipeline& pipe, int warpgroup) {
    const int* meta = pipe.meta();
    float acc[128];
    // Defined once so that no instruction but wgmma ever writes the accumulators (ptxas would serialise wgmma).
#pragma unroll
    for (int i = 0; i < 128; ++i) acc[i] = 0.0f;
    Fragments even, odd;
    StepState state{0, -1};
    for (int tiles_done = 0;; ++tiles_done) {
        const int s = state.it % kStages;
        mbar_wait(pipe.full(s), (state.it / kStages) & 1);
        const int item = warp_uniform(meta[s]);
        if (item < 0) return;
        const WorkTile tile = decode_work(item, args.n_tiles, args.tile_offsets, args.tile_experts, args.row_offsets);
        FragmentEpilogueInputs in = fragment_epilogue_loads(args, tile);
        load_fragments(pipe, s, warpgroup, even);
        state.pending = -1;
        switch (warp_uniform(tile.blocks)) {
            case 1: fragment_mainloop<1>(args, pipe, tile, warpgroup, acc, even, odd, state, in); break;
            case 2: fragment_mainloop<2>(args, pipe, tile, warpgroup, acc, even, odd, state, in); break;
            case 3: fragment_mainloop<3>(args, pipe, tile, warpgroup, acc, even, odd, state, in); break;
            default: fragment_mainloop<4>(args, pipe, tile, warpgroup, acc, even, odd, state, in); break;
        }
        if (threadIdx.x % 32 == 0) mbar_arrive(pipe.empty(state.pending));
#pragma unroll
        for (int i = 0; i < 128; ++i) register_fence(acc[i]);
        run_fragment_epilogue(args, pipe, tile, warpgroup, in, acc, tiles_done & 1);
    }
}

}  // namespace fic
