using System.Runtime.InteropServices;
using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Driver;

/// <summary>Builds TMA descriptors (SM 9.0+) for kernels that load tiles with <c>cp.async.bulk.tensor</c>.</summary>
public static class TensorMaps
{
    /// <summary>
    /// cuTensorMapEncodeTiled. Dimensions are innermost first (as the driver wants them); <paramref name="globalStrides"/>
    /// are in bytes for dimensions 1..rank-1 (multiples of 16); <paramref name="boxDims"/> is the tile a load moves.
    /// </summary>
    public static unsafe TensorMap EncodeTiled(
        TensorMapDataType dataType,
        nint globalAddress,
        ReadOnlySpan<ulong> globalDims,
        ReadOnlySpan<ulong> globalStrides,
        ReadOnlySpan<uint> boxDims,
        ReadOnlySpan<uint> elementStrides,
        TensorMapInterleave interleave = TensorMapInterleave.None,
        TensorMapSwizzle swizzle = TensorMapSwizzle.None,
        TensorMapL2Promotion l2Promotion = TensorMapL2Promotion.None,
        TensorMapFloatOobFill oobFill = TensorMapFloatOobFill.None)
    {
        var rank = globalDims.Length;
        if (rank is < 1 or > 5)
        {
            throw new ArgumentException($"a tensor map has 1 to 5 dimensions, got {rank}", nameof(globalDims));
        }

        if (globalStrides.Length != rank - 1 || boxDims.Length != rank || elementStrides.Length != rank)
        {
            throw new ArgumentException(
                $"rank {rank} needs {rank - 1} strides, {rank} box dims and {rank} element strides; got {globalStrides.Length}, {boxDims.Length}, {elementStrides.Length}");
        }

        // The descriptor must be 64-byte aligned while the driver writes it.
        var aligned = (TensorMap*)NativeMemory.AlignedAlloc((nuint)sizeof(TensorMap), 64);
        try
        {
            fixed (ulong* dims = globalDims)
            fixed (ulong* strides = globalStrides)
            fixed (uint* box = boxDims)
            fixed (uint* elements = elementStrides)
            {
                CudaErrors.Check(Interop.CudaDriver.cuTensorMapEncodeTiled(
                    aligned, dataType, (uint)rank, (ulong)globalAddress, dims, strides, box, elements, interleave, swizzle, l2Promotion, oobFill));
            }

            return *aligned;
        }
        finally
        {
            NativeMemory.AlignedFree(aligned);
        }
    }
}
