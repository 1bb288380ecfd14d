// Marlin backend, decode path (few tokens): the whole MoE layer in one persistent kernel.
//
// Work items, handed out in order by an atomic ticket:
//   GEMM1 items (active expert a, W13 row tile)       h[pair, 8 rows] = act(W13 x + b13), bf16
//   GEMM2 items (active expert a, W2 row tile, split)  partials[pair, split, 16 rows] = W2 h (+ b2), fp32
// A GEMM2 item of expert e waits until every GEMM1 tile of e is done (a per-expert counter). Tickets are taken in
// order and GEMM1 items come first, so an item is only ever waited on by CTAs that took their tickets after it was
// taken by a running CTA: there is no deadlock whatever the number of resident CTAs. The last GEMM2 item of a row
// tile (a per-row-tile counter) reduces that tile for every token, over the top-k slots and splits in a fixed order,
// with the router weights: the output is deterministic and written exactly once. The last CTA to exit resets the
// counters, so the kernel replays in a CUDA graph with no memset.
//
// Inside an item the four warps split K; each warp streams its chunks through its own cp.async ring (weights with an
// L2 evict-first hint, activations gathered by pair) and reduces through shared memory at the end. Each CTA derives
// the active experts and their pairs from topk_ids itself (T * k <= 512), so no routing kernel runs before it.
#include "marlin_params.cuh"

#define DECODE_WARPS 4
#define DECODE_THREADS (DECODE_WARPS * 32)
#define DECODE_STAGES 4
#define DECODE_MAX_PAIRS 512
#define DECODE_MAX_EXPERTS 1024
#define DECODE_RECORD_MAX 576

template <int NT>
struct DecodeShared
{
    u8 stage_a[DECODE_WARPS][DECODE_STAGES][DECODE_RECORD_MAX];
    // Per n-tile: each lane's first 16 bytes of its column's 32-byte k range, then the second 16 (so that the lanes'
    // 16-byte reads are consecutive and conflict-free).
    u8 stage_b[DECODE_WARPS][DECODE_STAGES][NT * 32 * 32];
    float reduce[DECODE_WARPS][NT][4][32];
    int ids[DECODE_MAX_PAIRS];
    int cursor[DECODE_MAX_PAIRS];
    int offsets[DECODE_MAX_PAIRS + 1];       // pairs of active expert a: sorted[offsets[a] .. offsets[a + 1])
    u16 sorted[DECODE_MAX_PAIRS];
    u16 active_expert[DECODE_MAX_PAIRS];
    u32 bitmap[DECODE_MAX_EXPERTS / 32];
    int word_prefix[DECODE_MAX_EXPERTS / 32];
    int warp_sums[DECODE_WARPS];
    int active_count;
    int ticket;
    int next_ticket;
    int is_last;
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
    return s.word_prefix[w] + __popc(s.bitmap[w] & ((1u << (expert & 31)) - 1u));
}

// The active experts (ascending ids) and, for each, its (token, slot) pairs, from topk_ids.
template <int NT>
MARLIN_DEVICE void derive_routing(const MarlinParams& p, DecodeShared<NT>& s)
{
    const int tid = threadIdx.x, lane = tid & 31;
    const int pairs = p.tokens * p.top_k;
    const int words = (p.experts + 31) >> 5;
    for (int i = tid; i < words; i += DECODE_THREADS) s.bitmap[i] = 0;
    for (int i = tid; i < pairs; i += DECODE_THREADS)
    {
        const int id = p.topk_ids[i];
        if (id < 0 || id >= p.experts) __trap();  // a contract violation: expert ids are in [0, E)
        s.ids[i] = id;
    }
    __syncthreads();
    for (int i = tid; i < pairs; i += DECODE_THREADS) atomicOr(&s.bitmap[s.ids[i] >> 5], 1u << (s.ids[i] & 31));
    __syncthreads();
    if (tid < 32)
    {
        const int count = lane < words ? __popc(s.bitmap[lane]) : 0;
        int inclusive = count;
        for (int o = 1; o < 32; o <<= 1)
        {
            const int v = __shfl_up_sync(0xffffffffu, inclusive, o);
            if (lane >= o) inclusive += v;
        }
        if (lane < words) s.word_prefix[lane] = inclusive - count;
        if (lane == 31) s.active_count = inclusive;
    }
    __syncthreads();
    const int active = s.active_count;
    for (int e = tid; e < p.experts; e += DECODE_THREADS)
    {
        if (s.bitmap[e >> 5] & (1u << (e & 31))) s.active_expert[active_rank(s, e)] = (u16)e;
    }
    for (int a = tid; a < active; a += DECODE_THREADS) s.cursor[a] = 0;
    __syncthreads();
    for (int i = tid; i < pairs; i += DECODE_THREADS) atomicAdd(&s.cursor[active_rank(s, s.ids[i])], 1);
    __syncthreads();

    // Offsets: each thread scans four consecutive counts (active <= 512 = 4 * 128).
    int counts[4], local = 0;
    for (int q = 0; q < 4; ++q)
    {
        const int a = 4 * tid + q;
        counts[q] = a < active ? s.cursor[a] : 0;
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
            s.cursor[a] = running;
        }
        running += counts[q];
    }
    if (tid == 0) s.offsets[active] = total;
    __syncthreads();

    // Order within an expert does not matter: every pair's column is computed independently of the others.
    for (int i = tid; i < pairs; i += DECODE_THREADS)
    {
        const int position = atomicAdd(&s.cursor[active_rank(s, s.ids[i])], 1);
        s.sorted[position] = (u16)i;
    }
    __syncthreads();
}

// One warp's share of an item: chunks [chunk_begin, chunk_end) of one 16-row tile against up to 8 * NT columns.
template <int NT>
MARLIN_DEVICE void warp_stream_gemm(const MarlinParams& p, DecodeShared<NT>& s, const u8* tile_records, int chunk_begin,
                                    int chunk_end, const u16* const (&column_rows)[NT], const bool (&column_valid)[NT],
                                    int active_tiles, const u32* wait_counter, u32 wait_target, u64 policy,
                                    float (&acc)[NT][4])
{
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int g = lane >> 2, t = lane & 3;
    const int record_bytes = p.record_bytes;
    const int scale_pieces = (record_bytes - MARLIN_DATA_BYTES) >> 4;
    u8(*stage_a)[DECODE_RECORD_MAX] = s.stage_a[warp];
    u8(*stage_b)[NT * 32 * 32] = s.stage_b[warp];
    const int n = chunk_end - chunk_begin;

    auto issue_weights = [&](int i) {
        const u8* record = tile_records + (size_t)(chunk_begin + i) * record_bytes;
        u8* slot = stage_a[i % DECODE_STAGES];
        moetune::cp_async_16_policy(slot + 16 * lane, record + 16 * lane, policy);
        if (lane < scale_pieces)
            moetune::cp_async_16_policy(slot + MARLIN_DATA_BYTES + 16 * lane, record + MARLIN_DATA_BYTES + 16 * lane, policy);
    };
    auto issue_columns = [&](int i) {
        const int k0 = (chunk_begin + i) * MARLIN_CHUNK_K + 16 * t;
        u8* slot = stage_b[i % DECODE_STAGES];
#pragma unroll
        for (int nt = 0; nt < NT; ++nt)
        {
            if (!column_valid[nt]) continue;
            u8* destination = slot + nt * 1024 + lane * 16;
            moetune::cp_async_16(destination, column_rows[nt] + k0);
            moetune::cp_async_16(destination + 512, column_rows[nt] + k0 + 8);
        }
    };

    // Weights first: they do not depend on the previous GEMM, so they are in flight while we wait for it.
    for (int i = 0; i < DECODE_STAGES - 1; ++i)
        if (i < n) issue_weights(i);
    if (wait_counter != nullptr)
    {
        // The GEMM1 tiles waited for were taken earlier by running CTAs, so they finish within microseconds; a wait
        // of seconds means a broken invariant, and a trap reports it where a hang would not.
        if (lane == 0)
            for (u32 spins = 0; ld_acquire_u32(wait_counter) < wait_target; ++spins)
            {
                if (spins > (1u << 24)) __trap();
                nanosleep_ns(64);
            }
        __syncwarp();
    }
    for (int i = 0; i < DECODE_STAGES - 1; ++i)
    {
        if (i < n) issue_columns(i);
        moetune::cp_async_commit();
    }

    for (int i = 0; i < n; ++i)
    {
        const int ahead = i + DECODE_STAGES - 1;
        if (ahead < n)
        {
            issue_weights(ahead);
            issue_columns(ahead);
        }
        moetune::cp_async_commit();
        moetune::cp_async_wait<DECODE_STAGES - 1>();
        __syncwarp();

        const u8* slot_a = stage_a[i % DECODE_STAGES];
        const u8* slot_b = stage_b[i % DECODE_STAGES];
        const uint4 words = lds128(slot_a + 16 * lane);
        const u32 scales = lds16(slot_a + scale_offset(p.format, g, t));
        const u32 scale_lo = scale_byte_to_bf16x2(scales & 0xffu, p.format);
        const u32 scale_hi = scale_byte_to_bf16x2(scales >> 8, p.format);
        uint4 b[NT][2];
#pragma unroll
        for (int nt = 0; nt < NT; ++nt)
        {
            if (column_valid[nt])
            {
                b[nt][0] = lds128(slot_b + nt * 1024 + lane * 16);
                b[nt][1] = lds128(slot_b + nt * 1024 + 512 + lane * 16);
            }
            else
            {
                b[nt][0] = make_uint4(0, 0, 0, 0);
                b[nt][1] = make_uint4(0, 0, 0, 0);
            }
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
                if (nt >= active_tiles) continue;
                const uint4& half = b[nt][j >> 1];
                mma_step(acc[nt], a, (j & 1) ? half.z : half.x, (j & 1) ? half.w : half.y);
            }
        }
        __syncwarp();
    }
}

// Sums the four warps' accumulators in a fixed order. Thread -> (n-tile, lane, column parity); returns the rows g and
// g + 8 of that column.
template <int NT>
MARLIN_DEVICE bool reduced_column(const DecodeShared<NT>& s, int& column, int& g, float& row_lo, float& row_hi)
{
    const int tid = threadIdx.x;
    const int lane = tid & 31, parity = (tid >> 5) & 1, nt = tid >> 6;
    if (nt >= NT) return false;
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

template <int NT>
MARLIN_DEVICE void store_accumulators(DecodeShared<NT>& s, const float (&acc)[NT][4])
{
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
    for (int nt = 0; nt < NT; ++nt)
#pragma unroll
        for (int q = 0; q < 4; ++q) s.reduce[warp][nt][q][lane] = acc[nt][q];
}

// Runs one item for every group of up to 8 * NT pairs of its expert (more than one group only when an expert has more
// pairs than that: duplicate ids in a row of topk_ids, or more tokens than the kernel was chosen for).
template <int NT>
MARLIN_DEVICE void run_item(const MarlinParams& p, DecodeShared<NT>& s, bool second, int active, int tile, int split,
                            u64 policy)
{
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int g = lane >> 2;
    const int expert = s.active_expert[active];
    const u16* pairs = s.sorted + s.offsets[active];
    const int npairs = s.offsets[active + 1] - s.offsets[active];
    const int chunks = second ? p.chunks2 : p.chunks13;
    const int tiles = second ? p.w2_tiles : p.w13_tiles;
    const int splits = second ? p.splits2 : 1;
    const int item_begin = chunks * split / splits, item_end = chunks * (split + 1) / splits;
    const int span = item_end - item_begin;
    const int chunk_begin = item_begin + span * warp / DECODE_WARPS;
    const int chunk_end = item_begin + span * (warp + 1) / DECODE_WARPS;
    const u8* tile_records =
        (second ? p.w2 : p.w13) + ((size_t)expert * tiles + tile) * (size_t)chunks * (size_t)p.record_bytes;
    const u32* wait_counter = second ? p.counters + MARLIN_COUNTER_EXPERT_DONE + expert : nullptr;
    const int row_length = second ? p.inter_size : p.hidden_size;

    for (int group = 0; group < npairs; group += 8 * NT)
    {
        const int columns = min(8 * NT, npairs - group);
        const u16* column_rows[NT];
        bool column_valid[NT];
#pragma unroll
        for (int nt = 0; nt < NT; ++nt)
        {
            const int column = 8 * nt + g;
            column_valid[nt] = column < columns;
            const int pair = pairs[group + (column_valid[nt] ? column : 0)];
            column_rows[nt] = second ? p.intermediate + (size_t)pair * row_length
                                     : p.hidden + (size_t)(pair / p.top_k) * row_length;
        }
        float acc[NT][4];
#pragma unroll
        for (int nt = 0; nt < NT; ++nt)
#pragma unroll
            for (int q = 0; q < 4; ++q) acc[nt][q] = 0.0f;
        warp_stream_gemm(p, s, tile_records, chunk_begin, chunk_end, column_rows, column_valid, (columns + 7) >> 3,
                         wait_counter, (u32)p.w13_tiles, policy, acc);
        store_accumulators(s, acc);
        __syncthreads();

        int column, row;
        float lo, hi;
        if (reduced_column(s, column, row, lo, hi) && column < columns)
        {
            const int pair = pairs[group + column];
            if (!second)
            {
                const float factor = p.epilogue13[expert];
                const float* bias = p.bias13 != nullptr ? p.bias13 + (size_t)expert * (is_gated(p.activation) ? 2 : 1) * p.inter_size : nullptr;
                u16* h = p.intermediate + (size_t)pair * p.inter_size;
                if (is_gated(p.activation))
                {
                    const int i = 8 * tile + row;
                    const float gate = lo * factor + (bias != nullptr ? bias[i] : 0.0f);
                    const float up = hi * factor + (bias != nullptr ? bias[p.inter_size + i] : 0.0f);
                    h[i] = moetune::float_to_bf16(gated_activation(p.activation, gate, up));
                }
                else
                {
                    const int i = 16 * tile + row;
                    h[i] = moetune::float_to_bf16(relu_squared(lo * factor + (bias != nullptr ? bias[i] : 0.0f)));
                    h[i + 8] = moetune::float_to_bf16(relu_squared(hi * factor + (bias != nullptr ? bias[i + 8] : 0.0f)));
                }
            }
            else
            {
                const float factor = p.epilogue2[expert];
                const int r = 16 * tile + row;
                float* out = p.partials + ((size_t)pair * p.splits2 + split) * p.hidden_size;
                const bool with_bias = p.bias2 != nullptr && split == 0;
                out[r] = lo * factor + (with_bias ? p.bias2[(size_t)expert * p.hidden_size + r] : 0.0f);
                out[r + 8] = hi * factor + (with_bias ? p.bias2[(size_t)expert * p.hidden_size + r + 8] : 0.0f);
            }
        }
        __syncthreads();  // the reduce buffer is reused by the next group
    }
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

template <int NT>
MARLIN_DEVICE void decode_moe(const MarlinParams& p)
{
    extern __shared__ uint4 decode_shared_memory[];
    DecodeShared<NT>& s = *reinterpret_cast<DecodeShared<NT>*>(decode_shared_memory);
    u32 dynamic_bytes;
    asm("mov.u32 %0, %%dynamic_smem_size;" : "=r"(dynamic_bytes));
    if (dynamic_bytes < sizeof(DecodeShared<NT>)) __trap();  // the host's KernelLimits.DecodeSharedBytes has drifted
    const int tid = threadIdx.x;
    u32* ticket = p.counters + MARLIN_COUNTER_TICKET;
    u32* expert_done = p.counters + MARLIN_COUNTER_EXPERT_DONE;
    u32* row_tile_done = expert_done + p.experts;
    const u64 policy = moetune::l2_evict_first_policy();

    derive_routing(p, s);
    const int active = s.active_count;
    const int items13 = active * p.w13_tiles;
    const int items2_per_expert = p.w2_tiles * p.splits2;
    const int total = items13 + active * items2_per_expert;

    if (tid == 0) s.ticket = (int)atomicAdd(ticket, 1u);
    __syncthreads();
    for (;;)
    {
        const int item = s.ticket;
        if (item >= total) break;
        if (tid == 0) s.next_ticket = (int)atomicAdd(ticket, 1u);
        if (item < items13)
        {
            const int a = item / p.w13_tiles;
            run_item(p, s, false, a, item % p.w13_tiles, 0, policy);
            __threadfence();
            __syncthreads();
            if (tid == 0) atomicAdd(expert_done + s.active_expert[a], 1u);
        }
        else
        {
            const int rest = item - items13;
            const int a = rest / items2_per_expert;
            const int tile = (rest % items2_per_expert) / p.splits2;
            run_item(p, s, true, a, tile, rest % p.splits2, policy);
            __threadfence();
            __syncthreads();
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
        __syncthreads();
        if (tid == 0) s.ticket = s.next_ticket;
        __syncthreads();
    }

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

// Minimum resident CTAs per SM: what their shared memory allows on Hopper (see KernelLimits.DecodeSharedBytes), so
// that registers never become the tighter limit.
extern "C" __global__ void __launch_bounds__(DECODE_THREADS, 6) marlin_decode_nt1(const MarlinParams p) { decode_moe<1>(p); }

extern "C" __global__ void __launch_bounds__(DECODE_THREADS, 4) marlin_decode_nt2(const MarlinParams p) { decode_moe<2>(p); }
