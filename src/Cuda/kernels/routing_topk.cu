// Router top-k: [T, E] fp32 logits -> [T, k] expert ids (int32) and weights (fp32), one warp per token.
//
// Semantics are MoeTune.Reference.Routing.ReferenceRouter's, including its tie rule (equal scores: lower id first)
// and output order (descending selection score). To choose exactly what the float64 reference chooses, scores are
// computed in float64 wherever the choice depends on their values (a correction bias or grouping); otherwise the
// choice is made on the raw logits, which softmax and sigmoid order identically. Weights are formed in float64 in the
// reference's order of operations and rounded to float once.
//
// Limits (checked on the host): E <= 1024 (32 experts per lane, tracked in one bitmask), k <= 32 (lane j keeps
// slot j), groups <= 32, E divisible by groups, and enough eligible experts for k.
#include "moetune/types.cuh"
#include "moetune/warp.cuh"

using namespace moetune;

namespace {

constexpr int kWarpsPerBlock = 4;
constexpr int kNoId = 0x7fffffff;

enum Scoring { kSoftmax = 0, kSigmoid = 1 };

// The total order of candidates: higher score first, then lower id.
MOETUNE_DEVICE bool better(double score, int id, double best_score, int best_id) {
    return score > best_score || (score == best_score && id < best_id);
}

// Every lane ends with the best (score, id) of the warp.
MOETUNE_DEVICE void warp_best(double& score, int& id) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) {
        const double other_score = __shfl_xor_sync(kFullWarp, score, offset);
        const int other_id = __shfl_xor_sync(kFullWarp, id, offset);
        if (better(other_score, other_id, score, id)) {
            score = other_score;
            id = other_id;
        }
    }
}

MOETUNE_DEVICE double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

}  // namespace

extern "C" __global__ void __launch_bounds__(kWarpsPerBlock * 32) moetune_route_topk(
    const float* __restrict__ logits,       // [tokens, experts]
    const float* __restrict__ bias,         // [experts] correction bias, or null
    int tokens, int experts, int top_k,
    int scoring,                            // Scoring
    int renormalize,                        // divide the chosen weights by their sum
    int groups, int topk_groups,            // grouped top-k; groups == 1 disables it
    double scale,                           // routed scaling factor
    int* __restrict__ out_ids,              // [tokens, top_k]
    float* __restrict__ out_weights) {      // [tokens, top_k]
    extern __shared__ double selection_rows[];  // [kWarpsPerBlock][experts]
    const int warp = threadIdx.x >> 5;
    const int lane = static_cast<int>(lane_id());
    const int token = blockIdx.x * kWarpsPerBlock + warp;
    if (token >= tokens) {
        return;  // warp-uniform: no block-wide barrier follows
    }

    const float* row = logits + static_cast<i64>(token) * experts;
    double* selection = selection_rows + warp * experts;

    // Softmax statistics in float64: the maximum, then the sum of exp(l - max).
    double max_logit = -MOETUNE_INF;
    for (int e = lane; e < experts; e += 32) {
        max_logit = fmax(max_logit, static_cast<double>(row[e]));
    }
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) {
        max_logit = fmax(max_logit, __shfl_xor_sync(kFullWarp, max_logit, offset));
    }
    double denominator = 1.0;
    if (scoring == kSoftmax) {
        double partial = 0.0;
        for (int e = lane; e < experts; e += 32) {
            partial += exp(static_cast<double>(row[e]) - max_logit);
        }
#pragma unroll
        for (int offset = 16; offset > 0; offset >>= 1) {
            partial += __shfl_xor_sync(kFullWarp, partial, offset);
        }
        denominator = partial;
    }

    // A score exactly as the reference computes it.
    auto score_of = [&](int e) -> double {
        const double x = static_cast<double>(row[e]);
        return scoring == kSoftmax ? exp(x - max_logit) / denominator : sigmoid(x);
    };

    // Selection scores: the true scores where their values matter (bias, group sums), else the logits.
    const bool exact_scores = bias != nullptr || groups > 1;
    for (int e = lane; e < experts; e += 32) {
        selection[e] = exact_scores ? score_of(e) + (bias != nullptr ? static_cast<double>(bias[e]) : 0.0)
                                    : static_cast<double>(row[e]);
    }
    __syncwarp();

    // Bit j of `eligible` stands for expert lane + 32 j.
    const int per_lane = (experts + 31) / 32;
    u32 eligible = 0;
    for (int j = 0; j < per_lane; ++j) {
        if (lane + 32 * j < experts) {
            eligible |= 1u << j;
        }
    }

    if (groups > 1) {
        // Group score: the sum of the group's two best selection scores (its only one for groups of one).
        const int group_size = experts / groups;
        double group_score = -MOETUNE_INF;
        int group_id = kNoId;
        if (lane < groups) {
            double first = -MOETUNE_INF, second = -MOETUNE_INF;
            for (int i = 0; i < group_size; ++i) {
                const double s = selection[lane * group_size + i];
                if (s > first) {
                    second = first;
                    first = s;
                } else if (s > second) {
                    second = s;
                }
            }
            group_score = group_size == 1 ? first : first + second;
            group_id = lane;
        }
        u32 kept_groups = 0;
        for (int r = 0; r < topk_groups; ++r) {
            double best = group_score;
            int best_id = group_id;
            warp_best(best, best_id);
            kept_groups |= 1u << best_id;
            if (lane == best_id) {
                group_score = -MOETUNE_INF;
                group_id = kNoId;
            }
        }
        for (int j = 0; j < per_lane; ++j) {
            const int e = lane + 32 * j;
            if (e < experts && !((kept_groups >> (e / group_size)) & 1u)) {
                eligible &= ~(1u << j);
            }
        }
    }

    // k rounds of a warp-wide arg-max over the eligible experts; lane r keeps the expert of slot r.
    int my_id = -1;
    for (int r = 0; r < top_k; ++r) {
        double best = -MOETUNE_INF;
        int best_id = kNoId;
        for (int j = 0; j < per_lane; ++j) {
            if ((eligible >> j) & 1u) {
                const int e = lane + 32 * j;
                if (better(selection[e], e, best, best_id)) {
                    best = selection[e];
                    best_id = e;
                }
            }
        }
        warp_best(best, best_id);
        if (best_id == kNoId) {
            break;  // fewer eligible experts than k: excluded by the host's checks
        }
        if (lane == (best_id & 31)) {
            eligible &= ~(1u << (best_id >> 5));
        }
        if (lane == r) {
            my_id = best_id;
        }
    }

    // Weights: the scores of the chosen experts, times scale / (their sum, summed in slot order) when renormalising.
    const double my_score = (lane < top_k && my_id >= 0) ? score_of(my_id) : 0.0;
    double factor = scale;
    if (renormalize) {
        double sum = 0.0;
        for (int j = 0; j < top_k; ++j) {
            sum += __shfl_sync(kFullWarp, my_score, j);
        }
        factor = scale / sum;
    }
    if (lane < top_k) {
        const i64 slot = static_cast<i64>(token) * top_k + lane;
        out_ids[slot] = my_id;
        out_weights[slot] = static_cast<float>(my_score * factor);
    }
}
