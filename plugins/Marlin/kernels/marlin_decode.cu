// Marlin backend, decode path (few tokens), register-ring pipeline (SM 8.0 and newer): the whole MoE layer in one
// persistent kernel. Work items, their order, the GEMM1 -> GEMM2 dependency, the reduction and the counters are
// described in marlin_decode_common.cuh; marlin_decode_bulk.cu is the SM 9.0 pipeline over the same items.
//
// A CTA holds up to two tickets ahead of the item it runs (see decode_moe); they are later than that item, so a CTA
// whose item waits holds only GEMM2 items, and an item is only ever waited on by CTAs that took their tickets after it
// was taken by a running CTA: there is no deadlock whatever the number of resident CTAs.
//
// Inside an item the four warps split K. The kernel is bound by how many weight bytes are in flight and by the
// instructions spent per byte, so a warp's weight records go straight from global memory into a ring of registers
// (one 16-byte load of codes and one 2-byte load of scales per lane per record, L1 skipped, L2 evict-first), and the
// ring carries over from item to item: right after a warp streams its last record of an item it loads the first
// records of its next one, whose loads then fly while the CTA reduces and stores. The activations (hidden states
// for GEMM1, h for GEMM2, both L2-resident) stream through a per-warp cp.async ring in shared memory at the same
// distance.
#include "marlin_decode_common.cuh"

#define DECODE_THREADS (DECODE_WARPS * 32)
#define DECODE_STAGES 4
#define DECODE_COLUMN_BYTES 1024  // one n-tile's activations for one chunk: 32 lanes x 32 bytes

template <int NT>
struct DecodeShared
{
    union
    {
        // Per warp and stage, per n-tile: each lane's first 16 bytes of its column's 32-byte k range, then the second
        // 16 (so that the lanes' 16-byte reads are consecutive and conflict-free). A lane reads only what it copied.
        u8 stage_b[DECODE_WARPS][DECODE_STAGES][NT * DECODE_COLUMN_BYTES];
        RoutingScratch scratch;  // dead once derive_routing returns, before the rings are first used
    };
    float reduce[DECODE_WARPS][NT][4][32];
    DecodeRouting routing;
    int tickets[4];  // ring of the tickets a CTA holds (see decode_moe)
    int is_last;
};

// What a warp streams in one pass over an item: its K range of one row tile, for one group of up to 8 * NT pairs.
struct Pass
{
    DecodeItem it;
    const u8* records;  // the warp's first record
    int chunk_begin;    // its first chunk (the activations' offset)
    int chunks;         // its chunk count (zero when the item has fewer chunks than warps)
    int group;
    int columns;        // pairs in this group
};

template <int NT>
MARLIN_DEVICE Pass describe_pass(const MarlinParams& p, const DecodeShared<NT>& s, const Divisors& d, int item, int group)
{
    const int warp = threadIdx.x >> 5;
    Pass q;
    q.it = describe_item(p, s.routing, d, item);
    q.group = group;
    q.columns = group_columns<8 * NT>(s.routing, q.it.active, group);
    const int span = q.it.chunk_end - q.it.chunk_begin;
    q.chunk_begin = q.it.chunk_begin + span * warp / DECODE_WARPS;
    q.chunks = q.it.chunk_begin + span * (warp + 1) / DECODE_WARPS - q.chunk_begin;
    q.records = item_records(p, q.it, q.chunk_begin);
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
    ring.words[S] = ldg_stream_v4<C * MARLIN_CHUNK_RECORDS * record_bytes_of(FORMAT)>(data, policy);
    ring.scales[S] = ldg_stream_u16<C * MARLIN_CHUNK_RECORDS * record_bytes_of(FORMAT)>(scales, policy);
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

// One record against up to 8 * NT columns, whose activations sit at ring_b + STAGE_OFFSET (the lane's first 16 bytes,
// then its second 16 bytes 512 further).
template <int NT, int FORMAT, int STAGE_OFFSET>
MARLIN_DEVICE void multiply_staged(uint4 words, u32 scale_pair, u32 ring_b, float (&acc)[NT][4])
{
    uint4 b[NT][2];
    b[0][0] = lds128_at<STAGE_OFFSET>(ring_b);
    b[0][1] = lds128_at<STAGE_OFFSET + 512>(ring_b);
    if constexpr (NT == 2)
    {
        b[NT - 1][0] = lds128_at<STAGE_OFFSET + DECODE_COLUMN_BYTES>(ring_b);
        b[NT - 1][1] = lds128_at<STAGE_OFFSET + DECODE_COLUMN_BYTES + 512>(ring_b);
    }
    multiply_record<NT, FORMAT>(words, scale_pair, b, acc);
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
        multiply_staged<NT, FORMAT, U * stage_bytes>(ring.words[U], ring.scales[U], lane.ring_b, acc);
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
        data += D * MARLIN_CHUNK_RECORDS * record_bytes_of(FORMAT);
        scales += D * MARLIN_CHUNK_RECORDS * record_bytes_of(FORMAT);
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
    const u16* pairs = s.routing.sorted + s.routing.offsets[q.it.active] + 8 * NT_MAX * q.group;
    float acc[NT][4];
#pragma unroll
    for (int nt = 0; nt < NT; ++nt)
#pragma unroll
        for (int k = 0; k < 4; ++k) acc[nt][k] = 0.0f;

    PassStream<NT, NT_MAX, FORMAT> stream{ring, acc, lane, q.records + 16 * (threadIdx.x & 31), q.records + lane.scale_offset};
#pragma unroll
    for (int nt = 0; nt < NT; ++nt)
    {
        const int column = 8 * nt + g;
        const bool valid = column < q.columns;
        const u16* row = activation_row(p, d, q.it.second, pairs[valid ? column : 0]);
        stream.columns[nt] = reinterpret_cast<const u8*>(row + q.chunk_begin * MARLIN_CHUNK_K + 16 * t);
        stream.column_bytes[nt] = valid ? 16u : 0u;
    }
    stream.run(q.chunks);
    if (has_following) prefetch_pass<FORMAT>(ring, following, lane);
    publish();
    store_accumulators<NT, NT_MAX>(s.reduce[threadIdx.x >> 5], acc);
    __syncthreads();

    int column, row;
    float lo, hi;
    if (reduced_column([&](int w) -> const float (&)[NT_MAX][4][32] { return s.reduce[w]; }, NT, column, row, lo, hi) && column < q.columns)
    {
        write_column(p, q.it, pairs[column], row, lo, hi);
        __threadfence();  // before the CTA reports the item done (GEMM1: other CTAs read h)
    }
    __syncthreads();  // the reduce buffer is free again, and every write of the pass is fenced
}

// A GEMM2 pass reads h of its expert: each warp waits until every GEMM1 tile of that expert is done.
MARLIN_DEVICE void wait_for_gemm1(const MarlinParams& p, int expert)
{
    if ((threadIdx.x & 31) == 0) acquire_gemm1_done(p, expert);
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
    const int groups = item_groups<8 * NT_MAX>(s.routing, first.it.active);
    if (!loaded) prefetch_pass<FORMAT>(ring, first, lane);
    if (first.it.second) wait_for_gemm1(p, first.it.expert);
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
    const u32 first_ticket = tid == 0 ? take_ticket(ticket) : 0u;
    prepare_divisors<DECODE_THREADS>(p, s.routing);
    derive_routing<DECODE_THREADS>(p, s.routing, s.scratch, &s.tickets[0], first_ticket);  // the first ticket and the divisors are visible after it
    const int active = s.routing.active_count;
    const int items13 = active * w13_items(p);
    const int total = items13 + active * w2_items(p) * p.splits2;

    if (p.format != FORMAT || p.record_bytes != record_bytes_of(FORMAT)) __trap();  // the host chose the wrong build
    LaneStream stream;
    stream.ring_b = moetune::shared_address(s.stage_b[tid >> 5][0]) + 16 * lane;
    stream.scale_offset = scale_offset(FORMAT, lane >> 2, lane & 3);
    stream.policy = moetune::l2_evict_first_policy();
    const Divisors d = launch_divisors(s.routing);
    WeightRing ring;
    int item = s.tickets[0];
    if (item < total) prefetch_pass<FORMAT>(ring, describe_pass(p, s, d, item, 0), stream);
    for (int i = 0; item < total; ++i)
    {
        u32 second_ticket = 0, ahead_ticket = 0;
        if (tid == 0)
        {
            if (i == 0) second_ticket = take_ticket(ticket);
            ahead_ticket = take_ticket(ticket);
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
            if (tid == 0) atomicAdd(expert_done + s.routing.active_expert[quotient(item, d.w13_items)], 1u);
        }
        else
        {
            const int tile = describe_item(p, s.routing, d, item).tile;
            if (tid == 0)
            {
                const u32 before = atomicAdd(row_tile_done + tile, 1u);
                s.is_last = before == (u32)(active * p.splits2) - 1u;
                if (s.is_last) __threadfence();
            }
            __syncthreads();
            if (s.is_last)
            {
                // All 256 threads of the CTA share the tile; more loads in flight per thread would spill here.
                reduce_row_tiles<1>(p, tile, 1, tid, DECODE_THREADS, 0, p.tokens);
                if (tid == 0) row_tile_done[tile] = 0;  // every contribution has arrived: ready for the next forward
            }
        }
        item = s.tickets[(i + 1) & 3];
    }
    reset_counters_if_last<DECODE_THREADS>(p, s.is_last);
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
