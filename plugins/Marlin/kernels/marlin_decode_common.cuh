// Marlin backend, decode path: what its two pipelines share (marlin_decode.cu streams weights through a register ring
// and runs on SM 8.0+, marlin_decode_bulk.cu through the copy engine into a shared-memory ring and runs on SM 9.0+).
//
// Both run the whole MoE layer as one persistent kernel over work items of the same kind, handed out in order by an
// atomic ticket (DECODE_ITEM_TILES row tiles each: 1 in the register ring, 2 in the bulk-copy pipelines):
//   GEMM1 items (active expert a, W13 row tiles)       h[pair, 8 rows per tile] = act(W13 x + b13), bf16
//   GEMM2 items (active expert a, W2 row tiles, split)  partials[pair, split, 16 rows per tile] = W2 h (+ b2), fp32
// GEMM1 items come first. A GEMM2 item of expert e reads h only after every GEMM1 item of e is done (a per-expert
// counter); the last GEMM2 item of a row tile (a counter per item's first tile) reduces its tiles for every token,
// over the top-k slots and splits in a fixed order, with the router weights: the output is deterministic and written
// exactly once. The last CTA to exit resets the counters, so the kernel replays in a CUDA graph with no memset. Each
// CTA derives the active experts and their pairs from topk_ids itself (T * k <= 512), so no routing kernel runs before
// it.
#pragma once

#include "marlin_params.cuh"

#define DECODE_WARPS 4  // warps that multiply: each takes a share of an item's K
#define DECODE_MAX_PAIRS 512
#define DECODE_MAX_EXPERTS 1024
#define DECODE_MAX_CTA_WARPS 8  // the most warps a decode CTA has (routing's scan keeps one sum per warp)

// Row tiles per work item: the bulk-copy pipelines set it from MARLIN_ITEM_TILES (2: two row tiles share each stage's
// activation slices, marlin_decode_bulk.cu); the register ring takes 1.
#ifndef DECODE_ITEM_TILES
#define DECODE_ITEM_TILES 1
#endif
static_assert(DECODE_ITEM_TILES == 1 || DECODE_ITEM_TILES == 2, "one or two row tiles per item");

// The routing derivation's scratch; each pipeline lets it share memory with buffers first used after it.
struct RoutingScratch
{
    int ids[DECODE_MAX_PAIRS];
    int cursor[DECODE_MAX_PAIRS];
    u32 bitmap[DECODE_MAX_EXPERTS / 32];
    int word_prefix[DECODE_MAX_EXPERTS / 32];
};

// The launch's fixed divisors of the per-item bookkeeping (see Divisors below).
#define DECODE_DIVISORS 4

// A forward's routing, as every CTA derives it, and the launch's divisors.
struct DecodeRouting
{
    // Pairs of active expert a: sorted[offsets[a] .. offsets[a + 1]) (at most DECODE_MAX_PAIRS: 16 bits; one spare entry
    // keeps the next field 4-byte aligned, so the host's mirror of the struct has no padding to guess).
    u16 offsets[DECODE_MAX_PAIRS + 2];
    u16 sorted[DECODE_MAX_PAIRS];
    u16 active_expert[DECODE_MAX_PAIRS];
    int warp_sums[DECODE_MAX_CTA_WARPS];
    int active_count;
    FastDivisor divisors[DECODE_DIVISORS];
};

// Exclusive prefix sum over the CTA's THREADS threads; every thread also gets the total.
template <int THREADS>
MARLIN_DEVICE int block_exclusive_scan(DecodeRouting& r, int value, int& total)
{
    static_assert(THREADS % 32 == 0 && THREADS / 32 <= DECODE_MAX_CTA_WARPS, "whole warps, at most DECODE_MAX_CTA_WARPS");
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    int inclusive = value;
    for (int o = 1; o < 32; o <<= 1)
    {
        const int v = __shfl_up_sync(0xffffffffu, inclusive, o);
        if (lane >= o) inclusive += v;
    }
    if (lane == 31) r.warp_sums[warp] = inclusive;
    __syncthreads();
    int before = 0;
    total = 0;
    for (int w = 0; w < THREADS / 32; ++w)
    {
        if (w < warp) before += r.warp_sums[w];
        total += r.warp_sums[w];
    }
    __syncthreads();
    return before + inclusive - value;
}

MARLIN_DEVICE int active_rank(const RoutingScratch& scratch, int expert)
{
    const int w = expert >> 5;
    return scratch.word_prefix[w] + __popc(scratch.bitmap[w] & ((1u << (expert & 31)) - 1u));
}

// derive_routing for at most 32 pairs (one token at any top-k up to 32, or a few tokens): warp 0 alone, in registers, so
// that the CTA meets at one barrier instead of the eight of the general form (whose latency is most of a one-token
// forward's start). Pair i is lane i. An active expert's rank is the number of distinct smaller ids, its offset the
// number of pairs with smaller ids; a pair's place is its expert's offset plus the lower lanes with the same id.
MARLIN_DEVICE void derive_small_routing(const MarlinParams& p, DecodeRouting& routing, int pairs)
{
    const int lane = threadIdx.x & 31;
    const bool valid = lane < pairs;
    const int id = valid ? p.topk_ids[lane] : 0x7fffffff;  // past every expert id, so never counted as smaller
    if (valid && (id < 0 || id >= p.experts)) __trap();  // a contract violation: expert ids are in [0, E)
    const u32 peers = __match_any_sync(0xffffffffu, id);
    const bool leader = valid && __ffs(peers) - 1 == lane;  // the lowest lane of its id
    const u32 leaders = __ballot_sync(0xffffffffu, leader);
    int smaller_pairs = 0, smaller_experts = 0;
#pragma unroll 8
    for (int j = 0; j < 32; ++j)
    {
        const bool less = __shfl_sync(0xffffffffu, id, j) < id;
        smaller_pairs += less;
        smaller_experts += less && ((leaders >> j) & 1u);
    }
    if (leader)
    {
        routing.active_expert[smaller_experts] = (u16)id;
        routing.offsets[smaller_experts] = (u16)smaller_pairs;
    }
    if (valid) routing.sorted[smaller_pairs + __popc(peers & ((1u << lane) - 1u))] = (u16)lane;
    if (lane == 0)
    {
        routing.active_count = __popc(leaders);
        routing.offsets[__popc(leaders)] = (u16)pairs;
    }
}

// Whether derive_routing needs its shared scratch (more than 32 pairs) or derives the routing in one warp's registers.
MARLIN_DEVICE bool routing_uses_scratch(const MarlinParams& p) { return p.tokens * p.top_k > 32; }

// The active experts (ascending ids) and, for each, its (token, slot) pairs, from topk_ids. Thread 0 also stores
// `first_ticket` into *ticket_slot (the ticket is taken before the call, so that the atomic's round trip overlaps the
// reads of topk_ids); the barriers here publish it. Ends with a CTA barrier, after which the scratch is dead.
template <int THREADS>
MARLIN_DEVICE void derive_routing(const MarlinParams& p, DecodeRouting& routing, RoutingScratch& r, int* ticket_slot, u32 first_ticket)
{
    const int tid = threadIdx.x, lane = tid & 31;
    const int pairs = p.tokens * p.top_k;
    if (!routing_uses_scratch(p))
    {
        if (tid < 32) derive_small_routing(p, routing, pairs);
        if (tid == 0) *ticket_slot = (int)first_ticket;
        __syncthreads();
        return;
    }
    const int words = (p.experts + 31) >> 5;
    for (int i = tid; i < words; i += THREADS) r.bitmap[i] = 0;
    for (int i = tid; i < pairs; i += THREADS)
    {
        const int id = p.topk_ids[i];
        if (id < 0 || id >= p.experts) __trap();  // a contract violation: expert ids are in [0, E)
        r.ids[i] = id;
    }
    if (tid == 0) *ticket_slot = (int)first_ticket;
    __syncthreads();
    for (int i = tid; i < pairs; i += THREADS) atomicOr(&r.bitmap[r.ids[i] >> 5], 1u << (r.ids[i] & 31));
    __syncthreads();
    if (tid < 32)
    {
        const int count = lane < words ? __popc(r.bitmap[lane]) : 0;
        int inclusive = count;
        for (int o = 1; o < 32; o <<= 1)
        {
            const int v = __shfl_up_sync(0xffffffffu, inclusive, o);
            if (lane >= o) inclusive += v;
        }
        if (lane < words) r.word_prefix[lane] = inclusive - count;
        if (lane == 31) routing.active_count = inclusive;
    }
    __syncthreads();
    const int active = routing.active_count;
    for (int e = tid; e < p.experts; e += THREADS)
    {
        if (r.bitmap[e >> 5] & (1u << (e & 31))) routing.active_expert[active_rank(r, e)] = (u16)e;
    }
    for (int a = tid; a < active; a += THREADS) r.cursor[a] = 0;
    __syncthreads();
    for (int i = tid; i < pairs; i += THREADS) atomicAdd(&r.cursor[active_rank(r, r.ids[i])], 1);
    __syncthreads();

    // Offsets: each thread scans COUNTS consecutive counts (active <= 512 <= COUNTS * THREADS).
    constexpr int COUNTS = (DECODE_MAX_PAIRS + THREADS - 1) / THREADS;
    int counts[COUNTS], local = 0;
    for (int q = 0; q < COUNTS; ++q)
    {
        const int a = COUNTS * tid + q;
        counts[q] = a < active ? r.cursor[a] : 0;
        local += counts[q];
    }
    int total;
    int running = block_exclusive_scan<THREADS>(routing, local, total);
    for (int q = 0; q < COUNTS; ++q)
    {
        const int a = COUNTS * tid + q;
        if (a < active)
        {
            routing.offsets[a] = (u16)running;
            r.cursor[a] = running;
        }
        running += counts[q];
    }
    if (tid == 0) routing.offsets[active] = (u16)total;
    __syncthreads();

    // Order within an expert does not matter: every pair's column is computed independently of the others.
    for (int i = tid; i < pairs; i += THREADS)
    {
        const int position = atomicAdd(&r.cursor[active_rank(r, r.ids[i])], 1);
        routing.sorted[position] = (u16)i;
    }
    __syncthreads();
}

// ---------------------------------------------------------------------------------------------------------------
// Work items.
// ---------------------------------------------------------------------------------------------------------------

// The launch's fixed divisors of the per-item bookkeeping. Four threads of the CTA's last warp prepare one each into
// shared memory while the others read topk_ids (the 64-bit division behind each takes a while), and derive_routing's
// barriers publish them.
struct Divisors
{
    FastDivisor w13_items;               // GEMM1 items per expert
    FastDivisor gemm2_items_per_expert;  // W2 items (row tiles / DECODE_ITEM_TILES, rounded up) * splits2
    FastDivisor splits2;
    FastDivisor top_k;
};

// Work items per expert and matrix: its row tiles, DECODE_ITEM_TILES at a time (the last item may hold fewer).
MARLIN_DEVICE int w13_items(const MarlinParams& p) { return (p.w13_tiles + DECODE_ITEM_TILES - 1) / DECODE_ITEM_TILES; }
MARLIN_DEVICE int w2_items(const MarlinParams& p) { return (p.w2_tiles + DECODE_ITEM_TILES - 1) / DECODE_ITEM_TILES; }

template <int THREADS>
MARLIN_DEVICE void prepare_divisors(const MarlinParams& p, DecodeRouting& r)
{
    const int which = threadIdx.x - (THREADS - 32);
    if (which >= 0 && which < DECODE_DIVISORS)
    {
        const int divisor = which == 0 ? w13_items(p) : which == 1 ? w2_items(p) * p.splits2 : which == 2 ? p.splits2 : p.top_k;
        r.divisors[which] = fast_divisor((u32)divisor);
    }
}

MARLIN_DEVICE Divisors launch_divisors(const DecodeRouting& r)
{
    return Divisors{r.divisors[0], r.divisors[1], r.divisors[2], r.divisors[3]};
}

// One work item: which matrix, expert, row tile and K split, and its K range in chunks.
struct DecodeItem
{
    int active;
    int expert;
    int tile;         // the item's first row tile
    int tiles;        // its row tiles: DECODE_ITEM_TILES, or fewer for the last of an odd count
    int split;
    int chunk_begin;  // the item's K range: chunks [chunk_begin, chunk_end) of each of its row tiles
    int chunk_end;
    bool second;      // a GEMM2 item
};

MARLIN_DEVICE DecodeItem describe_item(const MarlinParams& p, const DecodeRouting& r, const Divisors& d, int item)
{
    DecodeItem it;
    const int items13 = r.active_count * w13_items(p);
    it.second = item >= items13;
    if (!it.second)
    {
        it.active = quotient(item, d.w13_items);
        it.tile = (item - it.active * (int)d.w13_items.divisor) * DECODE_ITEM_TILES;
        it.tiles = min(DECODE_ITEM_TILES, p.w13_tiles - it.tile);
        it.split = 0;
        it.chunk_begin = 0;
        it.chunk_end = p.chunks13;
    }
    else
    {
        const int rest = item - items13;
        it.active = quotient(rest, d.gemm2_items_per_expert);
        const int within = rest - it.active * (int)d.gemm2_items_per_expert.divisor;
        const int index = quotient(within, d.splits2);
        it.tile = index * DECODE_ITEM_TILES;
        it.tiles = min(DECODE_ITEM_TILES, p.w2_tiles - it.tile);
        it.split = within - index * p.splits2;
        it.chunk_begin = quotient(p.chunks2 * it.split, d.splits2);
        it.chunk_end = quotient(p.chunks2 * (it.split + 1), d.splits2);
    }
    it.expert = r.active_expert[it.active];
    return it;
}

// The first record of chunk `chunk` of the item's row tile.
MARLIN_DEVICE const u8* item_records(const MarlinParams& p, const DecodeItem& it, int chunk)
{
    const int tiles = it.second ? p.w2_tiles : p.w13_tiles;
    const int chunks = it.second ? p.chunks2 : p.chunks13;
    return (it.second ? p.w2 : p.w13) + ((size_t)it.expert * tiles * chunks + record_index(it.tile, chunk, chunks)) * (size_t)p.record_bytes;
}

// An item runs in groups of up to COLUMNS pairs of its expert (more than one group only when an expert has more pairs
// than that: duplicate ids in a row of topk_ids, or more tokens than the kernel was chosen for).
template <int COLUMNS>
MARLIN_DEVICE int item_groups(const DecodeRouting& r, int active)
{
    return (r.offsets[active + 1] - r.offsets[active] + COLUMNS - 1) / COLUMNS;
}

template <int COLUMNS>
MARLIN_DEVICE int group_columns(const DecodeRouting& r, int active, int group)
{
    return min(COLUMNS, r.offsets[active + 1] - r.offsets[active] - COLUMNS * group);
}

// The activation row of a pair: its token's hidden state (GEMM1) or its h (GEMM2).
MARLIN_DEVICE const u16* activation_row(const MarlinParams& p, const Divisors& d, bool second, int pair)
{
    return second ? p.intermediate + (size_t)pair * p.inter_size : p.hidden + (size_t)quotient(pair, d.top_k) * p.hidden_size;
}

// Spins until `*counter` reaches `target` (acquire: what the counted work wrote before its increments is visible after
// it). The work counted was taken earlier by running CTAs that need nothing from the waiting one, so it finishes within
// microseconds; a wait past moetune::kWaitLimitNs means a broken invariant, and a trap reports it where a hang would not
// (moetune::wait_until, as the mbarrier waits).
MARLIN_DEVICE void acquire_count(const u32* counter, u32 target)
{
    moetune::wait_until([&] { return ld_acquire_u32(counter) >= target; }, [] { nanosleep_ns(64); });
}

// Spins until every GEMM1 tile of `expert` is done: its h is complete.
MARLIN_DEVICE void acquire_gemm1_done(const MarlinParams& p, int expert)
{
    acquire_count(p.counters + MARLIN_COUNTER_EXPERT_DONE + expert, (u32)w13_items(p));
}

// ---------------------------------------------------------------------------------------------------------------
// Multiplication.
// ---------------------------------------------------------------------------------------------------------------

// One record against up to 8 * NT columns: four k-steps, each an A fragment decoded from one word of the lane's codes
// and NT mma steps. b[nt][h] is half h of the lane's 32 activation bytes of n-tile nt (k 16 t .. 16 t + 7, then + 8).
template <int NT, int FORMAT>
MARLIN_DEVICE void multiply_record(uint4 words, u32 scale_pair, const uint4 (&b)[NT][2], float (&acc)[NT][4],
                                 const ShiftMultipliers& shifts = constant_shift_multipliers())
{
    static_assert(NT == 1 || NT == 2, "one or two n-tiles");
    u32 scale_lo, scale_hi;
    decode_scales(scale_pair, scale_codec(FORMAT), scale_lo, scale_hi);
    const u32 w[4] = {words.x, words.y, words.z, words.w};
#pragma unroll
    for (int j = 0; j < 4; ++j)
    {
        u32 a[4];
        decode_a_fragment(w[j], scale_lo, scale_hi, a, shifts);
#pragma unroll
        for (int nt = 0; nt < NT; ++nt)
        {
            const uint4& half = b[nt][j >> 1];
            mma_step(acc[nt], a, (j & 1) ? half.z : half.x, (j & 1) ? half.w : half.y);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Results.
// ---------------------------------------------------------------------------------------------------------------

// Sums the four warps' accumulators (slot(warp)[nt][q][lane], in warp order). Thread -> (n-tile, lane, column parity);
// returns the rows g and g + 8 of that column, or false for threads past `tiles` n-tiles.
template <typename SlotOf>
MARLIN_DEVICE bool reduced_column(const SlotOf& slot, int tiles, int& column, int& g, float& row_lo, float& row_hi)
{
    const int tid = threadIdx.x;
    const int lane = tid & 31, parity = (tid >> 5) & 1, nt = tid >> 6;
    if (nt >= tiles) return false;
    g = lane >> 2;
    column = 8 * nt + 2 * (lane & 3) + parity;
    row_lo = 0.0f;
    row_hi = 0.0f;
#pragma unroll
    for (int w = 0; w < DECODE_WARPS; ++w)
    {
        row_lo += slot(w)[nt][parity][lane];
        row_hi += slot(w)[nt][parity + 2][lane];
    }
    return true;
}

// Stores this warp's accumulators of NT n-tiles into `slot` ([nt][q][lane]).
template <int NT, int NT_MAX>
MARLIN_DEVICE void store_accumulators(float (&slot)[NT_MAX][4][32], const float (&acc)[NT][4])
{
    const int lane = threadIdx.x & 31;
#pragma unroll
    for (int nt = 0; nt < NT; ++nt)
#pragma unroll
        for (int q = 0; q < 4; ++q) slot[nt][q][lane] = acc[nt][q];
}

// What a reduced column's rows g and g + 8 are scaled by and offset with before they are written: the expert's
// epilogue factor and the two rows' biases (GEMM1 gated: gate and up of h element 8 tile + g; GEMM1 ReLU²: h elements
// 16 tile + g and + 8; GEMM2: output rows 16 tile + g and + 8, bias on split 0 only). Zero where there is no bias.
struct ColumnEpilogue
{
    float factor;
    float bias_lo;
    float bias_hi;
};

MARLIN_DEVICE ColumnEpilogue column_epilogue(const MarlinParams& p, const DecodeItem& it, int row)
{
    if (!it.second)
    {
        const float* bias = p.bias13 != nullptr ? p.bias13 + (size_t)it.expert * (is_gated(p.activation) ? 2 : 1) * p.inter_size : nullptr;
        const int lo = is_gated(p.activation) ? 8 * it.tile + row : 16 * it.tile + row;
        const int hi = is_gated(p.activation) ? p.inter_size + lo : lo + 8;
        return ColumnEpilogue{p.epilogue13[it.expert], bias != nullptr ? bias[lo] : 0.0f, bias != nullptr ? bias[hi] : 0.0f};
    }
    const float* bias = p.bias2 != nullptr && it.split == 0 ? p.bias2 + (size_t)it.expert * p.hidden_size + 16 * it.tile + row : nullptr;
    return ColumnEpilogue{p.epilogue2[it.expert], bias != nullptr ? bias[0] : 0.0f, bias != nullptr ? bias[8] : 0.0f};
}

// h or the GEMM2 partials for one reduced column (rows g and g + 8 of the tile, before the epilogue factor).
MARLIN_DEVICE void write_column(const MarlinParams& p, const DecodeItem& it, int pair, int row, float lo, float hi, const ColumnEpilogue& e)
{
    const float first = lo * e.factor + e.bias_lo;
    const float second = hi * e.factor + e.bias_hi;
    if (!it.second)
    {
        u16* h = p.intermediate + (size_t)pair * p.inter_size;
        if (is_gated(p.activation))
        {
            h[8 * it.tile + row] = moetune::float_to_bf16(gated_activation(p.activation, first, second));
        }
        else
        {
            const int i = 16 * it.tile + row;
            h[i] = moetune::float_to_bf16(relu_squared(first));
            h[i + 8] = moetune::float_to_bf16(relu_squared(second));
        }
    }
    else
    {
        float* out = p.partials + ((size_t)pair * p.splits2 + it.split) * p.hidden_size + 16 * it.tile + row;
        out[0] = first;
        out[8] = second;
    }
}

MARLIN_DEVICE void write_column(const MarlinParams& p, const DecodeItem& it, int pair, int row, float lo, float hi)
{
    write_column(p, it, pair, row, lo, hi, column_epilogue(p, it, row));
}

// The last GEMM2 item of `tiles` neighbouring row tiles from `tile` on: output[t, rows] = sum over the (slot j, split)
// terms of w[t, j] * partial. It runs on the kernel's tail, where its load latencies add up, so it spreads them: each
// token's row quads (four consecutive rows, one 16-byte load per term) take `span` threads when there are fewer quads
// than threads (up to 8, so that one token's quads fill a warp), thread s of a span takes the terms s, s + span, ... in
// batches of LOADS, and the span's threads are summed by shuffles in a fixed tree. The order of the sums is fixed by
// the launch (T, top-k, splits, `tiles` and `threads`), not by timing, so the output is deterministic. Called by
// `threads` threads (whole warps), `thread` 0 .. threads - 1, for tokens [token_begin, token_begin + tokens).
// LOADS: the loads a thread has in flight at once, issued together and then summed in term order (a loop of load-then-add
// keeps one load in flight, one round trip per term, as the SASS showed); each costs 5 registers outside the main loop.
template <int LOADS>
MARLIN_DEVICE void reduce_row_tiles(const MarlinParams& p, int tile, int tiles, int thread, int threads, int token_begin, int tokens)
{
    const int quads_per_token = tiles * (MARLIN_TILE_ROWS / 4);
    const int quads = tokens * quads_per_token;
    int span = 1;
    while (span < 8 && 2 * span * quads <= threads) span *= 2;
    const int terms = p.top_k * p.splits2;  // term m: slot m / splits, split m % splits; partials of a token are contiguous in m
    for (int first = 0; first < quads * span; first += threads)
    {
        const int index = first + thread;
        const int quad = index / span, part = index % span;
        const int token = token_begin + quad / quads_per_token;
        const int row = MARLIN_TILE_ROWS * tile + 4 * (quad % quads_per_token);
        float4 sum = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        if (quad < quads)
        {
            const float* partials = p.partials + (size_t)token * terms * p.hidden_size + row;
            const float* weights = p.topk_weights + (size_t)token * p.top_k;
            for (int batch = part; batch < terms; batch += LOADS * span)
            {
                float4 v[LOADS];
                float w[LOADS];
#pragma unroll
                for (int j = 0; j < LOADS; ++j)
                {
                    const int m = batch + j * span;
                    if (m < terms)
                    {
                        v[j] = ld_cg_f32x4(partials + (size_t)m * p.hidden_size);
                        w[j] = __ldg(weights + m / p.splits2);
                    }
                }
#pragma unroll
                for (int j = 0; j < LOADS; ++j)
                {
                    if (batch + j * span < terms)
                    {
                        sum.x += w[j] * v[j].x;
                        sum.y += w[j] * v[j].y;
                        sum.z += w[j] * v[j].z;
                        sum.w += w[j] * v[j].w;
                    }
                }
            }
        }
        for (int offset = span / 2; offset > 0; offset >>= 1)  // a + b on both lanes of a pair: the same value
        {
            sum.x += __shfl_xor_sync(0xffffffffu, sum.x, offset);
            sum.y += __shfl_xor_sync(0xffffffffu, sum.y, offset);
            sum.z += __shfl_xor_sync(0xffffffffu, sum.z, offset);
            sum.w += __shfl_xor_sync(0xffffffffu, sum.w, offset);
        }
        if (quad < quads && part == 0)
            *reinterpret_cast<uint2*>(p.output + (size_t)token * p.hidden_size + row) =
                make_uint2(moetune::pack_bf16x2(sum.x, sum.y), moetune::pack_bf16x2(sum.z, sum.w));
    }
}

// The last CTA out resets the counters for the next forward (every CTA has taken its final ticket by then), the row
// tiles' counters too where no reducing warp reset them (`row_tiles`). Called by every thread of the CTA once its work
// is done; `is_last` is a shared int.
template <int THREADS>
MARLIN_DEVICE void reset_counters_if_last(const MarlinParams& p, int& is_last, bool row_tiles = false)
{
    __syncthreads();  // every thread is done with the CTA's work (and with any earlier use of is_last)
    // Release: the CTA's uses of the counters (ordered before by the barrier) precede the increment; acquire: the last
    // CTA's resets follow every other CTA's (one round trip, no sequentially consistent fence on either side).
    if (threadIdx.x == 0) is_last = atomic_add_acq_rel_gpu(p.counters + MARLIN_COUNTER_EXITED, 1u) == gridDim.x - 1u;
    __syncthreads();
    if (is_last)
    {
        u32* expert_done = p.counters + MARLIN_COUNTER_EXPERT_DONE;
        const int counters = p.experts + (row_tiles ? p.w2_tiles : 0);  // the row tiles' follow the experts'
        for (int e = threadIdx.x; e < counters; e += THREADS) expert_done[e] = 0;
        if (threadIdx.x == 0)
        {
            p.counters[MARLIN_COUNTER_TICKET] = 0;
            p.counters[MARLIN_COUNTER_EXITED] = 0;
        }
    }
}
