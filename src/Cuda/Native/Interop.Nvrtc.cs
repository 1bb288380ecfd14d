using System.Runtime.InteropServices;

namespace MoeTune.Cuda.Native;

internal static partial class Interop
{
    /// <summary>libnvrtc (CUDA 12 or 13). NVRTC is thread-safe and holds no GPU state: it needs no device at all.</summary>
    internal static unsafe partial class Nvrtc
    {
        static Nvrtc() => NativeLibraryResolver.Install();

        [LibraryImport(Libraries.Nvrtc)] internal static partial byte* nvrtcGetErrorString(NvrtcResult result);
        [LibraryImport(Libraries.Nvrtc)] internal static partial NvrtcResult nvrtcVersion(out int major, out int minor);
        [LibraryImport(Libraries.Nvrtc)] internal static partial NvrtcResult nvrtcGetNumSupportedArchs(out int count);
        [LibraryImport(Libraries.Nvrtc)] internal static partial NvrtcResult nvrtcGetSupportedArchs(int* archs);

        [LibraryImport(Libraries.Nvrtc)]
        internal static partial NvrtcResult nvrtcCreateProgram(
            out nint program, byte* source, byte* name, int headerCount, byte** headers, byte** includeNames);

        [LibraryImport(Libraries.Nvrtc)] internal static partial NvrtcResult nvrtcDestroyProgram(ref nint program);
        [LibraryImport(Libraries.Nvrtc)] internal static partial NvrtcResult nvrtcCompileProgram(nint program, int optionCount, byte** options);
        [LibraryImport(Libraries.Nvrtc)] internal static partial NvrtcResult nvrtcGetProgramLogSize(nint program, out nuint size);
        [LibraryImport(Libraries.Nvrtc)] internal static partial NvrtcResult nvrtcGetProgramLog(nint program, byte* log);
        [LibraryImport(Libraries.Nvrtc)] internal static partial NvrtcResult nvrtcGetCUBINSize(nint program, out nuint size);
        [LibraryImport(Libraries.Nvrtc)] internal static partial NvrtcResult nvrtcGetCUBIN(nint program, byte* cubin);
    }
}
