// Marlin backend, decode path (few tokens): the whole MoE layer in one persistent kernel.
//
// Work items, handed out in order by an atomic ticket:
//   GEMM1 items (active expert a, W13 row tile)       h[pair, 8 rows] = act(W13 x + b13), bf16
//   GEMM2 items (active expert a, W2 row tile, split)  partials[pair, split, 16 rows] = W2 h (+ b2), fp32
// A GEMM2 item of expert e waits until every GEMM1 tile of e is done (a per-expert counter). Tickets are taken in
// order and GEMM1 items come first, so an item is only ever waited on by CTAs that took their tickets after it was
// taken by a running CTA: there is no deadlock whatever the number of resident CTAs. A CTA holds up to two tickets
// ahead of the item it runs (see decode_moe); they are later than that item, so a CTA whose item waits holds only GEMM2
// items and the invariant stands. The last GEMM2 item of a row tile (a per-row-tile counter) reduces that tile for every
// token, over the top-k slots and splits in a fixed order, with the router weights: the output is deterministic and
// written exactly once. The last CTA to exit resets the counters, so the kernel replays in a CUDA graph with no memset.
//
// Inside an item the four warps split K. The kernel is bound by how many weight bytes are in flight and by the
// instructions spent per byte, so a warp's weight records go straight from global memory into a ring of registers
// (one 16-byte load of codes and one 2-byte load of scales per lane per record, L1 skipped, L2 evict-first), and the
// ring carries over from item to item: right after a warp streams its last record of an item it loads the first
// records of its next one, whose loads then fly while the CTA reduces and stores. The activations (hidden states
// for GEMM1, h for GEMM2, both L2-resident) stream through a per-warp cp.async ring in shared memory at the same
// distance. Each CTA derives the active experts and their pairs from topk_ids itself (T * k <= 512), so no routing
// kernel runs before it.
#include "marlin_params.cuh"

#define DECODE_WARPS 4
#define DECODE_THREADS (DECODE_WARPS * 32)
#define DECODE_STAGES 4
#define DECODE_MAX_PAIRS 512
#define DECODE_MAX_EXPERTS 1024
#define DECODE_COLUMN_BYTES 1024  // one n-tile's activations for one chunk: 32 lanes x 32 bytes

// The routing derivation's scratch; it shares memory with the activation rings, which are first used after it.
struct RoutingScratch
{
    int ids[DECODE_MAX_PAIRS];
    int cursor[DECODE_MAX_PAIRS];
    u32 bitmap[DECODE_MAX_EXPERTS / 32];
    int word_prefix[DECODE_MAX_EXPERTS / 32];
};

template <int NT>
struct DecodeShared
{
    union
    {
        // Per warp and stage, per n-tile: each lane's first 16 bytes of its column's 32-byte k range, then the second
        // 16 (so that the lanes' 16-byte reads are consecutive and conflict-free). A lane reads only what it copied.
        u8 stage_b[DECODE_WARPS][DECODE_STAGES][NT * DECODE_COLUMN_BYTES];
        RoutingScratch scratch;
    };
    float reduce[DECODE_WARPS][NT][4][32];
    int offsets[DECODE_MAX_PAIRS + 1];  // pairs of active expert a: sorted[offsets[a] .. offsets[a + 1])
    u16 sorted[DECODE_MAX_PAIRS];
    u16 active_expert[DECODE_MAX_PAIRS];
    int warp_sums[DECODE_WARPS];
    int tickets[4];  // ring of the tickets a CTA holds (see decode_moe)
    int active_count;
    int is_last;
    FastDivisor divisors[4];  // see Divisors
};

// Exclusive prefix sum over the CTA; every thread also gets the total.
template <int NT>
MARLIN_DEVICE int block_exclusive_scan(DecodeShared<NT>& s, int value, int& total)
{
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    int inclusive = value;
    for (int o = 1; o < 32; o <<= 1)
    {
        const int v = __shfl_up_sync(0xffffffffu, inclusive, o);
        if (lane >= o) inclusive += v;
    }
    if (lane == 31) s.warp_sums[warp] = inclusive;
    __syncthreads();
    int before = 0;
    total = 0;
    for (int w = 0; w < DECODE_WARPS; ++w)
    {
        if (w < warp) before += s.warp_sums[w];
        total += s.warp_sums[w];
    }
    __syncthreads();
    return before + inclusive - value;
}

template <int NT>
MARLIN_DEVICE int active_rank(const DecodeShared<NT>& s, int expert)
{
    const int w = expert >> 5;
    return s.scratch.word_prefix[w] + __popc(s.scratch.bitmap[w] & ((1u << (expert & 31)) - 1u));
}

// The active experts (ascending ids) and, for each, its (token, slot) pairs, from topk_ids. Thread 0 also publishes
// the CTA's first ticket (taken before the call, so that the atomic's round trip overlaps the reads of topk_ids).
template <int NT>
MARLIN_DEVICE void derive_routing(const MarlinParams& p, DecodeShared<NT>& s, u32 first_ticket)
{
    RoutingScratch& r = s.scratch;
    const int tid = threadIdx.x, lane = tid & 31;
    const int pairs = p.tokens * p.top_k;
    const int words = (p.experts + 31) >> 5;
    for (int i = tid; i < words; i += DECODE_THREADS) r.bitmap[i] = 0;
    for (int i = tid; i < pairs; i += DECODE_THREADS)
    {
        const int id = p.topk_ids[i];
        if (id < 0 || id >= p.experts) __trap();  // a contract violation: expert ids are in [0, E)
        r.ids[i] = id;
    }
    if (tid == 0) s.tickets[0] = (int)first_ticket;
    __syncthreads();
    for (int i = tid; i < pairs; i += DECODE_THREADS) atomicOr(&r.bitmap[r.ids[i] >> 5], 1u << (r.ids[i] & 31));
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
        if (lane == 31) s.active_count = inclusive;
    }
    __syncthreads();
    const int active = s.active_count;
    for (int e = tid; e < p.experts; e += DECODE_THREADS)
    {
        if (r.bitmap[e >> 5] & (1u << (e & 31))) s.active_expert[active_rank(s, e)] = (u16)e;
    }
    for (int a = tid; a < active; a += DECODE_THREADS) r.cursor[a] = 0;
    __syncthreads();
    for (int i = tid; i < pairs; i += DECODE_THREADS) atomicAdd(&r.cursor[active_rank(s, r.ids[i])], 1);
    __syncthreads();

    // Offsets: each thread scans four consecutive counts (active <= 512 = 4 * 128).
    int counts[4], local = 0;
    for (int q = 0; q < 4; ++q)
    {
        const int a = 4 * tid + q;
        counts[q] = a < active ? r.cursor[a] : 0;
        local += counts[q];
    }
    int total;
    int running = block_exclusive_scan(s, local, total);
    for (int q = 0; q < 4; ++q)
    {
        const int a = 4 * tid + q;
        if (a < active)
        {
            s.offsets[a] = running;
            r.cursor[a] = running;
        }
        running += counts[q];
    }
    if (tid == 0) s.offsets[active] = total;
    __syncthreads();

    // Order within an expert does not matter: every pair's column is computed independently of the others.
    for (int i = tid; i < pairs; i += DECODE_THREADS)
    {
        const int position = atomicAdd(&r.cursor[active_rank(s, r.ids[i])], 1);
        s.sorted[position] = (u16)i;
    }
    __syncthreads();  // the scratch is dead from here on: the activation rings reuse its memory
}

// What a warp streams in one pass over an item: its K range of one row tile, for one group of up to 8 * NT pairs (more
// than one group only when an expert has more pairs than that: duplicate ids in a row of topk_ids, or more tokens than
// the kernel was chosen for).
struct Pass
{
    const u8* records;  // the warp's first record
    int chunk_begin;    // its first chunk (the activations' offset)
    int chunks;         // its chunk count (zero when the item has fewer chunks than warps)
    int active;
    int expert;
    int tile;
    int split;
    int group;
    int columns;        // pairs in this group
    bool second;        // a GEMM2 item
};

// The launch's fixed divisors of the per-item bookkeeping. Four threads of the last warp prepare one each into shared
// memory while the others read topk_ids (the 64-bit division behind each takes a while), and derive_routing's barriers
// publish them.
struct Divisors
{
    FastDivisor w13_tiles;
    FastDivisor gemm2_items_per_expert;  // w2_tiles * splits2
    FastDivisor splits2;
    FastDivisor top_k;
};

template <int NT>
MARLIN_DEVICE void prepare_divisors(const MarlinParams& p, DecodeShared<NT>& s)
{
    const int which = threadIdx.x - (DECODE_THREADS - 32);
    if (which >= 0 && which < 4)
    {
        const int divisor = which == 0 ? p.w13_tiles : which == 1 ? p.w2_tiles * p.splits2 : which == 2 ? p.splits2 : p.top_k;
        s.divisors[which] = fast_divisor((u32)divisor);
    }
}

template <int NT>
MARLIN_DEVICE Divisors launch_divisors(const DecodeShared<NT>& s)
{
    return Divisors{s.divisors[0], s.divisors[1], s.divisors[2], s.divisors[3]};
}

template <int NT>
MARLIN_DEVICE int item_groups(const DecodeShared<NT>& s, int active)
{
    return (s.offsets[active + 1] - s.offsets[active] + 8 * NT - 1) / (8 * NT);
}

template <int NT>
MARLIN_DEVICE Pass describe_pass(const MarlinParams& p, const DecodeShared<NT>& s, const Divisors& d, int item, int group)
{
    const int warp = threadIdx.x >> 5;
    Pass q;
    const int items13 = s.active_count * p.w13_tiles;
    q.second = item >= items13;
    int item_begin, item_end;
    if (!q.second)
    {
        q.active = quotient(item, d.w13_tiles);
        q.tile = item - q.active * p.w13_tiles;
        q.split = 0;
        item_begin = 0;
        item_end = p.chunks13;
    }
    else
    {
        const int rest = item - items13;
        q.active = quotient(rest, d.gemm2_items_per_expert);
        const int within = rest - q.active * (int)d.gemm2_items_per_expert.divisor;
        q.tile = quotient(within, d.splits2);
        q.split = within - q.tile * p.splits2;
        item_begin = quotient(p.chunks2 * q.split, d.splits2);
        item_end = quotient(p.chunks2 * (q.split + 1), d.splits2);
    }
    q.expert = s.active_expert[q.active];
    q.group = group;
    q.columns = min(8 * NT, s.offsets[q.active + 1] - s.offsets[q.active] - 8 * NT * group);
    const int chunks = q.second ? p.chunks2 : p.chunks13;
    const int span = item_end - item_begin;
    q.chunk_begin = item_begin + span * warp / DECODE_WARPS;
    q.chunks = item_begin + span * (warp + 1) / DECODE_WARPS - q.chunk_begin;
    const int tiles = q.second ? p.w2_tiles : p.w13_tiles;
    q.records = (q.second ? p.w2 : p.w13) +
                (((size_t)q.expert * tiles + q.tile) * (size_t)chunks + q.chunk_begin) * (size_t)p.record_bytes;
    return q;
}

// A lane's constants for streaming.
struct LaneStream
{
    u32 ring_b;        // shared address of this warp's activation ring, plus this lane's 16-byte offset
    int scale_offset;  // this lane's two scale bytes inside a record
    u64 policy;        // L2 evict-first
};

// A warp's register ring of weight records: stage s holds the lane's 16 code bytes and 2 scale bytes of one record.
// Every index into it is a compile-time constant (template arguments), so it stays in registers.
struct WeightRing
{
    uint4 words[DECODE_STAGES];
    u32 scales[DECODE_STAGES];
};

// Record C counted from `data` and `scales` (this lane's code and scale bytes of the first record) into stage S. The
// offsets are immediates, so a ring's stages share one base register.
template <int FORMAT, int S, int C>
MARLIN_DEVICE void load_weights(WeightRing& ring, const u8* data, const u8* scales, u64 policy)
{
    ring.words[S] = ldg_stream_v4<C * record_bytes_of(FORMAT)>(data, policy);
    ring.scales[S] = ldg_stream_u16<C * record_bytes_of(FORMAT)>(scales, policy);
}

// Loads a pass's first records into stages S .. DECODE_STAGES - 2 (call with S = 0), where PassStream expects them.
template <int FORMAT, int S = 0>
MARLIN_DEVICE void prefetch_pass(WeightRing& ring, const Pass& q, const LaneStream& lane)
{
    if constexpr (S < DECODE_STAGES - 1)
    {
        if (S < q.chunks) load_weights<FORMAT, S, S>(ring, q.records + 16 * (threadIdx.x & 31), q.records + lane.scale_offset, lane.policy);
        prefetch_pass<FORMAT, S + 1>(ring, q, lane);
    }
}

// One record against up to 8 * NT columns, whose activations sit at ring_b + STAGE_OFFSET: four k-steps, each an A
// fragment decoded from one word and NT mma steps.
template <int NT, int FORMAT, int STAGE_OFFSET>
MARLIN_DEVICE void multiply_record(uint4 words, u32 scale_pair, u32 ring_b, float (&acc)[NT][4])
{
    static_assert(NT == 1 || NT == 2, "one or two n-tiles");
    u32 scale_lo, scale_hi;
    decode_scales(scale_pair, scale_codec(FORMAT), scale_lo, scale_hi);
    uint4 b[NT][2];
    b[0][0] = lds128_at<STAGE_OFFSET>(ring_b);
    b[0][1] = lds128_at<STAGE_OFFSET + 512>(ring_b);
    if constexpr (NT == 2)
    {
        b[NT - 1][0] = lds128_at<STAGE_OFFSET + DECODE_COLUMN_BYTES>(ring_b);
        b[NT - 1][1] = lds128_at<STAGE_OFFSET + DECODE_COLUMN_BYTES + 512>(ring_b);
    }
    const u32 w[4] = {words.x, words.y, words.z, words.w};
#pragma unroll
    for (int j = 0; j < 4; ++j)
    {
        u32 a[4];
        decode_a_fragment(w[j], scale_lo, scale_hi, a);
#pragma unroll
        for (int nt = 0; nt < NT; ++nt)
        {
            const uint4& half = b[nt][j >> 1];
            mma_step(acc[nt], a, (j & 1) ? half.z : half.x, (j & 1) ? half.w : half.y);
        }
    }
}

// Streams one pass of a warp. The weight ring already holds the pass's first records (prefetch_pass). Column
// 8 nt + g's activations come from columns[nt] (offset to the pass's first chunk and to this lane's 16 k), zero-filled
// where column_bytes[nt] is 0 (columns past the group). Activation stages are NT_MAX n-tiles wide.
//
// Chunk i sits in stage i mod STAGES of both rings; step i issues chunk i + STAGES - 1 into the stage that step i - 1
// has just consumed, then waits for chunk i's activations (its weights arrive through the register scoreboard). Steps
// are unrolled by the ring's depth from pointers advanced once per round, so every address is an immediate offset; the
// rounds whose issues all fall inside the pass run without bounds checks, the last one or two with them.
template <int NT, int NT_MAX, int FORMAT>
struct PassStream
{
    static constexpr int D = DECODE_STAGES;
    static constexpr int stage_bytes = NT_MAX * DECODE_COLUMN_BYTES;
    static constexpr int chunk_bytes = MARLIN_CHUNK_K * 2;  // one column's activations per chunk

    WeightRing& ring;
    float (&acc)[NT][4];
    const LaneStream& lane;
    const u8* data;
    const u8* scales;
    const u8* columns[NT];
    u32 column_bytes[NT];

    // Activations of chunk C (counted from the pointers) into stage S.
    template <int S, int C>
    MARLIN_DEVICE void issue_columns()
    {
        constexpr int shared = S * stage_bytes, global = C * chunk_bytes;
        cp_async_16_zfill_at<shared, global>(lane.ring_b, columns[0], column_bytes[0]);
        cp_async_16_zfill_at<shared + 512, global + 16>(lane.ring_b, columns[0], column_bytes[0]);
        if constexpr (NT == 2)
        {
            cp_async_16_zfill_at<shared + DECODE_COLUMN_BYTES, global>(lane.ring_b, columns[NT - 1], column_bytes[NT - 1]);
            cp_async_16_zfill_at<shared + DECODE_COLUMN_BYTES + 512, global + 16>(lane.ring_b, columns[NT - 1], column_bytes[NT - 1]);
        }
    }

    // Step U of a round: issue chunk U + D - 1 (when `issue`), then multiply chunk U.
    template <int U>
    MARLIN_DEVICE void step(bool issue)
    {
        constexpr int ahead = U + D - 1, ahead_stage = (U + D - 1) % D;
        if (issue)
        {
            load_weights<FORMAT, ahead_stage, ahead>(ring, data, scales, lane.policy);
            issue_columns<ahead_stage, ahead>();
        }
        moetune::cp_async_commit();
        moetune::cp_async_wait<D - 1>();
        multiply_record<NT, FORMAT, U * stage_bytes>(ring.words[U], ring.scales[U], lane.ring_b, acc);
    }

    template <int S = 0>
    MARLIN_DEVICE void prologue(int n)
    {
        if constexpr (S < D - 1)
        {
            if (S < n) issue_columns<S, S>();
            moetune::cp_async_commit();
            prologue<S + 1>(n);
        }
    }

    // A round whose issues all fall inside the pass.
    template <int U = 0>
    MARLIN_DEVICE void full_round()
    {
        if constexpr (U < D)
        {
            step<U>(true);
            full_round<U + 1>();
        }
    }

    // A round with `remaining` < 2 D - 1 chunks left from its first step.
    template <int U = 0>
    MARLIN_DEVICE void last_round(int remaining)
    {
        if constexpr (U < D)
        {
            if (U < remaining) step<U>(U + D - 1 < remaining);
            last_round<U + 1>(remaining);
        }
    }

    MARLIN_DEVICE void advance()
    {
        data += D * record_bytes_of(FORMAT);
        scales += D * record_bytes_of(FORMAT);
#pragma unroll
        for (int nt = 0; nt < NT; ++nt) columns[nt] += D * chunk_bytes;
    }

    MARLIN_DEVICE void run(int n)
    {
        prologue(n);
        int i = 0;
        for (; i + 2 * D - 1 <= n; i += D)
        {
            full_round();
            advance();
        }
        for (; i < n; i += D)
        {
            last_round(n - i);
            advance();
        }
    }
};

// Sums the four warps' accumulators in a fixed order. Thread -> (n-tile, lane, column parity); returns the rows g and
// g + 8 of that column, or false for threads past the pass's n-tiles.
template <int NT>
MARLIN_DEVICE bool reduced_column(const DecodeShared<NT>& s, int tiles, int& column, int& g, float& row_lo, float& row_hi)
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
        row_lo += s.reduce[w][nt][parity][lane];
        row_hi += s.reduce[w][nt][parity + 2][lane];
    }
    return true;
}

template <int NT, int NT_MAX>
MARLIN_DEVICE void store_accumulators(DecodeShared<NT_MAX>& s, const float (&acc)[NT][4])
{
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
    for (int nt = 0; nt < NT; ++nt)
#pragma unroll
        for (int q = 0; q < 4; ++q) s.reduce[warp][nt][q][lane] = acc[nt][q];
}

// h or the GEMM2 partials for one reduced column (rows g and g + 8 of the tile, before the epilogue factor).
MARLIN_DEVICE void write_column(const MarlinParams& p, const Pass& q, int pair, int row, float lo, float hi)
{
    if (!q.second)
    {
        const float factor = p.epilogue13[q.expert];
        const float* bias = p.bias13 != nullptr ? p.bias13 + (size_t)q.expert * (is_gated(p.activation) ? 2 : 1) * p.inter_size : nullptr;
        u16* h = p.intermediate + (size_t)pair * p.inter_size;
        if (is_gated(p.activation))
        {
            const int i = 8 * q.tile + row;
            const float gate = lo * factor + (bias != nullptr ? bias[i] : 0.0f);
            const float up = hi * factor + (bias != nullptr ? bias[p.inter_size + i] : 0.0f);
            h[i] = moetune::float_to_bf16(gated_activation(p.activation, gate, up));
        }
        else
        {
            const int i = 16 * q.tile + row;
            h[i] = moetune::float_to_bf16(relu_squared(lo * factor + (bias != nullptr ? bias[i] : 0.0f)));
            h[i + 8] = moetune::float_to_bf16(relu_squared(hi * factor + (bias != nullptr ? bias[i + 8] : 0.0f)));
        }
    }
    else
    {
        const float factor = p.epilogue2[q.expert];
        const int r = 16 * q.tile + row;
        float* out = p.partials + ((size_t)pair * p.splits2 + q.split) * p.hidden_size;
        const bool with_bias = p.bias2 != nullptr && q.split == 0;
        out[r] = lo * factor + (with_bias ? p.bias2[(size_t)q.expert * p.hidden_size + r] : 0.0f);
        out[r + 8] = hi * factor + (with_bias ? p.bias2[(size_t)q.expert * p.hidden_size + r + 8] : 0.0f);
    }
}

// Streams a pass with NT n-tiles, prefetches the following pass's first records (if any) into the weight ring, calls
// publish() (which stores the tickets taken at the item's start: their atomics' round trips hide behind the stream),
// then reduces over the warps and writes the pass's columns. Ends with the CTA synchronised and this thread's writes
// fenced.
template <int NT, int NT_MAX, int FORMAT, class Publish>
MARLIN_DEVICE void run_pass(const MarlinParams& p, DecodeShared<NT_MAX>& s, const Divisors& d, const Pass& q,
                            bool has_following, const Pass& following, const LaneStream& lane, WeightRing& ring,
                            Publish& publish)
{
    const int g = (threadIdx.x & 31) >> 2, t = threadIdx.x & 3;
    const u16* pairs = s.sorted + s.offsets[q.active] + 8 * NT_MAX * q.group;
    const u16* column_rows[NT];
    u32 column_bytes[NT];
#pragma unroll
    for (int nt = 0; nt < NT; ++nt)
    {
        const int column = 8 * nt + g;
        const bool valid = column < q.columns;
        column_bytes[nt] = valid ? 16u : 0u;
        const int pair = pairs[valid ? column : 0];
        const u16* row = q.second ? p.intermediate + (size_t)pair * p.inter_size
                                  : p.hidden + (size_t)quotient(pair, d.top_k) * p.hidden_size;
        column_rows[nt] = row + q.chunk_begin * MARLIN_CHUNK_K + 16 * t;
    }
    float acc[NT][4];
#pragma unroll
    for (int nt = 0; nt < NT; ++nt)
#pragma unroll
        for (int k = 0; k < 4; ++k) acc[nt][k] = 0.0f;

    PassStream<NT, NT_MAX, FORMAT> stream{ring, acc, lane, q.records + 16 * (threadIdx.x & 31), q.records + lane.scale_offset};
#pragma unroll
    for (int nt = 0; nt < NT; ++nt)
    {
        stream.columns[nt] = reinterpret_cast<const u8*>(column_rows[nt]);
        stream.column_bytes[nt] = column_bytes[nt];
    }
    stream.run(q.chunks);
    if (has_following) prefetch_pass<FORMAT>(ring, following, lane);
    publish();
    store_accumulators<NT, NT_MAX>(s, acc);
    __syncthreads();

    int column, row;
    float lo, hi;
    if (reduced_column(s, NT, column, row, lo, hi) && column < q.columns)
    {
        write_column(p, q, pairs[column], row, lo, hi);
        __threadfence();  // before the CTA reports the item done (GEMM1: other CTAs read h)
    }
    __syncthreads();  // the reduce buffer is free again, and every write of the pass is fenced
}

// The last GEMM2 item of a row tile: output[t, rows] = sum over slots j (in order) of w[t, j] * sum over splits. A thread
// takes one token's four consecutive rows (one 16-byte load per partial); unrolling the slot loop keeps several of those
// loads in flight, since this runs on the kernel's tail.
MARLIN_DEVICE void reduce_row_tile(const MarlinParams& p, int tile)
{
    for (int index = threadIdx.x; index < p.tokens * (MARLIN_TILE_ROWS / 4); index += DECODE_THREADS)
    {
        const int token = index / (MARLIN_TILE_ROWS / 4);
        const int row = MARLIN_TILE_ROWS * tile + 4 * (index % (MARLIN_TILE_ROWS / 4));
        float4 sum = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
#pragma unroll 4
        for (int j = 0; j < p.top_k; ++j)
        {
            const int pair = token * p.top_k + j;
            const float* partial = p.partials + (size_t)pair * p.splits2 * p.hidden_size + row;
            float4 expert = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
            for (int split = 0; split < p.splits2; ++split)
            {
                const float4 v = ld_cg_f32x4(partial + (size_t)split * p.hidden_size);
                expert.x += v.x;
                expert.y += v.y;
                expert.z += v.z;
                expert.w += v.w;
            }
            const float w = p.topk_weights[pair];
            sum.x += w * expert.x;
            sum.y += w * expert.y;
            sum.z += w * expert.z;
            sum.w += w * expert.w;
        }
        *reinterpret_cast<uint2*>(p.output + (size_t)token * p.hidden_size + row) =
            make_uint2(moetune::pack_bf16x2(sum.x, sum.y), moetune::pack_bf16x2(sum.z, sum.w));
    }
}

// A GEMM2 pass reads h of its expert: wait until every GEMM1 tile of that expert is done. The GEMM1 tiles waited for
// were taken earlier by running CTAs, so they finish within microseconds; a wait of seconds means a broken invariant,
// and a trap reports it where a hang would not.
MARLIN_DEVICE void wait_for_gemm1(const MarlinParams& p, int expert)
{
    if ((threadIdx.x & 31) == 0)
    {
        const u32* done = p.counters + MARLIN_COUNTER_EXPERT_DONE + expert;
        for (u32 spins = 0; ld_acquire_u32(done) < (u32)p.w13_tiles; ++spins)
        {
            if (spins > (1u << 24)) __trap();
            nanosleep_ns(64);
        }
    }
    __syncwarp();
}

// Runs one item (all its groups). `loaded`: whether the weight ring already holds the item's first records (else they
// are loaded here). `next` is the item after it, whose first records are prefetched while this one's last pass
// reduces; total (or more) when it is not known or there is none.
template <int NT_MAX, int FORMAT, class Publish>
MARLIN_DEVICE void run_item(const MarlinParams& p, DecodeShared<NT_MAX>& s, const Divisors& d, int item, bool loaded,
                            int next, int total, const LaneStream& lane, WeightRing& ring, Publish& publish)
{
    const Pass first = describe_pass(p, s, d, item, 0);
    const int groups = item_groups(s, first.active);
    if (!loaded) prefetch_pass<FORMAT>(ring, first, lane);
    if (first.second) wait_for_gemm1(p, first.expert);
    for (int group = 0; group < groups; ++group)
    {
        const Pass q = group == 0 ? first : describe_pass(p, s, d, item, group);
        // The pass after this one: the item's next group, else the next item's first (its loads need no wait).
        const bool has_following = group + 1 < groups || next < total;
        const Pass following = describe_pass(p, s, d, group + 1 < groups ? item : (has_following ? next : item),
                                             group + 1 < groups ? group + 1 : 0);
        if (NT_MAX == 2 && q.columns > 8)
            run_pass<2, NT_MAX, FORMAT>(p, s, d, q, has_following, following, lane, ring, publish);
        else
            run_pass<1, NT_MAX, FORMAT>(p, s, d, q, has_following, following, lane, ring, publish);
    }
}

template <int NT_MAX, int FORMAT>
MARLIN_DEVICE void decode_moe(const MarlinParams& p)
{
    extern __shared__ uint4 decode_shared_memory[];
    DecodeShared<NT_MAX>& s = *reinterpret_cast<DecodeShared<NT_MAX>*>(decode_shared_memory);
    u32 dynamic_bytes;
    asm("mov.u32 %0, %%dynamic_smem_size;" : "=r"(dynamic_bytes));
    if (dynamic_bytes < sizeof(DecodeShared<NT_MAX>)) __trap();  // the host's KernelLimits.DecodeSharedBytes has drifted
    const int tid = threadIdx.x, lane = tid & 31;
    u32* ticket = p.counters + MARLIN_COUNTER_TICKET;
    u32* expert_done = p.counters + MARLIN_COUNTER_EXPERT_DONE;
    u32* row_tile_done = expert_done + p.experts;

    // Tickets: s.tickets[i & 3] is the ticket of a CTA's i-th item. The first is taken at the start; during item 0 the
    // CTA takes tickets 1 and 2, during item i > 0 ticket i + 2, each stored once the item's records are streamed and
    // published by its barriers. So from item 1 on, the item after the current one is known before the current one's
    // last records are streamed, while the first tickets still spread over all CTAs (one each) as a grid-wide first
    // wave.
    const u32 first_ticket = tid == 0 ? atomicAdd(ticket, 1u) : 0u;
    prepare_divisors(p, s);
    derive_routing(p, s, first_ticket);  // ends with a barrier: the first ticket and the divisors are visible
    const int active = s.active_count;
    const int items13 = active * p.w13_tiles;
    const int total = items13 + active * p.w2_tiles * p.splits2;

    if (p.format != FORMAT || p.record_bytes != record_bytes_of(FORMAT)) __trap();  // the host chose the wrong build
    LaneStream stream;
    stream.ring_b = moetune::shared_address(s.stage_b[tid >> 5][0]) + 16 * lane;
    stream.scale_offset = scale_offset(FORMAT, lane >> 2, lane & 3);
    stream.policy = moetune::l2_evict_first_policy();
    const Divisors d = launch_divisors(s);
    WeightRing ring;
    int item = s.tickets[0];
    if (item < total) prefetch_pass<FORMAT>(ring, describe_pass(p, s, d, item, 0), stream);
    for (int i = 0; item < total; ++i)
    {
        u32 second_ticket = 0, ahead_ticket = 0;
        if (tid == 0)
        {
            if (i == 0) second_ticket = atomicAdd(ticket, 1u);
            ahead_ticket = atomicAdd(ticket, 1u);
        }
        auto publish = [&]() {
            if (tid == 0)
            {
                if (i == 0) s.tickets[1] = (int)second_ticket;
                s.tickets[(i + 2) & 3] = (int)ahead_ticket;
            }
        };
        // Item i's first records are in the ring except for item 1: item 0 prefetched nothing, since during item 0
        // the next ticket is not published yet (total stands for "unknown").
        run_item<NT_MAX, FORMAT>(p, s, d, item, i != 1, i > 0 ? s.tickets[(i + 1) & 3] : total, total, stream, ring, publish);
        if (item < items13)
        {
            if (tid == 0) atomicAdd(expert_done + s.active_expert[quotient(item, d.w13_tiles)], 1u);
        }
        else
        {
            const int rest = item - items13;
            const int tile = quotient(rest - quotient(rest, d.gemm2_items_per_expert) * (int)d.gemm2_items_per_expert.divisor, d.splits2);
            if (tid == 0)
            {
                const u32 before = atomicAdd(row_tile_done + tile, 1u);
                s.is_last = before == (u32)(active * p.splits2) - 1u;
                if (s.is_last) __threadfence();
            }
            __syncthreads();
            if (s.is_last)
            {
                reduce_row_tile(p, tile);
                if (tid == 0) row_tile_done[tile] = 0;  // every contribution has arrived: ready for the next forward
            }
        }
        item = s.tickets[(i + 1) & 3];
    }
    __syncthreads();  // every thread has read the last item's s.is_last before it is reused below

    // The last CTA out resets the counters for the next forward (every CTA has taken its final ticket by now).
    if (tid == 0)
    {
        __threadfence();
        s.is_last = atomicAdd(p.counters + MARLIN_COUNTER_EXITED, 1u) == gridDim.x - 1u;
    }
    __syncthreads();
    if (s.is_last)
    {
        __threadfence();
        for (int e = tid; e < p.experts; e += DECODE_THREADS) expert_done[e] = 0;
        if (tid == 0)
        {
            *ticket = 0;
            p.counters[MARLIN_COUNTER_EXITED] = 0;
        }
    }
}

// One build per weight format (record size and scale decoding are compile-time) and per n-tile count: _nt1 for up to
// 8 tokens, _nt2 for up to 16 (it runs groups of at most 8 pairs with one n-tile). Minimum resident CTAs per SM, which
// caps registers: _nt1 at 64 (8 CTAs, 32 warps; its shared memory would allow 9), _nt2 at 96 (5 CTAs, as its shared
// memory allows). Only per-item code spills under these caps; the streaming loop does not.
#define DECODE_MIN_CTAS_NT1 8
#define DECODE_MIN_CTAS_NT2 5

extern "C" __global__ void __launch_bounds__(DECODE_THREADS, DECODE_MIN_CTAS_NT1) marlin_decode_nvfp4_nt1(const MarlinParams p)
{
    decode_moe<1, MARLIN_FORMAT_NVFP4>(p);
}

extern "C" __global__ void __launch_bounds__(DECODE_THREADS, DECODE_MIN_CTAS_NT2) marlin_decode_nvfp4_nt2(const MarlinParams p)
{
    decode_moe<2, MARLIN_FORMAT_NVFP4>(p);
}

extern "C" __global__ void __launch_bounds__(DECODE_THREADS, DECODE_MIN_CTAS_NT1) marlin_decode_mxfp4_nt1(const MarlinParams p)
{
    decode_moe<1, MARLIN_FORMAT_MXFP4>(p);
}

extern "C" __global__ void __launch_bounds__(DECODE_THREADS, DECODE_MIN_CTAS_NT2) marlin_decode_mxfp4_nt2(const MarlinParams p)
{
    decode_moe<2, MARLIN_FORMAT_MXFP4>(p);
}
