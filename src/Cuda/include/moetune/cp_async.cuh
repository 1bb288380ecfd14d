// Asynchronous global -> shared copies (cp.async, sm_80+) with optional L2 cache policies.
#pragma once
#include "moetune/mma.cuh"

namespace moetune {

// An L2 policy that marks lines evict-first: for weights streamed once, so they do not push activations out of L2.
MOETUNE_DEVICE u64 l2_evict_first_policy() {
    u64 policy;
    asm volatile("createpolicy.fractional.L2::evict_first.b64 %0, 1.0;\n" : "=l"(policy));
    return policy;
}

// An L2 policy that keeps lines preferentially (evict-last): for data read again soon, such as activations.
MOETUNE_DEVICE u64 l2_evict_last_policy() {
    u64 policy;
    asm volatile("createpolicy.fractional.L2::evict_last.b64 %0, 1.0;\n" : "=l"(policy));
    return policy;
}

// 16 bytes, bypassing L1 (.cg). Both addresses must be 16-byte aligned.
MOETUNE_DEVICE void cp_async_16(void* shared_destination, const void* global_source) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(shared_address(shared_destination)), "l"(global_source));
}

// 16 bytes with an L2 cache policy from l2_evict_first_policy() or l2_evict_last_policy().
MOETUNE_DEVICE void cp_async_16_policy(void* shared_destination, const void* global_source, u64 policy) {
    asm volatile("cp.async.cg.shared.global.L2::cache_hint [%0], [%1], 16, %2;\n"
                 ::"r"(shared_address(shared_destination)), "l"(global_source), "l"(policy));
}

// 16 bytes when `valid`, else 16 zero bytes (the source is not read): for ragged tile edges.
MOETUNE_DEVICE void cp_async_16_zfill(void* shared_destination, const void* global_source, bool valid) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n"
                 ::"r"(shared_address(shared_destination)), "l"(global_source), "r"(valid ? 16 : 0));
}

MOETUNE_DEVICE void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }

// Waits until at most `Pending` committed groups are still in flight.
template <int Pending>
MOETUNE_DEVICE void cp_async_wait() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(Pending));
}

MOETUNE_DEVICE void cp_async_wait_all() { asm volatile("cp.async.wait_all;\n" ::); }

}  // namespace moetune
