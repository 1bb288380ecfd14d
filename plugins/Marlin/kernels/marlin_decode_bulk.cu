// Marlin backend, decode path (few tokens), bulk-copy pipeline (SM 9.0 and newer): the whole MoE layer in one
// persistent kernel over the work items of marlin_decode_common.cuh, with the weight stream decoupled from the math.
//
// A CTA is four consumer warps and one producer warp. The producer takes the CTA's tickets and, item after item,
// copies each item's weight records (with two row tiles per item, one contiguous run per stage: the prepared layout,
// marlin_device.cuh, interleaves a pair of row tiles chunk by chunk) and the matching activation
// slices (one contiguous range of each pair's x or h row) into a ring of shared-memory stages with the copy engine (1-D
// bulk copies completing on an mbarrier per stage; weights marked L2 evict-first). It runs ahead of the consumers by as
// many stages as the ring holds, across item boundaries, so weight bytes stay in flight while the consumers reduce,
// store and signal an item. The consumers wait for nothing but stages: the GEMM1 -> GEMM2 wait is the producer's, and
// in forwards of one or two experts it copies a GEMM2 item's weights before that wait is over (its h follows), so the
// weight stream goes on across the boundary (MARLIN_GEMM2_PREFETCH_EXPERTS). Consumers decode and multiply from shared
// memory (16-byte reads, conflict-free) and release each stage through a second mbarrier.
//
// Deadlock freedom: a CTA runs its items in ticket order, and the producer issues every stage of an item before it
// takes up the next. The producer waits only for free stages (which its own consumers release, waiting on nothing but
// the producer) and, for a GEMM2 item, for the GEMM1 items of its expert, whose tickets are all smaller; it never
// waits for a free stage while a stage it issued still lacks its h (it waits for GEMM1 and copies h first). The
// smallest unfinished ticket therefore always runs to completion: its copies are issued, and whatever it waits for
// is done.
//
// Stage layout (its size is set per launch from the widest group, so that a 1-token forward keeps a deep ring):
//   [chunks x DECODE_ITEM_TILES weight records: `chunks` K chunks of each of the item's row tiles,
//    chunk c of row tile r in slot c * DECODE_ITEM_TILES + r, the order of the prepared matrix]
//   [columns x column_stride activation slices of those chunks]
// with column_stride = chunks * 128 + 16: the 16-byte skew puts the eight lanes of a quarter warp (two columns, four
// k offsets) on distinct bank groups. `chunks` is DECODE_BULK_STAGE_CHUNKS, or two or four times that in launches of
// narrow groups (wide stages, below). Consumer warp w multiplies chunk w of both row tiles (slots 2 w and 2 w + 1: two
// independent mma chains on the same activations), and in a wide stage chunks w + 4, w + 8, ... after it; with one
// row tile per item, chunks w and w + 4 (two chains, summed at the pass's end).
//
// Row tiles per work item (DECODE_ITEM_TILES in marlin_decode_common.cuh). 2: a stage holds 4 K chunks of two
// neighbouring row tiles, which share one activation slice per column (half the activation bytes per weight byte, a
// deeper ring in the same shared memory, half the items and their ends). Measured on an H100 (NOTES.md, session 5)
// against 1 (a stage of 8 chunks of one tile): faster in 13 of 15 cases (up to 17 %), slower at T = 1 for qwen3-30b-a3b
// and qwen3-235b-a22b, whose coarser items balance worse. tools/kernel-timer --variant name:MARLIN_ITEM_TILES=1 builds
// the other form; KernelLimits mirrors this value (the stage and ring sizes depend on it).
#ifndef MARLIN_ITEM_TILES
#define MARLIN_ITEM_TILES 2
#endif
#define DECODE_ITEM_TILES MARLIN_ITEM_TILES
#include "marlin_decode_common.cuh"
#include "moetune/sm90.cuh"

#define DECODE_BULK_WARPS 5  // DECODE_WARPS consumers, then the producer
#define DECODE_BULK_THREADS (DECODE_BULK_WARPS * 32)
#define DECODE_BULK_STAGE_RECORDS 8           // two per consumer warp
#define DECODE_BULK_STAGE_CHUNKS (DECODE_BULK_STAGE_RECORDS / DECODE_ITEM_TILES)  // the K chunks a stage covers
#define DECODE_BULK_MAX_STAGES 12
#define DECODE_BULK_COLUMN_SKEW 16
#define DECODE_BULK_CONSUMER_BARRIER 1        // named barrier of the consumer warps (0 is __syncthreads)

// Wide stages: a stage covers DECODE_BULK_STAGE_CHUNKS K chunks of two row tiles (8 records), twice that (16) in a
// launch whose widest group has at most MARLIN_WIDE_STAGE_COLUMNS columns (tokens of one expert), and four times that
// (32) where it has at most MARLIN_WIDER_STAGE_COLUMNS, each provided the ring still holds MARLIN_MIN_WIDE_STAGES of
// them (else the next narrower form). Each consumer warp then multiplies that many chunk pairs per stage and the
// producer issues one stage per 16 or 32 records, dividing both sides' per-stage instructions (the wait, the release,
// the addresses, the copies' bookkeeping: about a quarter of the consumers' instructions per record and most of the
// producer's, ncu on an H200, NOTES.md session 8). Measured on an H200 (NOTES.md, session 9) against narrow stages:
// 2-12 % faster at T = 1 (four-fold; two-fold alone 0-7 %), 5-12 % at T = 4 and 16 (two-fold; four-fold stages of
// two to four columns were slower there, and a ring of two two-fold stages at 5-16 columns beat three or four narrow
// ones). 0 turns a form off (tools/kernel-timer --variant
// name:MARLIN_WIDE_STAGE_COLUMNS=0,MARLIN_WIDER_STAGE_COLUMNS=0 builds all stages narrow).
#ifndef MARLIN_WIDE_STAGE_COLUMNS
#define MARLIN_WIDE_STAGE_COLUMNS 16
#endif
#ifndef MARLIN_WIDER_STAGE_COLUMNS
#define MARLIN_WIDER_STAGE_COLUMNS 1
#endif
#ifndef MARLIN_MIN_WIDE_STAGES
#define MARLIN_MIN_WIDE_STAGES 2
#endif

// The FP4 decode's four left shifts as IMAD on the FMA pipe (ShiftMultipliers) in the bulk-copy pipelines.
// tools/kernel-timer --variant name:MARLIN_SHIFTS_ON_FMA=0 builds them as shifts, to time both on one card in one run.
// Measured on an H100 (NOTES.md, session 4): 2-6 % faster; moving the right shift (IMAD.HI) and the scale's
// multiply-add over as well was slower than this.
#ifndef MARLIN_SHIFTS_ON_FMA
#define MARLIN_SHIFTS_ON_FMA 1
#endif

// How an overlapping pass ends (finish_pass_by_one_warp): 1, one warp (rotating with the pass) sums the four warps'
// accumulators and writes the pass's columns while the other three go on streaming, with a reduce buffer per pass
// parity; 0, all four meet at two barriers around a shared reduction (as the bulk pipeline's passes end).
#ifndef MARLIN_ONE_WARP_EPILOGUE
#define MARLIN_ONE_WARP_EPILOGUE 1
#endif

// Loads in flight per lane in a row tile's reduction (reduce_row_tiles), which one warp runs, mostly on the kernel's
// tail: 4 is what the kernels' registers hold without spills (96 at four one-n-tile CTAs per SM). tools/kernel-timer
// --variant name:MARLIN_REDUCE_LOADS=1 builds the one-load-at-a-time form it replaced, to time both on one card.
#ifndef MARLIN_REDUCE_LOADS
#define MARLIN_REDUCE_LOADS 4
#endif

// A GEMM2 pass copies its weights before its expert's GEMM1 is seen complete (its h then follows) only in forwards of
// at most this many active experts; in others its producer waits for GEMM1 first, so that the GEMM1 bytes every GEMM2
// pass depends on do not share DRAM with GEMM2 weights that cannot be used yet. Measured on an H100 (NOTES.md, session
// 7), waiting against copying ahead: 0.5-3 % faster at T = 1 to 16 for every preset with 8 or more experts per token,
// 3 % slower for Mixtral at T = 1, whose two experts leave the grid nothing else to stream while the second one's GEMM1
// ends. tools/kernel-timer --variant name:MARLIN_GEMM2_PREFETCH_EXPERTS=512 builds the copy-ahead form for every forward.
#ifndef MARLIN_GEMM2_PREFETCH_EXPERTS
#define MARLIN_GEMM2_PREFETCH_EXPERTS 2
#endif

// Forwards of at least this many tokens reduce the GEMM2 partials of a row tile pair by tickets, after the GEMM2 items:
// the producers, once their CTA's last copies are issued, take reduction items (a row tile pair and a few tokens, about
// one per CTA), wait for the pair's GEMM2 contributions and sum them; fewer tokens leave it to the warp whose signal
// completes the pair. At 16 tokens one warp's reduction is 16 x 8 row quads x (top-k x splits) loads, a chain of
// dozens of L2 round trips on the kernel's tail; by tickets it is spread over the grid. tools/kernel-timer --variant
// name:MARLIN_TICKET_REDUCTION_TOKENS=17 builds the warp's reduction for every forward, =1 the tickets' for every one.
#ifndef MARLIN_TICKET_REDUCTION_TOKENS
#define MARLIN_TICKET_REDUCTION_TOKENS 2
#endif

// Diagnostics: with MARLIN_TRACE defined as the device address of a u64 [CTA][MARLIN_TRACE_EVENTS] buffer
// (tools/kernel-timer --trace), each CTA writes %globaltimer at the TraceEvent points of its run; without it, nothing.
enum TraceEvent
{
    TRACE_START,             // thread 0 enters the kernel
    TRACE_ROUTED,            // thread 0 after the routing (and the first ticket's arrival)
    TRACE_SET_UP,            // thread 0 after the ring's geometry (and, for more than 32 pairs, one more barrier)
    TRACE_FIRST_COPY,        // the producer has issued its first stage
    TRACE_FIRST_STAGE,       // consumer warp 0 finds its first stage landed
    TRACE_FIRST_GEMM2,       // the producer starts its first GEMM2 item
    TRACE_FIRST_GEMM1_DONE,  // the producer has seen the GEMM1 of its first GEMM2 item's expert complete
    TRACE_LAST_COPY,         // the producer has issued its last stage
    TRACE_CONSUMED,          // consumer warp 0 leaves its loop (its deferred signals sent)
    TRACE_END,               // thread 0 after the exit counter (and the reset, in the last CTA)
    MARLIN_TRACE_EVENTS
};

// `first`: only the event's first time in the run (the host zeroes the buffer before the traced replay).
MARLIN_DEVICE void trace_event(TraceEvent event, bool first = false)
{
#ifdef MARLIN_TRACE
    u64* slot = reinterpret_cast<u64*>(MARLIN_TRACE) + (size_t)blockIdx.x * MARLIN_TRACE_EVENTS + event;
    const u64 now = moetune::global_time_ns();
    if (!first || *slot == 0) *slot = now;
#else
    (void)event;
    (void)first;
#endif
}

// With MARLIN_TRACE_DONE defined as the device address of a u64 buffer, the signal that completes a piece of counted work
// writes %globaltimer there: expert e's GEMM1 at slot e, row tile pair q's GEMM2 at MARLIN_TRACE_PAIRS_AT + q
// (tools/kernel-timer --trace). The hand-over to GEMM2 and the reductions wait for these moments.
#define MARLIN_TRACE_PAIRS_AT DECODE_MAX_EXPERTS
MARLIN_DEVICE void trace_done(int slot)
{
#ifdef MARLIN_TRACE_DONE
    reinterpret_cast<u64*>(MARLIN_TRACE_DONE)[slot] = moetune::global_time_ns();
#else
    (void)slot;
#endif
}

// Adds `add` to `counter` with release semantics; traced builds read the count back to see whether it reached `target`,
// and if so record the moment in `slot` (trace_done). Plain builds send a reduction without an answer.
MARLIN_DEVICE void count_release(u32* counter, u32 add, u32 target, int slot)
{
#ifdef MARLIN_TRACE_DONE
    if (atomic_add_release_gpu(counter, add) + add == target) trace_done(slot);
#else
    (void)target;
    (void)slot;
    red_add_release_gpu(counter, add);
#endif
}

static_assert(DECODE_BULK_WARPS == DECODE_WARPS + 1, "one producer warp besides the consumers");
static_assert(DECODE_BULK_STAGE_RECORDS == 2 * DECODE_WARPS, "each consumer warp takes two records of a stage");
static_assert(2 * (DECODE_WARPS - 1) >= DECODE_WARPS, "BulkShared::reduce holds a slot per warp for the bulk pipeline");

template <int NT>
struct BulkShared
{
    DecodeRouting routing;
    // The warps' accumulators at the end of a pass: the bulk pipeline's passes use the first four slots (one per warp);
    // the overlapping pipeline's, two buffers of three by pass parity (one per warp besides the pass's summing one).
    float reduce[2 * (DECODE_WARPS - 1)][DECODE_ITEM_TILES][NT][4][32];
    u64 full[DECODE_BULK_MAX_STAGES];   // producer -> consumers: the stage's copies have landed
    u64 empty[DECODE_BULK_MAX_STAGES];  // consumers -> producer: every consumer thread is done with the stage
    u64 reduce_full[2];   // the three other consumer warps -> a pass's summing warp: their accumulators are stored
    u64 reduce_free[2];   // the summing warp -> every consumer warp: the buffer has been read
    int stage_item[DECODE_BULK_MAX_STAGES];   // the item a pass starts with in this stage (-1: no more work)
    int stage_group[DECODE_BULK_MAX_STAGES];
    u8 gemm1_seen[DECODE_MAX_PAIRS];    // producer only: active experts whose GEMM1 it has seen complete
    int first_ticket;
    int is_last;
    ShiftMultipliers shifts;  // constant_shift_multipliers(), read back so that the compiler cannot fold them
    // The ring fills the rest of the dynamic shared memory. The routing scratch lives there until the ring's first use.
    alignas(128) RoutingScratch ring;
};

// The ring's geometry for this launch, the same in every thread.
struct Ring
{
    u32 base;         // shared address of stage 0
    int stage_bytes;
    int stages;
    int chunks;       // K chunks per stage: DECODE_BULK_STAGE_CHUNKS, or two or four times that (wide stages)
    int column_stride;

    MARLIN_DEVICE int records() const { return chunks * DECODE_ITEM_TILES; }  // weight records per stage
};

// Where a thread is in the ring: the stage and the parity of its current phase. Producer and consumers walk the same
// sequence of stages.
struct RingCursor
{
    int stage = 0;
    u32 phase = 0;
    int round = 0;  // completed passes over the whole ring (the producer waits for a free stage from round 1 on)

    MARLIN_DEVICE void advance(int stages)
    {
        if (++stage == stages)
        {
            stage = 0;
            phase ^= 1u;
            ++round;
        }
    }
};

template <int NT>
MARLIN_DEVICE u32 full_barrier(const BulkShared<NT>& s, int stage) { return moetune::shared_address(&s.full[stage]); }

template <int NT>
MARLIN_DEVICE u32 empty_barrier(const BulkShared<NT>& s, int stage) { return moetune::shared_address(&s.empty[stage]); }

template <int NT>
MARLIN_DEVICE u32 reduce_full_barrier(const BulkShared<NT>& s, int buffer) { return moetune::shared_address(&s.reduce_full[buffer]); }

template <int NT>
MARLIN_DEVICE u32 reduce_free_barrier(const BulkShared<NT>& s, int buffer) { return moetune::shared_address(&s.reduce_free[buffer]); }

// The K chunks of pass stage k (each a record per row tile of the item): the ring's `chunks` but in the last.
MARLIN_DEVICE int stage_chunks(const DecodeItem& it, int k, int chunks)
{
    return min(chunks, it.chunk_end - it.chunk_begin - k * chunks);
}

MARLIN_DEVICE int item_stages(const DecodeItem& it, int chunks)
{
    return (it.chunk_end - it.chunk_begin + chunks - 1) / chunks;
}

// The ring's barriers, for all DECODE_BULK_MAX_STAGES stages whatever this launch's depth (so that they do not wait for
// the routing): a warp idle during the routing sets them up meanwhile, a lane each.
template <int NT>
MARLIN_DEVICE void init_ring_barriers(BulkShared<NT>& s)
{
    static_assert(DECODE_BULK_MAX_STAGES + 2 < 32, "a lane per stage, per reduce buffer, and one for the multipliers");
    const int lane = threadIdx.x & 31;
    if (lane < DECODE_BULK_MAX_STAGES)
    {
        moetune::mbarrier_init(full_barrier(s, lane), 1);  // the producer's arrival (with the stage's byte count)
        moetune::mbarrier_init(empty_barrier(s, lane), DECODE_WARPS * 32);
    }
    else if (lane < DECODE_BULK_MAX_STAGES + 2)
    {
        moetune::mbarrier_init(reduce_full_barrier(s, lane - DECODE_BULK_MAX_STAGES), (DECODE_WARPS - 1) * 32);
        moetune::mbarrier_init(reduce_free_barrier(s, lane - DECODE_BULK_MAX_STAGES), 32);
    }
    else if (lane == 31)
        s.shifts = constant_shift_multipliers();
    moetune::fence_mbarrier_init();
}

// The ring for this launch: stages as wide as the widest group (and covering two or four times the K chunks where the
// groups are narrow: wide stages), as many as fit (at least two). Every warp derives it from the routing by itself (a
// few shuffles), so that no barrier has to publish it.
template <int NT_MAX, int FORMAT>
MARLIN_DEVICE Ring launch_ring(const BulkShared<NT_MAX>& s, u32 dynamic_bytes)
{
    const int lane = threadIdx.x & 31;
    int widest = 0;
    for (int a = lane; a < s.routing.active_count; a += 32) widest = max(widest, s.routing.offsets[a + 1] - s.routing.offsets[a]);
    for (int o = 16; o > 0; o >>= 1) widest = max(widest, __shfl_xor_sync(0xffffffffu, widest, o));
    const int columns = max(1, min(8 * NT_MAX, widest));  // the activation slices per stage
    Ring ring;
    ring.base = moetune::shared_address(&s.ring);
    const int ring_bytes = (int)dynamic_bytes - (int)(ring.base - moetune::shared_address(&s));
    const auto shape = [&](int chunks)
    {
        ring.chunks = chunks;
        ring.column_stride = chunks * MARLIN_CHUNK_K * 2 + DECODE_BULK_COLUMN_SKEW;
        ring.stage_bytes = ring.records() * record_bytes_of(FORMAT) + columns * ring.column_stride;
        ring.stages = min(DECODE_BULK_MAX_STAGES, ring_bytes / ring.stage_bytes);
    };
    int factor = DECODE_ITEM_TILES != 2 ? 1 : columns <= MARLIN_WIDER_STAGE_COLUMNS ? 4 : columns <= MARLIN_WIDE_STAGE_COLUMNS ? 2 : 1;
    for (;; factor >>= 1)
    {
        shape(factor * DECODE_BULK_STAGE_CHUNKS);
        if (factor == 1 || ring.stages >= MARLIN_MIN_WIDE_STAGES) break;
    }
    if (ring.stages < 2) __trap();  // the host's shared memory budget is below two stages of the widest group
    return ring;
}

// ---------------------------------------------------------------------------------------------------------------
// The GEMM2 partials' reduction (row tile pairs).
// ---------------------------------------------------------------------------------------------------------------

MARLIN_DEVICE u32* row_tile_counters(const MarlinParams& p) { return p.counters + MARLIN_COUNTER_EXPERT_DONE + p.experts; }

// The reports that complete a row tile pair's counter: one per GEMM2 item of the pair, a split of each active expert.
MARLIN_DEVICE u32 row_tile_reports(const MarlinParams& p, int active_count) { return (u32)(active_count * p.splits2); }

// trace_done's slot for the row tile pair whose first tile is `tile`.
MARLIN_DEVICE int pair_trace_slot(int tile) { return MARLIN_TRACE_PAIRS_AT + tile / DECODE_ITEM_TILES; }

MARLIN_DEVICE bool reduces_by_tickets(const MarlinParams& p) { return p.tokens >= MARLIN_TICKET_REDUCTION_TOKENS; }

// The reduction items of a forward that reduces by tickets: a row tile pair (a GEMM2 item's row tiles) and a group of
// tokens, so many tokens per group that there are about as many items as CTAs.
struct ReductionItems
{
    int tokens_per_item;
    int groups;  // token groups per row tile pair
    int count;   // 0 where the signalling warps reduce
};

MARLIN_DEVICE ReductionItems reduction_items(const MarlinParams& p)
{
    ReductionItems r;
    const int pairs = w2_items(p);
    r.tokens_per_item = max(1, p.tokens * pairs / (int)gridDim.x);
    r.groups = (p.tokens + r.tokens_per_item - 1) / r.tokens_per_item;
    r.count = reduces_by_tickets(p) ? pairs * r.groups : 0;
    return r;
}

// Reduction item `index`, by one warp: waits (acquire, each lane) until every GEMM2 item of its row tiles has reported,
// then sums its tokens' partials. The items waited for hold smaller tickets of running CTAs, which need nothing from
// reductions to finish.
MARLIN_DEVICE void reduce_by_ticket(const MarlinParams& p, const ReductionItems& r, int index, int active_count)
{
    const int pair = index / r.groups, group = index - pair * r.groups;
    const int tile = pair * DECODE_ITEM_TILES, tiles = min(DECODE_ITEM_TILES, p.w2_tiles - tile);
    acquire_count(row_tile_counters(p) + tile, row_tile_reports(p, active_count));
    const int first = group * r.tokens_per_item;
    reduce_row_tiles<MARLIN_REDUCE_LOADS>(p, tile, tiles, threadIdx.x & 31, 32, first, min(r.tokens_per_item, p.tokens - first));
}

// ---------------------------------------------------------------------------------------------------------------
// Producer (one warp).
// ---------------------------------------------------------------------------------------------------------------

// A GEMM2 item reads h of its expert: every GEMM1 tile of that expert must be done. Each lane acquires the counter
// itself (the lanes then issue copies of h) and orders the acquired data before its bulk copies read it.
template <int NT>
MARLIN_DEVICE void producer_wait_for_gemm1(const MarlinParams& p, BulkShared<NT>& s, const DecodeItem& it)
{
    acquire_gemm1_done(p, it.expert);
    moetune::fence_proxy_async_global();
    __syncwarp();
    if ((threadIdx.x & 31) == 0)
    {
        trace_event(TRACE_FIRST_GEMM1_DONE, true);
        s.gemm1_seen[it.active] = 1;
    }
    __syncwarp();
}

// One pass (an item's group) as the producer copies it.
struct ProducedPass
{
    const u8* records;  // the item's first record: its first row tile's at the item's first chunk
    const u8* row;      // lane c < columns: pair c's activation row from the item's first chunk on
    int columns;
    int stages;
};

// Copies the activation slices of `count` consecutive stages of a pass, the first of them pass stage `k0` in ring
// stage `first`, onto those stages' full barriers (whose byte counts already include them).
template <int NT>
MARLIN_DEVICE void copy_activations(const MarlinParams& p, const BulkShared<NT>& s, const Ring& ring, const DecodeItem& it,
                                    const ProducedPass& pass, int first, int k0, int count, u64 policy)
{
    const int lane = threadIdx.x & 31;
    if (lane >= pass.columns) return;
    for (int j = 0; j < count; ++j)
    {
        // first + j < 2 * ring.stages (a pass defers at most a ring's worth of stages): a subtraction, not an integer
        // division (~30 instructions per stage in the producer).
        const int stage = first + j < ring.stages ? first + j : first + j - ring.stages, k = k0 + j;
        const u32 slice = ring.base + stage * ring.stage_bytes + ring.records() * p.record_bytes + lane * ring.column_stride;
        moetune::bulk_copy_to_shared(slice, pass.row + k * ring.chunks * MARLIN_CHUNK_K * 2,
                                     (u32)(stage_chunks(it, k, ring.chunks) * MARLIN_CHUNK_K * 2), full_barrier(s, stage), policy);
    }
}

// Copies one pass into the ring, stage by stage. A GEMM2 pass whose expert's GEMM1 this CTA has not yet seen complete
// waits for it, or, in a forward of few experts (MARLIN_GEMM2_PREFETCH_EXPERTS), defers its h: its stages' weights go
// out as stages free up, and h follows once GEMM1 is done, so the weight stream does not stop at the GEMM1 -> GEMM2
// boundary. The producer resolves the wait before it would block on a stage the consumers can only free by consuming a
// deferred one, so it never waits on itself.
template <int NT>
MARLIN_DEVICE void produce_pass(const MarlinParams& p, BulkShared<NT>& s, const Divisors& d, const Ring& ring, RingCursor& cursor,
                                int item, const DecodeItem& it, int group, u64 weight_policy, u64 activation_policy)
{
    const int lane = threadIdx.x & 31;
    ProducedPass pass;
    pass.columns = group_columns<8 * NT>(s.routing, it.active, group);
    pass.records = item_records(p, it, it.chunk_begin);
    pass.row = nullptr;
    if (lane < pass.columns)
    {
        const int pair = s.routing.sorted[s.routing.offsets[it.active] + 8 * NT * group + lane];
        pass.row = reinterpret_cast<const u8*>(activation_row(p, d, it.second, pair) + it.chunk_begin * MARLIN_CHUNK_K);
    }
    pass.stages = item_stages(it, ring.chunks);
    bool deferred = it.second && !s.gemm1_seen[it.active];
    if (it.second && lane == 0) trace_event(TRACE_FIRST_GEMM2, true);
    if (deferred && s.routing.active_count > MARLIN_GEMM2_PREFETCH_EXPERTS)
    {
        producer_wait_for_gemm1(p, s, it);  // GEMM1's bytes first: see MARLIN_GEMM2_PREFETCH_EXPERTS
        deferred = false;
    }
    const int first = cursor.stage;  // the pass's first ring stage
    for (int k = 0; k < pass.stages; ++k)
    {
        const int n = stage_chunks(it, k, ring.chunks);
        const u32 stage = ring.base + cursor.stage * ring.stage_bytes;
        const u32 full = full_barrier(s, cursor.stage);
        if (cursor.round > 0)
        {
            const u32 empty = empty_barrier(s, cursor.stage);
            const bool free = __shfl_sync(0xffffffffu, lane == 0 && moetune::mbarrier_test_wait(empty, cursor.phase ^ 1u), 0);
            if (!free)
            {
                if (deferred)
                {
                    producer_wait_for_gemm1(p, s, it);
                    copy_activations(p, s, ring, it, pass, first, 0, k, activation_policy);
                    deferred = false;
                }
                moetune::mbarrier_wait(empty, cursor.phase ^ 1u);
            }
        }
        if (lane == 0)
        {
            if (k == 0)
            {
                s.stage_item[cursor.stage] = item;
                s.stage_group[cursor.stage] = group;
            }
            // Chunk c of row tile r goes to slot c * DECODE_ITEM_TILES + r: for a pair of row tiles, the stage's chunks
            // are one contiguous run of records, one copy; a lone row tile's records lie MARLIN_CHUNK_RECORDS apart.
            const u32 weight_bytes = (u32)(it.tiles * n * p.record_bytes);
            const u8* first = pass.records + (size_t)k * ring.chunks * MARLIN_CHUNK_RECORDS * p.record_bytes;
            moetune::mbarrier_arrive_expect_tx(full, weight_bytes + (u32)(pass.columns * n * MARLIN_CHUNK_K * 2));
            if (it.tiles == 2)
                moetune::bulk_copy_to_shared(stage, first, weight_bytes, full, weight_policy);
            else
                for (int c = 0; c < n; ++c)
                    moetune::bulk_copy_to_shared(stage + c * DECODE_ITEM_TILES * p.record_bytes,
                                                 first + (size_t)c * MARLIN_CHUNK_RECORDS * p.record_bytes, (u32)p.record_bytes,
                                                 full, weight_policy);
            trace_event(TRACE_FIRST_COPY, true);
        }
        __syncwarp();  // the expected byte count is set before any activation copy can complete
        if (!deferred) copy_activations(p, s, ring, it, pass, cursor.stage, k, 1, activation_policy);
        cursor.advance(ring.stages);
    }
    if (deferred)
    {
        producer_wait_for_gemm1(p, s, it);
        copy_activations(p, s, ring, it, pass, first, 0, pass.stages, activation_policy);
    }
}

// The producer warp: takes tickets (the next one while it copies the current item: take_ticket's round trip overlaps
// the copies) and copies item after item, then publishes the end of the work. (Taking tickets two items ahead was
// measured too, NOTES.md session 5: no faster, and 2.3 µs slower for qwen3-30b-a3b at T = 1, whose last items then
// waited in CTAs that were still busy.)
template <int NT>
MARLIN_DEVICE void produce(const MarlinParams& p, BulkShared<NT>& s, const Divisors& d, const Ring& ring, int total)
{
    const int lane = threadIdx.x & 31;
    u32* ticket = p.counters + MARLIN_COUNTER_TICKET;
    const u64 weight_policy = moetune::l2_evict_first_policy();
    const u64 activation_policy = moetune::l2_evict_last_policy();
    for (int a = lane; a < s.routing.active_count; a += 32) s.gemm1_seen[a] = 0;
    __syncwarp();
    RingCursor cursor;
    int item = s.first_ticket;
    while (item < total)
    {
        const u32 next = lane == 0 ? take_ticket(ticket) : 0u;
        const DecodeItem it = describe_item(p, s.routing, d, item);
        const int groups = item_groups<8 * NT>(s.routing, it.active);
        for (int group = 0; group < groups; ++group)
            produce_pass(p, s, d, ring, cursor, item, it, group, weight_policy, activation_policy);
        item = (int)__shfl_sync(0xffffffffu, next, 0);
    }
    if (lane == 0) trace_event(TRACE_LAST_COPY);
    if (cursor.round > 0) moetune::mbarrier_wait(empty_barrier(s, cursor.stage), cursor.phase ^ 1u);
    if (lane == 0)
    {
        s.stage_item[cursor.stage] = -1;
        moetune::mbarrier_arrive(full_barrier(s, cursor.stage));  // no bytes: the arrival completes the phase
    }
    // Tickets past the GEMM items are reduction items (none where the signalling warps reduce).
    const ReductionItems reductions = reduction_items(p);
    while (item < total + reductions.count)
    {
        const u32 next = lane == 0 ? take_ticket(ticket) : 0u;
        reduce_by_ticket(p, reductions, item - total, s.routing.active_count);
        item = (int)__shfl_sync(0xffffffffu, next, 0);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Consumers (four warps).
// ---------------------------------------------------------------------------------------------------------------

MARLIN_DEVICE void consumer_sync() { asm volatile("bar.sync %0, %1;" ::"n"(DECODE_BULK_CONSUMER_BARRIER), "n"(DECODE_WARPS * 32) : "memory"); }

// After a GEMM2 item's increment of its row tiles' counter (the first tile's): lane 0's `before` is the count it found.
// The warp whose increment completes the tiles reduces them, unless the forward reduces by tickets.
MARLIN_DEVICE void reduce_if_last(const MarlinParams& p, int tile, int tiles, u32 before, int active_count)
{
    const int lane = threadIdx.x & 31;
    if (reduces_by_tickets(p) || __shfl_sync(0xffffffffu, before, 0) != row_tile_reports(p, active_count) - 1u) return;
    if (lane == 0) trace_done(pair_trace_slot(tile));
    // Lane 0 read the final count: its fence makes that an acquire of every other CTA's partials (published before
    // their increments), and the warp barrier orders the other lanes' reads after it.
    if (lane == 0) fence_acq_rel_gpu();
    __syncwarp();
    reduce_row_tiles<MARLIN_REDUCE_LOADS>(p, tile, tiles, lane, 32, 0, p.tokens);
    __syncwarp();
    if (lane == 0) row_tile_counters(p)[tile] = 0;  // every contribution has arrived: ready for the next forward
}

// Reports an item done. One warp (rotating over the consumers, so that none falls behind for good) does it while the
// others go on: a release increment publishes the consumers' writes (ordered before it by consume_pass's barrier). For
// a GEMM2 item whose row tile is then complete, the same warp reduces the tile.
MARLIN_DEVICE void signal_item(const MarlinParams& p, const DecodeItem& it, int active_count)
{
    const int lane = threadIdx.x & 31;
    if (!it.second)
    {
        if (lane == 0) count_release(p.counters + MARLIN_COUNTER_EXPERT_DONE + it.expert, 1u, (u32)w13_items(p), it.expert);
        __syncwarp();
        return;
    }
    u32 before = 0;
    if (lane == 0) before = atomic_add_release_gpu(row_tile_counters(p) + it.tile, 1u);
    reduce_if_last(p, it.tile, it.tiles, before, active_count);
}

// The overlapping consumers' signals, each a release increment. A GEMM1 item is reported at once (a GEMM2 item of its
// expert may be waiting for it, here or in another CTA). Nothing waits for a GEMM2 item's report, so it is deferred: the
// warp sends it at the end of its next pass, when its partials are long written and the fence finds nothing
// outstanding, and reads the counter's answer (to see whether it reduces the tile) at the end of the pass after that,
// so the atomic's round trip overlaps a pass of streaming. A warp holds at most one of each: it signals every fourth item.
// (Holding a GEMM1 report back while the warp had full stages to multiply, and sending GEMM1 reports from the producer
// warp instead, were both measured slower: NOTES.md, session 4.)
struct DeferredSignal
{
    int tile = -1;           // a GEMM2 item of this (first) row tile awaits its report (-1: none)
    int tiles = 0;
    int answered_tile = -1;  // the row tile whose counter lane 0's `before` answers (-1: none)
    int answered_tiles = 0;
    u32 before = 0;
};

MARLIN_DEVICE void send_deferred_signal(const MarlinParams& p, DeferredSignal& d, int active_count)
{
    if (d.tile < 0) return;
    if (reduces_by_tickets(p))
    {
        // Nobody in this warp reduces: a reduction item waits for the count, so no answer is needed.
        if ((threadIdx.x & 31) == 0)
            count_release(row_tile_counters(p) + d.tile, 1u, row_tile_reports(p, active_count), pair_trace_slot(d.tile));
        d.tile = -1;
        return;
    }
    if ((threadIdx.x & 31) == 0) d.before = atomic_add_release_gpu(row_tile_counters(p) + d.tile, 1u);
    d.answered_tile = d.tile;
    d.answered_tiles = d.tiles;
    d.tile = -1;
}

MARLIN_DEVICE void finish_deferred_signal(const MarlinParams& p, DeferredSignal& d, int active_count)
{
    if (d.answered_tile < 0) return;
    reduce_if_last(p, d.answered_tile, d.answered_tiles, d.before, active_count);
    d.answered_tile = -1;
}

MARLIN_DEVICE void signal_item_overlapped(const MarlinParams& p, const DecodeItem& it, DeferredSignal& deferred)
{
    if (it.second)
    {
        deferred.tile = it.tile;
        deferred.tiles = it.tiles;
        return;
    }
    if ((threadIdx.x & 31) == 0) count_release(p.counters + MARLIN_COUNTER_EXPERT_DONE + it.expert, 1u, (u32)w13_items(p), it.expert);
    __syncwarp();
}

// This lane's view of one pass's stages.
struct ConsumerLane
{
    int code_offset;    // 16 * lane: the lane's code bytes inside a record
    int scale_offset;   // the lane's two scale bytes inside a record
    int column_offset[2];  // per n-tile: the lane's column slice (clamped to the group) plus its k offset 32 t
};

// What one record's multiplication reads from a stage: the lane's codes and scales, and its activation fragments.
template <int NT>
struct RecordOperands
{
    uint4 words;
    u32 scale_pair;
    uint4 b[NT][2];
};

// The lane's codes and scales of record `slot` of the stage at `stage`.
template <int FORMAT>
MARLIN_DEVICE void load_codes(u32 stage, int slot, const ConsumerLane& lane, uint4& words, u32& scale_pair)
{
    const u32 record = stage + slot * record_bytes_of(FORMAT);
    words = lds128_shared(record + lane.code_offset);
    scale_pair = lds16_shared(record + lane.scale_offset);
}

// The lane's activation fragments of the stage's K chunk `chunk`.
template <int NT>
MARLIN_DEVICE void load_activations(u32 activations, int chunk, const ConsumerLane& lane, uint4 (&b)[NT][2])
{
#pragma unroll
    for (int nt = 0; nt < NT; ++nt)
    {
        const u32 column = activations + lane.column_offset[nt] + chunk * MARLIN_CHUNK_K * 2;
        b[nt][0] = lds128_shared(column);
        b[nt][1] = lds128_shared(column + 16);
    }
}

// Record `slot` of the stage at `stage` and the activations of its K chunk (one row tile per item: the slot).
template <int NT, int FORMAT>
MARLIN_DEVICE RecordOperands<NT> load_record(u32 stage, u32 activations, int slot, const ConsumerLane& lane)
{
    RecordOperands<NT> r;
    load_codes<FORMAT>(stage, slot, lane, r.words, r.scale_pair);
    load_activations<NT>(activations, slot, lane, r.b);
    return r;
}

// Chunk q of both row tiles of a stage (slots 2 q and 2 q + 1) and the activations they share.
template <int NT>
struct ChunkPair
{
    uint4 words[2];
    u32 scales[2];
    uint4 b[NT][2];
};

template <int NT, int FORMAT>
MARLIN_DEVICE ChunkPair<NT> load_chunk_pair(u32 stage, u32 activations, int q, const ConsumerLane& lane)
{
    ChunkPair<NT> c;
    load_codes<FORMAT>(stage, 2 * q, lane, c.words[0], c.scales[0]);
    load_codes<FORMAT>(stage, 2 * q + 1, lane, c.words[1], c.scales[1]);
    load_activations<NT>(activations, q, lane, c.b);
    return c;
}

template <int NT, int FORMAT>
MARLIN_DEVICE void multiply_chunk_pair(const ChunkPair<NT>& c, float (&acc)[DECODE_ITEM_TILES][NT][4], const ShiftMultipliers& shifts)
{
    multiply_record<NT, FORMAT>(c.words[0], c.scales[0], c.b, acc[0], shifts);
    multiply_record<NT, FORMAT>(c.words[1], c.scales[1], c.b, acc[DECODE_ITEM_TILES - 1], shifts);
}

// Row tile r of an item, as an item of its own (for the epilogue's constants and the writes).
MARLIN_DEVICE DecodeItem row_tile_item(const DecodeItem& it, int r)
{
    DecodeItem tile = it;
    tile.tile += r;
    tile.tiles = 1;
    return tile;
}

// The bulk pipeline's end of a pass, row tile by row tile: the four warps store their accumulators, meet, sum them
// (two or four warps, a column per thread) and write the tile's columns, then meet again (the reduce buffer is free,
// and every write of the pass is ordered before the signal any of them may send).
template <int NT, int NT_MAX>
MARLIN_DEVICE void finish_pass_together(const MarlinParams& p, BulkShared<NT_MAX>& s, const DecodeItem& it, int group, int columns,
                                        const float (&acc)[DECODE_ITEM_TILES][NT][4], const ColumnEpilogue* epilogue)
{
    const u16* pairs = s.routing.sorted + s.routing.offsets[it.active] + 8 * NT_MAX * group;
#pragma unroll
    for (int r = 0; r < DECODE_ITEM_TILES; ++r)
    {
        store_accumulators<NT, NT_MAX>(s.reduce[threadIdx.x >> 5][0], acc[r]);
        consumer_sync();
        int column, row;
        float lo, hi;
        if (r < it.tiles && reduced_column([&](int w) -> const float (&)[NT_MAX][4][32] { return s.reduce[w][0]; }, NT, column, row, lo, hi) &&
            column < columns)
        {
            if (epilogue != nullptr)
                write_column(p, row_tile_item(it, r), pairs[column], row, lo, hi, epilogue[r]);
            else
                write_column(p, row_tile_item(it, r), pairs[column], row, lo, hi);
        }
        consumer_sync();
    }
}

// The overlapping pipeline's end of pass `pass`: its summing warp (pass mod 4, the warp that signals the item) waits
// for the other three warps' accumulators, sums all four in warp order (its own from registers) and writes the pass's
// columns; the other three store theirs and go on to the next pass at once. Two buffers by pass parity let them run a
// pass ahead; a warp waits only before it uses a buffer whose earlier pass has not been read yet. The summing warp
// waits for that too before it waits for the accumulators, so that a full phase it finds is this pass's and not the
// one two passes back. Ends with the summing warp's lanes synchronised after their writes (its lane 0 may then
// release them).
template <int NT, int NT_MAX>
MARLIN_DEVICE void finish_pass_by_one_warp(const MarlinParams& p, BulkShared<NT_MAX>& s, const DecodeItem& it, int group, int columns,
                                           int pass, const float (&acc)[DECODE_ITEM_TILES][NT][4],
                                           const ColumnEpilogue (&epilogue)[DECODE_ITEM_TILES])
{
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int summing = pass % DECODE_WARPS, buffer = pass & 1;
    const u32 use = (u32)pass >> 1;  // the buffer's earlier uses
    // Warp w's slot: w, less one past the summing warp; a slot holds every row tile of the item.
    float (*slots)[DECODE_ITEM_TILES][NT_MAX][4][32] = s.reduce + (DECODE_WARPS - 1) * buffer;
    if (use > 0) moetune::mbarrier_wait(reduce_free_barrier(s, buffer), (use - 1) & 1);
    if (warp != summing)
    {
#pragma unroll
        for (int r = 0; r < DECODE_ITEM_TILES; ++r) store_accumulators<NT, NT_MAX>(slots[warp - (warp > summing)][r], acc[r]);
        moetune::mbarrier_arrive(reduce_full_barrier(s, buffer));
        return;
    }
    moetune::mbarrier_wait(reduce_full_barrier(s, buffer), use & 1);
    float sum[DECODE_ITEM_TILES][NT][4];
#pragma unroll
    for (int r = 0; r < DECODE_ITEM_TILES; ++r)
#pragma unroll
        for (int nt = 0; nt < NT; ++nt)
#pragma unroll
            for (int q = 0; q < 4; ++q)
            {
                sum[r][nt][q] = 0.0f;
#pragma unroll
                for (int w = 0; w < DECODE_WARPS; ++w)
                {
                    if (w == warp)
                        sum[r][nt][q] += acc[r][nt][q];
                    else
                        sum[r][nt][q] += slots[w - (w > warp)][r][nt][q][lane];
                }
            }
    moetune::mbarrier_arrive(reduce_free_barrier(s, buffer));
    // The mma's C fragment: this lane holds rows g and g + 8 (q and q + 2) of columns 2 t and 2 t + 1 (q's parity).
    const u16* pairs = s.routing.sorted + s.routing.offsets[it.active] + 8 * NT_MAX * group;
    const int g = lane >> 2, t = lane & 3;
#pragma unroll
    for (int r = 0; r < DECODE_ITEM_TILES; ++r)
    {
        if (r >= it.tiles) break;
#pragma unroll
        for (int nt = 0; nt < NT; ++nt)
#pragma unroll
            for (int parity = 0; parity < 2; ++parity)
            {
                const int column = 8 * nt + 2 * t + parity;
                if (column < columns)
                    write_column(p, row_tile_item(it, r), pairs[column], g, sum[r][nt][parity], sum[r][nt][parity + 2], epilogue[r]);
            }
    }
    __syncwarp();
}

// Multiplies pass `pass` (one of an item's groups) with NT n-tiles; its first stage has been waited for. Every consumer
// thread releases each stage once it has read it. Then sums over the warps and writes the pass's columns.
// OVERLAP: the column's epilogue constants are loaded before the stream (their latency hides behind it), the pass ends
// by one warp (MARLIN_ONE_WARP_EPILOGUE), and a signal this warp deferred is sent, and an earlier one's answer read,
// after the pass's end.
template <int NT, int NT_MAX, int FORMAT, bool OVERLAP>
MARLIN_DEVICE void consume_pass(const MarlinParams& p, BulkShared<NT_MAX>& s, const Ring& ring, RingCursor& cursor,
                                const DecodeItem& it, int group, int columns, int pass, DeferredSignal& deferred)
{
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, t = lane & 3;
#if MARLIN_SHIFTS_ON_FMA
    const ShiftMultipliers shifts = s.shifts;
#else
    constexpr ShiftMultipliers shifts = constant_shift_multipliers();
#endif
    constexpr bool ONE_WARP_ENDS = OVERLAP && MARLIN_ONE_WARP_EPILOGUE;
    ColumnEpilogue epilogue[DECODE_ITEM_TILES]{};
    if (OVERLAP && (!ONE_WARP_ENDS || warp == pass % DECODE_WARPS))
    {
#pragma unroll
        for (int r = 0; r < DECODE_ITEM_TILES; ++r)
            if (r < it.tiles) epilogue[r] = column_epilogue(p, row_tile_item(it, r), g);
    }
    ConsumerLane view;
    view.code_offset = 16 * lane;
    view.scale_offset = scale_offset(FORMAT, g, t);
#pragma unroll
    for (int nt = 0; nt < 2; ++nt) view.column_offset[nt] = min(8 * nt + g, columns - 1) * ring.column_stride + 32 * t;
    // Two independent mma chains per warp: with one row tile per item, records w and w + 4 of each stage (summed at
    // the end); with two, chunk w of each tile (the same activations for both).
    float acc[DECODE_ITEM_TILES][NT][4], odd[NT][4];
#pragma unroll
    for (int nt = 0; nt < NT; ++nt)
#pragma unroll
        for (int q = 0; q < 4; ++q)
        {
            odd[nt][q] = 0.0f;
#pragma unroll
            for (int r = 0; r < DECODE_ITEM_TILES; ++r) acc[r][nt][q] = 0.0f;
        }

    // The barriers' addresses, fixed for the pass (a stage's is 8 bytes on), so that the loop adds instead of
    // converting a generic address per wait. The loop counts chunks, whose bound stays in a register, rather than
    // stages (item_stages' rounding division, which the compiler redid every stage).
    const u32 full0 = full_barrier(s, 0), empty0 = empty_barrier(s, 0);
    const int chunks = it.chunk_end - it.chunk_begin;
    for (int c = 0; c < chunks; c += ring.chunks)
    {
        if (c > 0) moetune::mbarrier_wait(full0 + 8 * cursor.stage, cursor.phase);
        const int n = chunks - c;  // the stage's chunks, where fewer than ring.chunks (a pass's last stage)
        const u32 stage = ring.base + cursor.stage * ring.stage_bytes;
        const u32 activations = stage + ring.records() * record_bytes_of(FORMAT);
        if constexpr (DECODE_ITEM_TILES == 2)
        {
            // Slots 2 q and 2 q + 1: chunk q of the first and second row tile (a lone last tile's second slots hold
            // stale records, multiplied but never written), for q = w and, in a wide stage, w + 4, w + 8, ...
            const int end = min(n, ring.chunks);
#pragma unroll 1
            for (int q = warp; q < end; q += DECODE_WARPS)
                multiply_chunk_pair<NT, FORMAT>(load_chunk_pair<NT, FORMAT>(stage, activations, q, view), acc, shifts);
        }
        else if (n >= DECODE_BULK_STAGE_RECORDS)
        {
            // Both reads first, so that the two records' decodes and mma chains interleave.
            const RecordOperands<NT> first = load_record<NT, FORMAT>(stage, activations, warp, view);
            const RecordOperands<NT> second = load_record<NT, FORMAT>(stage, activations, warp + DECODE_WARPS, view);
            multiply_record<NT, FORMAT>(first.words, first.scale_pair, first.b, acc[0], shifts);
            multiply_record<NT, FORMAT>(second.words, second.scale_pair, second.b, odd, shifts);
        }
        else
        {
            // A pass's last stage may hold fewer records.
            if (warp < n)
            {
                const RecordOperands<NT> r = load_record<NT, FORMAT>(stage, activations, warp, view);
                multiply_record<NT, FORMAT>(r.words, r.scale_pair, r.b, acc[0], shifts);
            }
            if (warp + DECODE_WARPS < n)
            {
                const RecordOperands<NT> r = load_record<NT, FORMAT>(stage, activations, warp + DECODE_WARPS, view);
                multiply_record<NT, FORMAT>(r.words, r.scale_pair, r.b, odd, shifts);
            }
        }
        moetune::mbarrier_arrive(empty0 + 8 * cursor.stage);
        cursor.advance(ring.stages);
    }
    if constexpr (DECODE_ITEM_TILES == 1)
    {
#pragma unroll
        for (int nt = 0; nt < NT; ++nt)
#pragma unroll
            for (int q = 0; q < 4; ++q) acc[0][nt][q] += odd[nt][q];
    }
    if constexpr (ONE_WARP_ENDS)
        finish_pass_by_one_warp<NT, NT_MAX>(p, s, it, group, columns, pass, acc, epilogue);
    else
        finish_pass_together<NT, NT_MAX>(p, s, it, group, columns, acc, OVERLAP ? epilogue : nullptr);
    if constexpr (OVERLAP)
    {
        // After the pass's end, so that the release increment's wait for this warp's earlier writes and a row tile's
        // reduction (global reads of every split's partials) hold up only this warp, whose records of the next stages
        // the ring waits for, and not the other three.
        finish_deferred_signal(p, deferred, s.routing.active_count);
        send_deferred_signal(p, deferred, s.routing.active_count);
    }
}

template <int NT_MAX, int FORMAT, bool OVERLAP>
MARLIN_DEVICE void consume(const MarlinParams& p, BulkShared<NT_MAX>& s, const Divisors& d, const Ring& ring)
{
    const int warp = threadIdx.x >> 5;
    RingCursor cursor;
    DeferredSignal deferred;
    for (int done = 0;; ++done)
    {
        // The item's first stage tells which item and group it is.
        moetune::mbarrier_wait(full_barrier(s, cursor.stage), cursor.phase);
        if (done == 0 && threadIdx.x == 0) trace_event(TRACE_FIRST_STAGE);
        const int item = s.stage_item[cursor.stage];
        if (item < 0) break;
        const int group = s.stage_group[cursor.stage];
        const DecodeItem it = describe_item(p, s.routing, d, item);
        const int columns = group_columns<8 * NT_MAX>(s.routing, it.active, group);
        if (NT_MAX == 2 && columns > 8)
            consume_pass<2, NT_MAX, FORMAT, OVERLAP>(p, s, ring, cursor, it, group, columns, done, deferred);
        else
            consume_pass<1, NT_MAX, FORMAT, OVERLAP>(p, s, ring, cursor, it, group, columns, done, deferred);
        if (group + 1 == item_groups<8 * NT_MAX>(s.routing, it.active) && warp == done % DECODE_WARPS)
        {
            if constexpr (OVERLAP)
                signal_item_overlapped(p, it, deferred);
            else
                signal_item(p, it, s.routing.active_count);
        }
    }
    if constexpr (OVERLAP)
    {
        // The last reports: the partials they cover were ordered before this warp's last pass barrier.
        finish_deferred_signal(p, deferred, s.routing.active_count);
        send_deferred_signal(p, deferred, s.routing.active_count);
        finish_deferred_signal(p, deferred, s.routing.active_count);
    }
    if (threadIdx.x == 0) trace_event(TRACE_CONSUMED);
}

// ---------------------------------------------------------------------------------------------------------------
// The kernel.
// ---------------------------------------------------------------------------------------------------------------

template <int NT_MAX, int FORMAT, bool OVERLAP>
MARLIN_DEVICE void decode_bulk_moe(const MarlinParams& p)
{
    extern __shared__ __align__(128) uint4 decode_bulk_shared_memory[];
    BulkShared<NT_MAX>& s = *reinterpret_cast<BulkShared<NT_MAX>*>(decode_bulk_shared_memory);
    u32 dynamic_bytes;
    asm("mov.u32 %0, %%dynamic_smem_size;" : "=r"(dynamic_bytes));
    if (dynamic_bytes < sizeof(BulkShared<NT_MAX>)) __trap();  // the host's KernelLimits.DecodeBulkMinimumBytes has drifted
    if (p.format != FORMAT || p.record_bytes != record_bytes_of(FORMAT)) __trap();  // the host chose the wrong build
    const int tid = threadIdx.x;
    if (tid == 0) trace_event(TRACE_START);

    // Set-up, overlapped: thread 0 takes the first ticket, the producer warp's first lanes prepare the divisors and
    // warp 1 the ring's barriers while warp 0 derives the routing (for up to 32 pairs; all warps for more), and one
    // barrier publishes all of it. The ring's geometry each warp then derives from the routing itself.
    const u32 first_ticket = tid == 0 ? take_ticket(p.counters + MARLIN_COUNTER_TICKET) : 0u;
    prepare_divisors<DECODE_BULK_THREADS>(p, s.routing);
    if (tid >> 5 == 1) init_ring_barriers(s);
    derive_routing<DECODE_BULK_THREADS>(p, s.routing, s.ring, &s.first_ticket, first_ticket);
    if (tid == 0) trace_event(TRACE_ROUTED);
    const int total = s.routing.active_count * (w13_items(p) + w2_items(p) * p.splits2);
    const Ring ring = launch_ring<NT_MAX, FORMAT>(s, dynamic_bytes);
    if (routing_uses_scratch(p))
    {
        moetune::fence_proxy_async_shared();  // every thread's ordinary use of the routing scratch precedes the copies into the ring
        __syncthreads();
    }
    if (tid == 0) trace_event(TRACE_SET_UP);
    const Divisors d = launch_divisors(s.routing);
    if (tid >= DECODE_WARPS * 32)
        produce<NT_MAX>(p, s, d, ring, total);
    else
        consume<NT_MAX, FORMAT, OVERLAP>(p, s, d, ring);
    reset_counters_if_last<DECODE_BULK_THREADS>(p, s.is_last, reduces_by_tickets(p));
    if (tid == 0) trace_event(TRACE_END);
}

// One build per weight format and n-tile count, as the register-ring pipeline's, and per way of ending an item:
// marlin_decode_bulk_* signal each item as soon as it is written (version 3), marlin_decode_overlap_* overlap the item
// epilogue with the stream (prefetched epilogue constants, deferred GEMM2 signals; see DeferredSignal). Resident CTAs per
// SM follow from the shared memory the host gives each (an equal share of an SM's for these counts, DecodeLaunch); the
// launch bounds only keep registers from limiting them. bulk: _nt1 at 3 CTAs (up to 128 registers), _nt2 at 2.
// overlap: one more CTA each, for more independent item streams per SM: _nt1 at 4 (96 registers), _nt2 at 3 (128);
// ptxas (12.4) needs no spills at either cap.
#define DECODE_BULK_MIN_CTAS_NT1 3
#define DECODE_BULK_MIN_CTAS_NT2 2
#define DECODE_OVERLAP_MIN_CTAS_NT1 4
#define DECODE_OVERLAP_MIN_CTAS_NT2 3

extern "C" __global__ void __launch_bounds__(DECODE_BULK_THREADS, DECODE_BULK_MIN_CTAS_NT1) marlin_decode_bulk_nvfp4_nt1(const MarlinParams p)
{
    decode_bulk_moe<1, MARLIN_FORMAT_NVFP4, false>(p);
}

extern "C" __global__ void __launch_bounds__(DECODE_BULK_THREADS, DECODE_BULK_MIN_CTAS_NT2) marlin_decode_bulk_nvfp4_nt2(const MarlinParams p)
{
    decode_bulk_moe<2, MARLIN_FORMAT_NVFP4, false>(p);
}

extern "C" __global__ void __launch_bounds__(DECODE_BULK_THREADS, DECODE_BULK_MIN_CTAS_NT1) marlin_decode_bulk_mxfp4_nt1(const MarlinParams p)
{
    decode_bulk_moe<1, MARLIN_FORMAT_MXFP4, false>(p);
}

extern "C" __global__ void __launch_bounds__(DECODE_BULK_THREADS, DECODE_BULK_MIN_CTAS_NT2) marlin_decode_bulk_mxfp4_nt2(const MarlinParams p)
{
    decode_bulk_moe<2, MARLIN_FORMAT_MXFP4, false>(p);
}

extern "C" __global__ void __launch_bounds__(DECODE_BULK_THREADS, DECODE_OVERLAP_MIN_CTAS_NT1) marlin_decode_overlap_nvfp4_nt1(const MarlinParams p)
{
    decode_bulk_moe<1, MARLIN_FORMAT_NVFP4, true>(p);
}

extern "C" __global__ void __launch_bounds__(DECODE_BULK_THREADS, DECODE_OVERLAP_MIN_CTAS_NT2) marlin_decode_overlap_nvfp4_nt2(const MarlinParams p)
{
    decode_bulk_moe<2, MARLIN_FORMAT_NVFP4, true>(p);
}

extern "C" __global__ void __launch_bounds__(DECODE_BULK_THREADS, DECODE_OVERLAP_MIN_CTAS_NT1) marlin_decode_overlap_mxfp4_nt1(const MarlinParams p)
{
    decode_bulk_moe<1, MARLIN_FORMAT_MXFP4, true>(p);
}

extern "C" __global__ void __launch_bounds__(DECODE_BULK_THREADS, DECODE_OVERLAP_MIN_CTAS_NT2) marlin_decode_overlap_mxfp4_nt2(const MarlinParams p)
{
    decode_bulk_moe<2, MARLIN_FORMAT_MXFP4, true>(p);
}
