// Marlin backend, prefill path (many tokens): four kernels.
//   marlin_prefill_route    one CTA: pairs (t * k + j) grouped by expert, and a list of token tiles of up to 64 pairs
//   marlin_prefill_gemm13   per (row block, token tile): h[pair, rows] = act(W13 x + b13), bf16
//   marlin_prefill_gemm2    per (row block, token tile): partials[pair, rows] = W2 h + b2, fp32
//   marlin_prefill_reduce   output[t] = sum over slots j (in order) of w[t, j] * partials[t * k + j]
// A CTA computes 128 weight rows (4 warps x 2 row tiles) against 64 pairs. The pairs' activations are gathered into
// shared memory once per K chunk and shared by the four warps; each warp's weight records stream through the same
// cp.async ring. Grids are sized on the host from T alone (an upper bound on the tile count); CTAs past the device's
// tile count exit at once, so nothing waits for the host.
#include "marlin_params.cuh"

#define PREFILL_WARPS 4
#define PREFILL_THREADS (PREFILL_WARPS * 32)
#define PREFILL_TILES_PER_WARP 2
#define PREFILL_BLOCK_TILES (PREFILL_WARPS * PREFILL_TILES_PER_WARP)
#define PREFILL_COLUMNS 64
#define PREFILL_NTILES (PREFILL_COLUMNS / 8)
#define PREFILL_STAGES 3
#define PREFILL_RECORD_MAX 576
#define ROUTE_THREADS 1024
#define ROUTE_MAX_EXPERTS 1024

// Routing table layout (ints): [0] tile count, then tile experts, tile starts and tile sizes (max_tiles each), then
// the pairs grouped by expert (T * k).
MARLIN_DEVICE int* tile_experts(const MarlinParams& p) { return p.routing + 1; }
MARLIN_DEVICE int* tile_starts(const MarlinParams& p) { return p.routing + 1 + p.max_tiles; }
MARLIN_DEVICE int* tile_sizes(const MarlinParams& p) { return p.routing + 1 + 2 * p.max_tiles; }
MARLIN_DEVICE int* grouped_pairs(const MarlinParams& p) { return p.routing + 1 + 3 * p.max_tiles; }

// Exclusive prefix sum over a 1024-thread CTA; every thread also gets the total.
MARLIN_DEVICE int route_exclusive_scan(int value, int* warp_sums, int& total)
{
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    int inclusive = value;
    for (int o = 1; o < 32; o <<= 1)
    {
        const int v = __shfl_up_sync(0xffffffffu, inclusive, o);
        if (lane >= o) inclusive += v;
    }
    if (lane == 31) warp_sums[warp] = inclusive;
    __syncthreads();
    if (warp == 0)
    {
        const int sum = warp_sums[lane];
        int scanned = sum;
        for (int o = 1; o < 32; o <<= 1)
        {
            const int v = __shfl_up_sync(0xffffffffu, scanned, o);
            if (lane >= o) scanned += v;
        }
        warp_sums[lane] = scanned - sum;
        if (lane == 31) warp_sums[32] = scanned;
    }
    __syncthreads();
    total = warp_sums[32];
    const int result = warp_sums[warp] + inclusive - value;
    __syncthreads();
    return result;
}

extern "C" __global__ void __launch_bounds__(ROUTE_THREADS) marlin_prefill_route(const MarlinParams p)
{
    __shared__ int counts[ROUTE_MAX_EXPERTS];
    __shared__ int cursor[ROUTE_MAX_EXPERTS];
    __shared__ int warp_sums[33];
    const int tid = threadIdx.x;
    const int pairs = p.tokens * p.top_k;
    counts[tid] = 0;
    __syncthreads();
    for (int i = tid; i < pairs; i += ROUTE_THREADS)
    {
        const int id = p.topk_ids[i];
        if (id < 0 || id >= p.experts) __trap();  // a contract violation: expert ids are in [0, E)
        atomicAdd(&counts[id], 1);
    }
    __syncthreads();

    const int count = counts[tid];  // zero past the expert count
    const int tiles = (count + PREFILL_COLUMNS - 1) / PREFILL_COLUMNS;
    int pair_total, tile_total;
    const int first_pair = route_exclusive_scan(count, warp_sums, pair_total);
    const int first_tile = route_exclusive_scan(tiles, warp_sums, tile_total);
    if (tile_total > p.max_tiles) __trap();  // the host's bound is wrong: never index past the table
    cursor[tid] = first_pair;
    for (int j = 0; j < tiles; ++j)
    {
        tile_experts(p)[first_tile + j] = tid;
        tile_starts(p)[first_tile + j] = first_pair + j * PREFILL_COLUMNS;
        tile_sizes(p)[first_tile + j] = min(PREFILL_COLUMNS, count - j * PREFILL_COLUMNS);
    }
    if (tid == 0) p.routing[0] = tile_total;
    __syncthreads();

    // Order within an expert does not matter: every pair's column is computed independently of the others.
    for (int i = tid; i < pairs; i += ROUTE_THREADS) grouped_pairs(p)[atomicAdd(&cursor[p.topk_ids[i]], 1)] = i;
}

struct PrefillShared
{
    u8 a[PREFILL_STAGES][PREFILL_WARPS][PREFILL_TILES_PER_WARP][PREFILL_RECORD_MAX];
    u8 b[PREFILL_STAGES][PREFILL_COLUMNS][MARLIN_CHUNK_K * 2];  // 16-byte pieces swizzled by column (see b_piece)
    int pair[PREFILL_COLUMNS];
};

// Where logical 16-byte piece `piece` (0..7) of a column's chunk lives: XOR-swizzled with the column so that the eight
// lanes of a quarter warp, reading two columns at four pieces each, hit eight different bank groups.
MARLIN_DEVICE int b_piece(int column, int piece) { return ((piece ^ (column & 7)) << 4); }

template <bool Second>
MARLIN_DEVICE void prefill_gemm(const MarlinParams& p)
{
    __shared__ __align__(16) PrefillShared s;
    const int tile_index = blockIdx.y;
    if (tile_index >= p.routing[0]) return;
    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int g = lane >> 2, t = lane & 3;
    const int expert = tile_experts(p)[tile_index];
    const int first = tile_starts(p)[tile_index];
    const int columns = tile_sizes(p)[tile_index];
    if (tid < PREFILL_COLUMNS) s.pair[tid] = tid < columns ? grouped_pairs(p)[first + tid] : 0;
    __syncthreads();

    const int chunks = Second ? p.chunks2 : p.chunks13;
    const int tiles = Second ? p.w2_tiles : p.w13_tiles;
    const int row_length = Second ? p.inter_size : p.hidden_size;
    const int record_bytes = p.record_bytes;
    const int scale_pieces = (record_bytes - MARLIN_DATA_BYTES) >> 4;
    const u8* weights = Second ? p.w2 : p.w13;
    const u64 policy = moetune::l2_evict_first_policy();
    const ScaleCodec codec = scale_codec(p.format);

    int row_tile[PREFILL_TILES_PER_WARP];
    bool row_valid[PREFILL_TILES_PER_WARP];
    const u8* records[PREFILL_TILES_PER_WARP];
#pragma unroll
    for (int m = 0; m < PREFILL_TILES_PER_WARP; ++m)
    {
        row_tile[m] = blockIdx.x * PREFILL_BLOCK_TILES + warp * PREFILL_TILES_PER_WARP + m;
        row_valid[m] = row_tile[m] < tiles;
        records[m] = weights + ((size_t)expert * tiles * chunks + record_index(row_valid[m] ? row_tile[m] : 0, 0, chunks)) * record_bytes;
    }

    // This thread's four activation pieces per chunk: piece index tid + 128 q covers column (index >> 3), part (index & 7).
    const u16* piece_source[4];
    bool piece_valid[4];
#pragma unroll
    for (int q = 0; q < 4; ++q)
    {
        const int index = tid + PREFILL_THREADS * q;
        const int column = index >> 3;
        piece_valid[q] = column < columns;
        const int pair = s.pair[column];
        piece_source[q] = (Second ? p.intermediate + (size_t)pair * row_length
                                  : p.hidden + (size_t)(pair / p.top_k) * row_length) + 8 * (index & 7);
    }

    auto issue = [&](int chunk) {
        const int slot = chunk % PREFILL_STAGES;
#pragma unroll
        for (int m = 0; m < PREFILL_TILES_PER_WARP; ++m)
        {
            if (!row_valid[m]) continue;
            const u8* record = records[m] + (size_t)chunk * MARLIN_CHUNK_RECORDS * record_bytes;
            u8* destination = s.a[slot][warp][m];
            moetune::cp_async_16_policy(destination + 16 * lane, record + 16 * lane, policy);
            if (lane < scale_pieces)
                moetune::cp_async_16_policy(destination + MARLIN_DATA_BYTES + 16 * lane, record + MARLIN_DATA_BYTES + 16 * lane, policy);
        }
#pragma unroll
        for (int q = 0; q < 4; ++q)
        {
            const int index = tid + PREFILL_THREADS * q;
            const int column = index >> 3;
            // Columns past the tile are zero-filled, so they add nothing and read nothing.
            moetune::cp_async_16_zfill(&s.b[slot][column][b_piece(column, index & 7)], piece_source[q] + chunk * MARLIN_CHUNK_K,
                       piece_valid[q]);
        }
    };

    float acc[PREFILL_TILES_PER_WARP][PREFILL_NTILES][4];
#pragma unroll
    for (int m = 0; m < PREFILL_TILES_PER_WARP; ++m)
#pragma unroll
        for (int nt = 0; nt < PREFILL_NTILES; ++nt)
#pragma unroll
            for (int q = 0; q < 4; ++q) acc[m][nt][q] = 0.0f;

    for (int i = 0; i < PREFILL_STAGES - 1; ++i)
    {
        if (i < chunks) issue(i);
        moetune::cp_async_commit();
    }
    for (int i = 0; i < chunks; ++i)
    {
        moetune::cp_async_wait<PREFILL_STAGES - 2>();
        __syncthreads();  // chunk i is visible to all, and every warp is done with the slot refilled below
        if (i + PREFILL_STAGES - 1 < chunks) issue(i + PREFILL_STAGES - 1);
        moetune::cp_async_commit();

        const int slot = i % PREFILL_STAGES;
        u32 a[PREFILL_TILES_PER_WARP][4][4];
#pragma unroll
        for (int m = 0; m < PREFILL_TILES_PER_WARP; ++m)
        {
            const u8* record = s.a[slot][warp][m];
            const uint4 words = lds128(record + 16 * lane);
            const u32 scales = lds16(record + scale_offset(p.format, g, t));
            u32 scale_lo, scale_hi;
            decode_scales(scales, codec, scale_lo, scale_hi);
            decode_a_fragment(words.x, scale_lo, scale_hi, a[m][0]);
            decode_a_fragment(words.y, scale_lo, scale_hi, a[m][1]);
            decode_a_fragment(words.z, scale_lo, scale_hi, a[m][2]);
            decode_a_fragment(words.w, scale_lo, scale_hi, a[m][3]);
        }
#pragma unroll
        for (int nt = 0; nt < PREFILL_NTILES; ++nt)
        {
            if (8 * nt >= columns) break;
            const int column = 8 * nt + g;
            const uint4 lo = lds128(&s.b[slot][column][b_piece(column, 2 * t)]);
            const uint4 hi = lds128(&s.b[slot][column][b_piece(column, 2 * t + 1)]);
#pragma unroll
            for (int m = 0; m < PREFILL_TILES_PER_WARP; ++m)
            {
                mma_step(acc[m][nt], a[m][0], lo.x, lo.y);
                mma_step(acc[m][nt], a[m][1], lo.z, lo.w);
                mma_step(acc[m][nt], a[m][2], hi.x, hi.y);
                mma_step(acc[m][nt], a[m][3], hi.z, hi.w);
            }
        }
    }

    // Epilogue: thread (g, t) holds rows g and g + 8 of columns 8 nt + 2 t + {0, 1}.
    const float factor = Second ? p.epilogue2[expert] : p.epilogue13[expert];
#pragma unroll
    for (int m = 0; m < PREFILL_TILES_PER_WARP; ++m)
    {
        if (!row_valid[m]) continue;
        const int tile = row_tile[m];
#pragma unroll
        for (int nt = 0; nt < PREFILL_NTILES; ++nt)
        {
#pragma unroll
            for (int parity = 0; parity < 2; ++parity)
            {
                const int column = 8 * nt + 2 * t + parity;
                if (column >= columns) continue;
                const int pair = s.pair[column];
                const float lo = acc[m][nt][parity] * factor;
                const float hi = acc[m][nt][parity + 2] * factor;
                if (Second)
                {
                    const int r = MARLIN_TILE_ROWS * tile + g;
                    float* out = p.partials + (size_t)pair * p.hidden_size;
                    const float* bias = p.bias2 != nullptr ? p.bias2 + (size_t)expert * p.hidden_size : nullptr;
                    out[r] = lo + (bias != nullptr ? bias[r] : 0.0f);
                    out[r + 8] = hi + (bias != nullptr ? bias[r + 8] : 0.0f);
                }
                else
                {
                    u16* h = p.intermediate + (size_t)pair * p.inter_size;
                    if (is_gated(p.activation))
                    {
                        const float* bias = p.bias13 != nullptr ? p.bias13 + (size_t)expert * 2 * p.inter_size : nullptr;
                        const int i = 8 * tile + g;
                        const float gate = lo + (bias != nullptr ? bias[i] : 0.0f);
                        const float up = hi + (bias != nullptr ? bias[p.inter_size + i] : 0.0f);
                        h[i] = moetune::float_to_bf16(gated_activation(p.activation, gate, up));
                    }
                    else
                    {
                        const float* bias = p.bias13 != nullptr ? p.bias13 + (size_t)expert * p.inter_size : nullptr;
                        const int i = MARLIN_TILE_ROWS * tile + g;
                        h[i] = moetune::float_to_bf16(relu_squared(lo + (bias != nullptr ? bias[i] : 0.0f)));
                        h[i + 8] = moetune::float_to_bf16(relu_squared(hi + (bias != nullptr ? bias[i + 8] : 0.0f)));
                    }
                }
            }
        }
    }
}

extern "C" __global__ void __launch_bounds__(PREFILL_THREADS) marlin_prefill_gemm13(const MarlinParams p) { prefill_gemm<false>(p); }

extern "C" __global__ void __launch_bounds__(PREFILL_THREADS) marlin_prefill_gemm2(const MarlinParams p) { prefill_gemm<true>(p); }

// output[t, 4 c .. 4 c + 3] for one (t, c) per thread, grid-strided.
extern "C" __global__ void marlin_prefill_reduce(const MarlinParams p)
{
    const int quads = p.hidden_size / 4;
    const long long total = (long long)p.tokens * quads;
    for (long long index = (long long)blockIdx.x * blockDim.x + threadIdx.x; index < total;
         index += (long long)gridDim.x * blockDim.x)
    {
        const int token = (int)(index / quads);
        const int column = 4 * (int)(index % quads);
        float4 sum = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        for (int j = 0; j < p.top_k; ++j)
        {
            const int pair = token * p.top_k + j;
            const float w = p.topk_weights[pair];
            const float4 v = *reinterpret_cast<const float4*>(p.partials + (size_t)pair * p.hidden_size + column);
            sum.x += w * v.x;
            sum.y += w * v.y;
            sum.z += w * v.z;
            sum.w += w * v.w;
        }
        *reinterpret_cast<uint2*>(p.output + (size_t)token * p.hidden_size + column) =
            make_uint2(moetune::pack_bf16x2(sum.x, sum.y), moetune::pack_bf16x2(sum.z, sum.w));
    }
}
