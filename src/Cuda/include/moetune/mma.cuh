// Tensor-core and shared-memory fragment wrappers (sm_80+): mma.sync m16n8k16 bf16 and ldmatrix.
#pragma once
#include "moetune/types.cuh"

namespace moetune {

// A generic pointer into shared memory -> the 32-bit shared-window address PTX wants.
MOETUNE_DEVICE u32 shared_address(const void* pointer) {
    u64 address;
    asm("cvta.to.shared.u64 %0, %1;" : "=l"(address) : "l"(pointer));
    return static_cast<u32>(address);
}

// D = A * B + D for one warp: A is 16x16 row-major bf16 (4 words per lane), B is 16x8 column-major bf16 (2 words),
// D is 16x8 f32 (4 floats per lane), in the PTX ISA's fragment layouts.
MOETUNE_DEVICE void mma_m16n8k16_bf16(float (&d)[4], const u32 (&a)[4], const u32 (&b)[2]) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

// Four 8x8 b16 matrices from shared memory; lanes 8i..8i+7 give the row addresses of matrix i.
MOETUNE_DEVICE void ldmatrix_x4(u32 (&r)[4], const void* shared_row) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(shared_address(shared_row)));
}

// As ldmatrix_x4, transposing each 8x8 matrix (for B operands stored row-major).
MOETUNE_DEVICE void ldmatrix_x4_trans(u32 (&r)[4], const void* shared_row) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(shared_address(shared_row)));
}

MOETUNE_DEVICE void ldmatrix_x2(u32 (&r)[2], const void* shared_row) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0, %1}, [%2];\n"
                 : "=r"(r[0]), "=r"(r[1])
                 : "r"(shared_address(shared_row)));
}

}  // namespace moetune
