using System.Runtime.InteropServices;

namespace MoeTune.Cuda.Native;

internal static partial class Interop
{
    /// <summary>
    /// libcuda.so.1. Entry point names are those the CUDA 12/13 headers' <c>#define</c>s map to (cuMemAlloc →
    /// cuMemAlloc_v2 and so on), because those are what the library exports with today's semantics. Handles are
    /// <c>nint</c>, device pointers <c>ulong</c> (CUdeviceptr), sizes <c>nuint</c>: every signature is blittable.
    /// </summary>
    internal static unsafe partial class CudaDriver
    {
        static CudaDriver() => NativeLibraryResolver.Install();

        // Initialisation, version, errors.
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuInit(uint flags);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuDriverGetVersion(out int version);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuGetErrorName(CuResult error, out byte* name);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuGetErrorString(CuResult error, out byte* text);

        // Devices.
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuDeviceGetCount(out int count);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuDeviceGet(out int device, int ordinal);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuDeviceGetName(byte* name, int length, int device);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuDeviceGetAttribute(out int value, DeviceAttribute attribute, int device);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuDeviceTotalMem_v2(out nuint bytes, int device);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuDeviceGetUuid_v2(byte* uuid, int device);

        // Primary contexts and the current context.
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuDevicePrimaryCtxRetain(out nint context, int device);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuDevicePrimaryCtxRelease_v2(int device);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuCtxSetCurrent(nint context);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuCtxGetCurrent(out nint context);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuCtxPushCurrent_v2(nint context);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuCtxPopCurrent_v2(out nint context);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuCtxSynchronize();

        // Memory. Only the asynchronous copies and memsets are bound: DeviceMemory builds its synchronous forms from them.
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuMemGetInfo_v2(out nuint free, out nuint total);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuMemAlloc_v2(out ulong pointer, nuint bytes);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuMemFree_v2(ulong pointer);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuMemcpyHtoDAsync_v2(ulong destination, void* source, nuint bytes, nint stream);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuMemcpyDtoHAsync_v2(void* destination, ulong source, nuint bytes, nint stream);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuMemcpyDtoDAsync_v2(ulong destination, ulong source, nuint bytes, nint stream);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuMemsetD8Async(ulong destination, byte value, nuint count, nint stream);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuMemsetD16Async(ulong destination, ushort value, nuint count, nint stream);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuMemsetD32Async(ulong destination, uint value, nuint count, nint stream);

        // Streams.
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuStreamCreate(out nint stream, uint flags);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuStreamDestroy_v2(nint stream);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuStreamSynchronize(nint stream);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuStreamQuery(nint stream);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuStreamWaitEvent(nint stream, nint evt, uint flags);

        // Events. cuEventElapsedTime_v2 exists from driver 12.8 on (and is what CUDA 13's header maps to); older
        // drivers export only the first version, with the same signature (see CudaEvent.ElapsedMilliseconds).
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuEventCreate(out nint evt, uint flags);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuEventDestroy_v2(nint evt);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuEventRecord(nint evt, nint stream);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuEventSynchronize(nint evt);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuEventQuery(nint evt);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuEventElapsedTime_v2(out float milliseconds, nint start, nint end);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuEventElapsedTime(out float milliseconds, nint start, nint end);

        // Modules, functions, launches.
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuModuleLoadData(out nint module, void* image);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuModuleUnload(nint module);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuModuleGetFunction(out nint function, nint module, byte* name);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuFuncGetAttribute(out int value, FunctionAttribute attribute, nint function);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuFuncSetAttribute(nint function, FunctionAttribute attribute, int value);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial CuResult cuLaunchKernel(
            nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
            uint sharedMemoryBytes, nint stream, void** parameters, void** extra);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial CuResult cuLaunchKernelEx(LaunchConfigNative* config, nint function, void** parameters, void** extra);

        // Graphs. cuGraphInstantiate is #defined to cuGraphInstantiateWithFlags from CUDA 12 on.
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuStreamBeginCapture_v2(nint stream, StreamCaptureMode mode);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuStreamEndCapture(nint stream, out nint graph);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuGraphInstantiateWithFlags(out nint graphExec, nint graph, ulong flags);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuGraphLaunch(nint graphExec, nint stream);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuGraphExecDestroy(nint graphExec);
        [LibraryImport(Libraries.CudaDriver)] internal static partial CuResult cuGraphDestroy(nint graph);

        // Tensor maps (TMA), SM 9.0 and newer.
        [LibraryImport(Libraries.CudaDriver)]
        internal static partial CuResult cuTensorMapEncodeTiled(
            TensorMap* tensorMap, TensorMapDataType dataType, uint rank, ulong globalAddress, ulong* globalDim, ulong* globalStrides,
            uint* boxDim, uint* elementStrides, TensorMapInterleave interleave, TensorMapSwizzle swizzle,
            TensorMapL2Promotion l2Promotion, TensorMapFloatOobFill oobFill);
    }
}
