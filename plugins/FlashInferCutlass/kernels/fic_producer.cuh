// FlashInferCutlass: the grouped GEMM's producer warpgroup. It takes work items from the queue, writes each stage's
// item into meta[s] and fills the stage: the weight tile by one bulk copy, the tokens either by bulk copies of their
// pre-tiled 64-row blocks (thread 0 alone does everything) or, for a GEMM1 that gathers, by all 128 threads with
// cp.async straight from the hidden states into the swizzled layout.
#pragma once
#include "fic_sm90.cuh"
#include "fic_gemm_args.cuh"
#include "fic_schedule.cuh"
#include "fic_pipeline.cuh"

namespace fic {

// Ring position `it` (a running count of stages) may be refilled once every consumer warp released its last use (with
// pairs: every consumer warp of both CTAs).
__device__ __forceinline__ void claim_stage(const Pipeline& pipe, int it) {
    if (it >= kStages) mbar_wait(pipe.empty(it % kStages), ((it / kStages) - 1) & 1);
}

// The k-step of a tile at which the producer takes the CTA's next work item: two steps before the tile's last, so the
// atomic's round trip overlaps the last copies, yet late enough that a CTA never sits on an item others could start.
__device__ __forceinline__ int claim_step(int k_tiles) { return max(k_tiles - 2, 0); }

__device__ __forceinline__ const u8* weight_tiles(const GemmArgs& args, const WorkTile& tile) {
    return args.b + (static_cast<size_t>(tile.expert) * args.n_tiles + tile.n_tile) * args.k_tiles * kWeightTileBytes;
}

__device__ __forceinline__ WorkTile decode(const GemmArgs& args, int item) {
    return decode_work(item, args.n_tiles, args.tile_offsets, args.tile_experts, args.row_offsets);
}

// Stage s's copies of the tile's pre-tiled token blocks (Xp or the intermediate) at k-step kb.
__device__ __forceinline__ void copy_token_blocks(const GemmArgs& args, const Pipeline& pipe, int s, const u8* tokens, int blocks, int kb, u32 bar) {
#pragma unroll
    for (int b = 0; b < kTileBlocks; ++b) {
        if (b < blocks) {
            bulk_load(pipe.tokens(s, b), tokens + (static_cast<size_t>(b) * args.k_tiles + kb) * kABlockBytes, kABlockBytes, bar);
        }
    }
}

// The end: one more stage (ring position `it`), carrying no data, tells every other role to stop.
__device__ __forceinline__ void publish_end(const Pipeline& pipe, int it) {
    const int s = it % kStages;
    claim_stage(pipe, it);
    pipe.meta()[s] = kEndItem;
    mbar_arrive(pipe.full(s));
}

// Thread 0 alone: per stage, bulk copies of the tile's token blocks (Xp or the intermediate, pre-tiled) and weights.
__device__ __forceinline__ void produce_bulk(const GemmArgs& args, const Pipeline& pipe, const WorkQueue& queue) {
    int* meta = pipe.meta();
    int it = 0;
    for (int item = queue.first(); item < queue.total;) {
        const WorkTile tile = decode(args, item);
        const u8* tokens = args.a + static_cast<size_t>(tile.first_block) * args.k_tiles * kABlockBytes;
        const u8* weights = weight_tiles(args, tile);
        const u32 bytes = static_cast<u32>(tile.blocks * kABlockBytes + kWeightTileBytes);
        const int claim_at = claim_step(args.k_tiles);
        int next = queue.total;
        for (int kb = 0; kb < args.k_tiles; ++kb, ++it) {
            const int s = it % kStages;
            claim_stage(pipe, it);
            if (kb == claim_at) next = queue.next();
            meta[s] = item;
            const u32 bar = pipe.full(s);
            mbar_arrive_expect_tx(bar, bytes);
            copy_token_blocks(args, pipe, s, tokens, tile.blocks, kb, bar);
            bulk_load(pipe.stored_weights(s), weights + static_cast<size_t>(kb) * kWeightTileBytes, kWeightTileBytes, bar);
        }
        item = next;
    }
    publish_end(pipe, it);
    queue.finish();
}

// Pairs (FIC_PAIRS 1): thread 0 of each CTA of a cluster. Pair p is work items 2p (the first CTA's) and 2p + 1 (the
// second's): in the list order those are neighbouring m-tiles of one expert and one n-tile, so the CTAs share the
// weight tile and each copies half of it into both (multicast), halving the weights' L2 -> SM traffic. A pair whose
// items need different weight tiles (an expert's last m-tile in a group of odd size) or that has no second item loads
// each CTA's tile whole; a CTA without an item runs the stages idle. The first CTA takes every pair from the queue
// (the first one too: a cluster that only becomes resident late then finds the work done) and hands it to the second.
struct PairChannel {
    const Pipeline& pipe;
    u32 rank;
    int sequence = 0;

    // The first CTA: the pair it took, into the second CTA's slot (once the second has read the previous one).
    __device__ __forceinline__ void send(int pair) {
        if (sequence > 0) mbar_wait<true>(pipe.pair_empty(), (sequence - 1) & 1);
        st_cluster_u32(map_to_rank(pipe.pair_slot(), 1), static_cast<u32>(pair));
        mbar_arrive_cluster(map_to_rank(pipe.pair_full(), 1));
        ++sequence;
    }

    // The second CTA: the pair the first took.
    __device__ __forceinline__ int receive() {
        mbar_wait<true>(pipe.pair_full(), sequence & 1);
        u32 pair;
        asm volatile("ld.shared.u32 %0, [%1];" : "=r"(pair) : "r"(pipe.pair_slot()) : "memory");
        mbar_arrive_cluster(map_to_rank(pipe.pair_empty(), 0));
        ++sequence;
        return static_cast<int>(pair);
    }

    __device__ __forceinline__ int next(const WorkQueue& queue) {
        if (rank != 0) return receive();
        const int pair = queue.take();
        send(pair);
        return pair;
    }
};

__device__ __forceinline__ void produce_pairs(const GemmArgs& args, const Pipeline& pipe, const WorkQueue& queue) {
    const u32 rank = cluster_rank();
    PairChannel channel{pipe, rank};
    const int pairs = (queue.total + 1) / 2;
    int* meta = pipe.meta();
    int it = 0;
    constexpr u32 kHalfTile = kBTileBytes / 2;
    for (int pair = channel.next(queue); pair < pairs;) {
        const int item = 2 * pair + static_cast<int>(rank), other = 2 * pair + static_cast<int>(rank ^ 1u);
        const bool working = item < queue.total;
        const WorkTile tile = working ? decode(args, item) : WorkTile{0, 0, 0, 0};
        bool shared = false;
        if (working && other < queue.total) {
            const WorkTile peer = decode(args, other);
            shared = peer.expert == tile.expert && peer.n_tile == tile.n_tile;
        }
        const u8* tokens = args.a + static_cast<size_t>(tile.first_block) * args.k_tiles * kABlockBytes;
        const u8* weights = weight_tiles(args, tile);
        const u32 bytes = working ? static_cast<u32>(tile.blocks * kABlockBytes + kWeightTileBytes) : 0u;
        const int claim_at = claim_step(args.k_tiles);
        int next = pairs;
        for (int kb = 0; kb < args.k_tiles; ++kb, ++it) {
            const int s = it % kStages;
            claim_stage(pipe, it);
            if (kb == claim_at) next = channel.next(queue);
            meta[s] = working ? item : kIdleItem;
            const u32 bar = pipe.full(s);
            mbar_arrive_expect_tx(bar, bytes);
            copy_token_blocks(args, pipe, s, tokens, tile.blocks, kb, bar);
            const u8* stage_weights = weights + static_cast<size_t>(kb) * kWeightTileBytes;
            if (shared) {
                bulk_load_both_ctas(pipe.stored_weights(s) + rank * kHalfTile, stage_weights + rank * kHalfTile, kHalfTile, bar);
            } else if (working) {
                bulk_load(pipe.stored_weights(s), stage_weights, kWeightTileBytes, bar);
            }
        }
        pair = next;
    }
    publish_end(pipe, it);
    if (rank == 0) queue.finish();
}

// All 128 threads: per stage, thread 0 takes the items and bulk-copies the weight tile; every thread copies 16-byte
// chunks of token rows (8 threads per 128-byte row, so a warp instruction reads four whole rows) from the hidden
// states into the stage's swizzled blocks, zero for padding rows and for columns past H, and arrives on full[s] once
// its copies have landed. Each tile row's token index is looked up once per tile into shared memory.
__device__ __forceinline__ void produce_gather(const GemmArgs& args, const Pipeline& pipe, const WorkQueue& queue) {
    const int t = static_cast<int>(threadIdx.x);
    const int chunk = t % 8;
    const int row_in_round = t / 8;  // rows row_in_round + 16 i
    const u16* hidden = reinterpret_cast<const u16*>(args.a);
    int* meta = pipe.meta();
    int* token_of = pipe.token_index();
    int it = 0;
    for (int item = queue.first(); item < queue.total;) {
        const WorkTile tile = decode(args, item);
        const int rows = tile.blocks * kBlockRows;
        for (int r = t; r < rows; r += kProducerThreads) {
            const int source = args.row_sources[tile.first_block * kBlockRows + r];
            token_of[r] = source >= 0 ? source / args.top_k : -1;
        }
        named_barrier_sync<1, kProducerThreads>();
        const u8* weights = weight_tiles(args, tile);
        const int claim_at = claim_step(args.k_tiles);
        int next = queue.total;
        for (int kb = 0; kb < args.k_tiles; ++kb, ++it) {
            const int s = it % kStages;
            claim_stage(pipe, it);
            const u32 bar = pipe.full(s);
            if (t == 0) {
                if (kb == claim_at) next = queue.next();
                meta[s] = item;
                mbar_arrive_expect_tx(bar, kWeightTileBytes);
                bulk_load(pipe.stored_weights(s), weights + static_cast<size_t>(kb) * kWeightTileBytes, kWeightTileBytes, bar);
            }
            const int column = kb * kTileK + chunk * 8;
#pragma unroll
            for (int i = 0; i < kTileTokenRows / 16; ++i) {
                const int row = row_in_round + 16 * i;
                if (row < rows) {
                    const int token = token_of[row];
                    const bool valid = token >= 0 && column < args.hidden_size;
                    const u16* source = valid ? hidden + static_cast<size_t>(token) * args.hidden_size + column : hidden;
                    cp_async_16_zfill(pipe.tokens(s, row / kBlockRows) + swizzled_offset(row % kBlockRows, chunk), source, valid);
                }
            }
            cp_async_arrive_noinc(bar);
        }
        // Every thread has read this tile's token indices before any is overwritten, and learns the next item.
        if (t == 0) *pipe.next_item_slot() = next;
        named_barrier_sync<1, kProducerThreads>();
        item = *pipe.next_item_slot();
    }
    const int s = it % kStages;
    claim_stage(pipe, it);
    if (t == 0) {
        meta[s] = kEndItem;
        mbar_arrive(pipe.full(s));
    }
    cp_async_arrive_noinc(pipe.full(s));
    cp_async_wait_all();
    if (t == 0) queue.finish();
}

}  // namespace fic
