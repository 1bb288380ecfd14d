using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MoeTune.Cuda.Native;

/// <summary>
/// CUtensorMap: the 128-byte, 64-byte-aligned TMA descriptor that <c>cuTensorMapEncodeTiled</c> fills. Pass it to a
/// kernel by value (a <c>const __grid_constant__ CUtensorMap</c> parameter) through <see cref="Driver.KernelArguments.Add{T}"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 128)]
public struct TensorMap
{
    private Opaque bytes;

    [InlineArray(16)]
    private struct Opaque
    {
        private ulong element;
    }
}
