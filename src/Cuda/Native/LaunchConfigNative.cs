using System.Runtime.InteropServices;

namespace MoeTune.Cuda.Native;

/// <summary>CUlaunchConfig (cuLaunchKernelEx): seven uints, the stream, the attribute array and its length; 56 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LaunchConfigNative
{
    public uint GridX;
    public uint GridY;
    public uint GridZ;
    public uint BlockX;
    public uint BlockY;
    public uint BlockZ;
    public uint SharedMemoryBytes;
    public nint Stream;
    public LaunchAttributeNative* Attributes;
    public uint AttributeCount;
}

/// <summary>
/// CUlaunchAttribute: a 4-byte id padded to 8, then a 64-byte value union; 72 bytes. Only the cluster-dimension
/// member of the union (three uints at the start of the value) is written by MoeTune.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 72)]
internal struct LaunchAttributeNative
{
    /// <summary>CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION.</summary>
    public const int ClusterDimensionId = 4;

    [FieldOffset(0)] public int Id;
    [FieldOffset(8)] public uint X;
    [FieldOffset(12)] public uint Y;
    [FieldOffset(16)] public uint Z;
}
