using System.Runtime.InteropServices;
using System.Text;
using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Compilation;

/// <summary>One NVRTC compilation: source and in-memory headers in, cubin and log out.</summary>
internal static class NvrtcProgram
{
    public static unsafe (byte[] Cubin, string Log) Compile(KernelSource source, IReadOnlyList<KernelSource> headers, IReadOnlyList<string> options, GpuArch arch)
    {
        var code = Utf8StringArray.Copy(source.Code);
        var name = Utf8StringArray.Copy(source.Name);
        using var headerCode = new Utf8StringArray(headers.Select(h => h.Code).ToArray());
        using var headerNames = new Utf8StringArray(headers.Select(h => h.Name).ToArray());
        using var optionText = new Utf8StringArray(options);
        nint program = 0;
        try
        {
            CudaErrors.Check(Interop.Nvrtc.nvrtcCreateProgram(out program, code, name, headerCode.Count, headerCode.Pointers, headerNames.Pointers));
            var compiled = Interop.Nvrtc.nvrtcCompileProgram(program, optionText.Count, optionText.Pointers);
            var log = ReadLog(program);
            if (compiled is NvrtcResult.Compilation or NvrtcResult.InvalidOption)
            {
                throw new KernelCompilationException(source.Name, arch.ToString(), options, log);
            }

            if (compiled == NvrtcResult.BuiltinOperationFailure)
            {
                NvrtcLibrary.TryLoad(out var where);
                throw new NvrtcException(
                    $"nvrtcCompileProgram failed for '{source.Name}': NVRTC could not load {NvrtcLibrary.BuiltinsName(NvrtcLibrary.Version)} " +
                    $"(put it beside libnvrtc or on the loader path). {where}");
            }

            CudaErrors.Check(compiled, "nvrtcCompileProgram");
            CudaErrors.Check(Interop.Nvrtc.nvrtcGetCUBINSize(program, out var size));
            if (size == 0)
            {
                throw new KernelCompilationException(source.Name, arch.ToString(), options, log + Environment.NewLine + "(NVRTC produced no cubin: is the target an sm_ architecture?)");
            }

            var cubin = new byte[size];
            fixed (byte* p = cubin)
            {
                CudaErrors.Check(Interop.Nvrtc.nvrtcGetCUBIN(program, p));
            }

            return (cubin, log);
        }
        finally
        {
            if (program != 0)
            {
                Interop.Nvrtc.nvrtcDestroyProgram(ref program);
            }

            NativeMemory.Free(code);
            NativeMemory.Free(name);
        }
    }

    private static unsafe string ReadLog(nint program)
    {
        CudaErrors.Check(Interop.Nvrtc.nvrtcGetProgramLogSize(program, out var size));
        if (size <= 1)
        {
            return "";
        }

        var bytes = new byte[size];
        fixed (byte* p = bytes)
        {
            CudaErrors.Check(Interop.Nvrtc.nvrtcGetProgramLog(program, p));
        }

        return Encoding.UTF8.GetString(bytes, 0, (int)size - 1).TrimEnd();
    }
}
