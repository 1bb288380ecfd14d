// FlashInferCutlass: Hopper (sm_90a) primitives as inline PTX: shared-memory addresses, mbarriers, bulk copies
// from global to shared memory (completing on an mbarrier), proxy fences, register reallocation and the wgmma
// descriptors and fences. Candidates for src/Cuda's shared headers once they carry Hopper helpers.
#pragma once
#include "fic_common.cuh"

namespace fic {

// The 32-bit shared-window address of a generic pointer into shared memory.
__device__ __forceinline__ u32 smem_addr(const void* pointer) {
    u64 address;
    asm("cvta.to.shared.u64 %0, %1;" : "=l"(address) : "l"(pointer));
    return static_cast<u32>(address);
}

// ---- warp uniformity ----

// v as lane 0 holds it, for a value every lane of the warp holds alike (the warpgroup's index, a work item read from
// shared memory) but the compiler cannot prove so. ptxas of CUDA 13 serialises every wgmma of the kernel (C7518: "program
// dependence on compiler-inserted WG.DP in divergent path") when a wgmma, or a wait it has to insert, sits under a
// branch it cannot prove uniform; a shuffle from a fixed lane is a value it knows to be.
__device__ __forceinline__ int warp_uniform(int v) { return __shfl_sync(0xffffffffu, v, 0); }

// ---- mbarriers (one 8-byte word in shared memory each) ----

__device__ __forceinline__ void mbar_init(u32 bar, u32 arrivals) {
    asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(bar), "r"(arrivals) : "memory");
}

// Makes initialised barriers visible to the copy engine (the async proxy) before any copy names them.
__device__ __forceinline__ void fence_mbarrier_init() {
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
}

__device__ __forceinline__ void mbar_arrive(u32 bar) {
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];" ::"r"(bar) : "memory");
}

// Arrives and announces `bytes` of bulk copies that will complete on this barrier in its current phase.
__device__ __forceinline__ void mbar_arrive_expect_tx(u32 bar, u32 bytes) {
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(bar), "r"(bytes) : "memory");
}

// Blocks until the barrier's phase with parity `parity` has completed; with ClusterAcquire, acquiring at cluster
// scope, so that what the other CTA of a cluster released before its arrival is visible afterwards (the pair channel).
template <bool ClusterAcquire = false>
__device__ __forceinline__ void mbar_wait(u32 bar, u32 parity) {
    u32 done;
    do {
        if constexpr (ClusterAcquire) {
            asm volatile(
                "{\n\t.reg .pred p;\n\t"
                "mbarrier.try_wait.parity.acquire.cluster.shared::cta.b64 p, [%1], %2;\n\t"
                "selp.u32 %0, 1, 0, p;\n\t}"
                : "=r"(done)
                : "r"(bar), "r"(parity)
                : "memory");
        } else {
            asm volatile(
                "{\n\t.reg .pred p;\n\t"
                "mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n\t"
                "selp.u32 %0, 1, 0, p;\n\t}"
                : "=r"(done)
                : "r"(bar), "r"(parity)
                : "memory");
        }
    } while (done == 0);
}

// ---- clusters of two CTAs (the tile-pairs builds, FIC_PAIRS 1) ----

// This CTA's rank in its cluster.
__device__ __forceinline__ u32 cluster_rank() {
    u32 rank;
    asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(rank));
    return rank;
}

// The shared::cluster address of this CTA's shared-window address `address` in the CTA of rank `rank`.
__device__ __forceinline__ u32 map_to_rank(u32 address, u32 rank) {
    u32 mapped;
    asm volatile("mapa.shared::cluster.u32 %0, %1, %2;" : "=r"(mapped) : "r"(address), "r"(rank));
    return mapped;
}

// Every thread of both CTAs: each CTA's earlier shared-memory work (barrier initialisation at the start; remote
// arrivals and copies at the end) is done before either goes on, so no CTA signals a barrier that does not exist yet or
// a CTA that has exited.
__device__ __forceinline__ void cluster_sync() {
    asm volatile("barrier.cluster.arrive.release.aligned;\n\tbarrier.cluster.wait.acquire.aligned;" ::: "memory");
}

// An arrival on a barrier of either CTA (a shared::cluster address), releasing this thread's earlier memory operations
// at cluster scope: for handing data over (a store into the other CTA's shared memory). It costs a full memory barrier
// (MEMBAR.ALL.GPU and ERRBAR in the SASS), so per-stage signals use mbar_arrive_remote.
__device__ __forceinline__ void mbar_arrive_cluster(u32 cluster_bar) {
    asm volatile("mbarrier.arrive.release.cluster.shared::cluster.b64 _, [%0];" ::"r"(cluster_bar) : "memory");
}

// An arrival on a barrier of either CTA with the default CTA-scope semantics, as CUTLASS's cluster pipelines release
// their stages: it only says that this thread's reads of a stage are done (wgmma_wait has retired them), so nothing needs
// ordering at cluster scope. The .release.cluster form put a full memory barrier into every stage of every consumer
// warp and made the first pairs build 1.4-1.6 x slower than one CTA per item (NOTES.md, session 4).
__device__ __forceinline__ void mbar_arrive_remote(u32 cluster_bar) {
    asm volatile("mbarrier.arrive.shared::cluster.b64 _, [%0];" ::"r"(cluster_bar) : "memory");
}

__device__ __forceinline__ void st_cluster_u32(u32 cluster_address, u32 value) {
    asm volatile("st.shared::cluster.u32 [%0], %1;" ::"r"(cluster_address), "r"(value) : "memory");
}

// ---- bulk copies (the copy engine; 16-byte aligned addresses, sizes a multiple of 16) ----

__device__ __forceinline__ void bulk_load(u32 dst, const void* src, u32 bytes, u32 bar) {
    asm volatile(
        "cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];"
        ::"r"(dst), "l"(src), "r"(bytes), "r"(bar)
        : "memory");
}

// The same bytes to the same shared-memory offset in both CTAs of the cluster, each copy completing `bytes` on its
// CTA's barrier at offset `bar`.
__device__ __forceinline__ void bulk_load_both_ctas(u32 dst, const void* src, u32 bytes, u32 bar) {
    asm volatile(
        "cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster [%0], [%1], %2, [%3], %4;"
        ::"r"(dst), "l"(src), "r"(bytes), "r"(bar), "h"(static_cast<u16>(0b11))
        : "memory");
}

// Orders this thread's ordinary shared-memory writes before later reads by the async proxy (wgmma, bulk copies).
__device__ __forceinline__ void fence_proxy_async_smem() {
    asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
}

// ---- per-thread asynchronous copies (cp.async, 16 bytes) completing on an mbarrier ----

// 16 bytes from global to shared memory when `valid`, else 16 zero bytes (the source is not read).
__device__ __forceinline__ void cp_async_16_zfill(u32 dst, const void* src, bool valid) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(dst), "l"(src), "r"(valid ? 16 : 0) : "memory");
}

// One arrival on `bar` once every cp.async this thread issued so far has landed; the arrival is counted in the
// barrier's init count (.noinc). The copies' writes are then visible to whoever waits on the barrier's phase, wgmma
// included: the practice of CUTLASS's cp.async-fed wgmma mainloops, which issue no proxy fence between them.
__device__ __forceinline__ void cp_async_arrive_noinc(u32 bar) {
    asm volatile("cp.async.mbarrier.arrive.noinc.shared::cta.b64 [%0];" ::"r"(bar) : "memory");
}

__device__ __forceinline__ void cp_async_wait_all() { asm volatile("cp.async.wait_all;" ::: "memory"); }

// ---- named barriers (id 0 is __syncthreads) among `Threads` threads, whole warps ----

template <u32 Id, u32 Threads>
__device__ __forceinline__ void named_barrier_sync() {
    asm volatile("bar.sync %0, %1;" ::"n"(Id), "n"(Threads) : "memory");
}

// ---- stmatrix: four 8 x 8 b16 matrices from the mma fragment layout into shared memory, transposed ----

// Lane l holds element (l / 4, 2 (l % 4) .. +1) of matrix i in registers[i]; lanes 8i .. 8i + 7 give the addresses of
// the 16-byte rows 0..7 of matrix i as stored, and stored row t receives column t of the fragment (.trans).
__device__ __forceinline__ void stmatrix_x4_trans(u32 address, u32 r0, u32 r1, u32 r2, u32 r3) {
    asm volatile("stmatrix.sync.aligned.m8n8.x4.trans.shared.b16 [%0], {%1, %2, %3, %4};"
                 ::"r"(address), "r"(r0), "r"(r1), "r"(r2), "r"(r3) : "memory");
}

// ---- register reallocation between warpgroups (needs a register cap at entry: __launch_bounds__(n, 1)) ----

template <u32 Registers>
__device__ __forceinline__ void setmaxnreg_dec() {
    asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;" ::"n"(Registers));
}

template <u32 Registers>
__device__ __forceinline__ void setmaxnreg_inc() {
    asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;" ::"n"(Registers));
}

// ---- wgmma ----

// Shared-memory matrix descriptor for a K-major operand in 128-byte-swizzled atoms of 8 rows x 128 bytes stacked
// 1 KiB apart along M/N: start address >> 4 in bits 0-13, leading byte offset (unused for swizzled K-major; 1 by
// convention) in bits 16-29, stride byte offset 1024 >> 4 in bits 32-45, base offset 0 (atoms are 1 KiB aligned),
// swizzle mode 1 (128 B) in bits 62-63. Advancing K by 16 bf16 (32 bytes) adds 2 to the descriptor.
__device__ __forceinline__ u64 smem_desc_sw128(u32 address) {
    return static_cast<u64>((address & 0x3FFFFu) >> 4) | (static_cast<u64>(1) << 16) |
           (static_cast<u64>(1024 >> 4) << 32) | (static_cast<u64>(1) << 62);
}

__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;" ::: "memory"); }

__device__ __forceinline__ void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory"); }

template <int Pending>
__device__ __forceinline__ void wgmma_wait() {
    asm volatile("wgmma.wait_group.sync.aligned %0;" ::"n"(Pending) : "memory");
}

// Keeps the compiler from moving reads of an accumulator across a wgmma wait (the asm claims to modify it).
__device__ __forceinline__ void register_fence(float& value) { asm volatile("" : "+f"(value)::"memory"); }

}  // namespace fic
