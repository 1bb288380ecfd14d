namespace MoeTune.Cuda.Native;

/// <summary>
/// The native entry points MoeTune binds, one nested class per library (dotnet/runtime interop guidelines).
/// Library names are logical: <see cref="NativeLibraryResolver"/> maps them to a real file, so the runtime's default
/// probing never picks up some other copy.
/// </summary>
internal static partial class Interop
{
    internal static class Libraries
    {
        internal const string CudaDriver = "moetune-libcuda";
        internal const string Nvrtc = "moetune-libnvrtc";
    }
}
