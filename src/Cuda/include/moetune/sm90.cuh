// Hopper (sm_90) helpers as inline PTX: mbarriers, 1-D bulk copies from global to shared memory (the copy engine,
// no tensor map) completing on an mbarrier, and the proxy fences between ordinary loads/stores (the generic proxy)
// and the copy engine (the async proxy). None of it needs the arch-specific sm_90a target; a build that includes this
// header must be compiled for sm_90 or newer (ArchRequirement with MinCapability 90).
#pragma once
#include "moetune/clock.cuh"
#include "moetune/mma.cuh"

namespace moetune {

// ---- mbarriers (one 8-byte word in shared memory each, addressed by its 32-bit shared-window address) ----

MOETUNE_DEVICE void mbarrier_init(u32 barrier, u32 arrivals) {
    asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(barrier), "r"(arrivals) : "memory");
}

// Makes initialised barriers visible to the copy engine before any copy names them (then a CTA barrier publishes
// them to the other threads).
MOETUNE_DEVICE void fence_mbarrier_init() { asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory"); }

// One arrival (release semantics at CTA scope: this thread's earlier shared-memory reads and writes are ordered
// before the phase completes).
MOETUNE_DEVICE void mbarrier_arrive(u32 barrier) {
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];" ::"r"(barrier) : "memory");
}

// One arrival that also announces `bytes` of bulk copies completing on this barrier in its current phase.
MOETUNE_DEVICE void mbarrier_arrive_expect_tx(u32 barrier, u32 bytes) {
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(barrier), "r"(bytes) : "memory");
}

// How long, at most, a waiting thread stays suspended in one mbarrier_try_wait (the PTX suspendTimeHint, ns; CUTLASS's
// pipelines pass the same 10 ms). It wakes as soon as the phase completes, so the limit only bounds how often a wait
// that goes on re-issues its loop. On an H200 (ncu, Marlin decode at mixtral-8x7b T = 16) the hint compiles to
// NANOSLEEP.SYNCS, which other barrier events end early: the waiting warps' tries fell by only a quarter, and the
// kernels ran 0-0.7 % faster than without it. 0 builds the form without a hint (tools/kernel-timer --variant
// name:MOETUNE_MBARRIER_SUSPEND_NS=0).
#ifndef MOETUNE_MBARRIER_SUSPEND_NS
#define MOETUNE_MBARRIER_SUSPEND_NS 10000000
#endif

// Whether the phase of parity `parity` has completed (acquire semantics at CTA scope when it has). try_wait may
// suspend the thread (up to MOETUNE_MBARRIER_SUSPEND_NS) before it answers false, so a loop of it does not spin hot.
MOETUNE_DEVICE bool mbarrier_try_wait(u32 barrier, u32 parity) {
    u32 done;
#if MOETUNE_MBARRIER_SUSPEND_NS > 0
    asm volatile(
        "{\n\t.reg .pred p;\n\t"
        "mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2, %3;\n\t"
        "selp.u32 %0, 1, 0, p;\n\t}"
        : "=r"(done)
        : "r"(barrier), "r"(parity), "r"((u32)MOETUNE_MBARRIER_SUSPEND_NS)
        : "memory");
#else
    asm volatile(
        "{\n\t.reg .pred p;\n\t"
        "mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n\t"
        "selp.u32 %0, 1, 0, p;\n\t}"
        : "=r"(done)
        : "r"(barrier), "r"(parity)
        : "memory");
#endif
    return done != 0;
}

// As mbarrier_try_wait, but answers at once: for a thread that has other work when the phase is not complete yet.
MOETUNE_DEVICE bool mbarrier_test_wait(u32 barrier, u32 parity) {
    u32 done;
    asm volatile(
        "{\n\t.reg .pred p;\n\t"
        "mbarrier.test_wait.parity.shared::cta.b64 p, [%1], %2;\n\t"
        "selp.u32 %0, 1, 0, p;\n\t}"
        : "=r"(done)
        : "r"(barrier), "r"(parity)
        : "memory");
    return done != 0;
}

// Waits for the phase of parity `parity` (waking as soon as it completes; see mbarrier_try_wait, which suspends
// between tries itself). A wait that goes on for seconds is a bug (a lost arrival, or a byte count that does not match
// the copies): the kernel then traps (wait_until), so that the failure is an error the host reports rather than a hang.
MOETUNE_DEVICE void mbarrier_wait(u32 barrier, u32 parity) {
    wait_until([&] { return mbarrier_try_wait(barrier, parity); }, [] {});
}

// ---- bulk copies (the copy engine; addresses 16-byte aligned, sizes a multiple of 16) ----

// `bytes` from global memory to this CTA's shared memory; their arrival completes `bytes` of the barrier's expected
// transaction count. `policy` is an L2 cache policy (moetune/cp_async.cuh: l2_evict_first_policy for data read once).
MOETUNE_DEVICE void bulk_copy_to_shared(u32 destination, const void* source, u32 bytes, u32 barrier, u64 policy) {
    asm volatile(
        "cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes.L2::cache_hint [%0], [%1], %2, [%3], %4;"
        ::"r"(destination), "l"(source), "r"(bytes), "r"(barrier), "l"(policy)
        : "memory");
}

// ---- proxy fences ----

// Orders this thread's earlier generic-proxy accesses to shared memory before its later bulk copies into it (for
// shared memory that ordinary code used before the copy engine takes it over).
MOETUNE_DEVICE void fence_proxy_async_shared() { asm volatile("fence.proxy.async.shared::cta;" ::: "memory"); }

// Orders global memory this thread has acquired (for example data another CTA wrote with ordinary stores and then
// released) before its later bulk copies read it.
MOETUNE_DEVICE void fence_proxy_async_global() { asm volatile("fence.proxy.async.global;" ::: "memory"); }

}  // namespace moetune
