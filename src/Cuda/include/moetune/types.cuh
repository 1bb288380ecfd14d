// MoeTune shared device header: fixed-width types and qualifiers. Header-free by design (DESIGN.md "Kernels"):
// NVRTC ships no <cstdint>, <cuda_bf16.h> or <cfloat> we could rely on, so everything here is spelled out.
#pragma once

namespace moetune {

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int i32;
typedef long long i64;

}  // namespace moetune

#define MOETUNE_DEVICE __device__ __forceinline__

// +infinity and a quiet NaN as bit patterns (no <cmath> constants available).
#define MOETUNE_INF __int_as_float(0x7f800000)
#define MOETUNE_NAN __int_as_float(0x7fc00000)
