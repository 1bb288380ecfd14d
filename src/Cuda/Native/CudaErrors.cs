using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MoeTune.Cuda.Native;

/// <summary>
/// The one place where a driver or NVRTC status becomes an exception. Pass the native call itself:
/// <c>CudaErrors.Check(Interop.CudaDriver.cuMemAlloc_v2(out var p, n))</c>; the entry point's name is taken from the
/// call's text, so the message always names the function that failed.
/// </summary>
internal static class CudaErrors
{
    public static void Check(CuResult result, [CallerArgumentExpression(nameof(result))] string call = "")
    {
        if (result != CuResult.Success)
        {
            throw ToException(result, CallName(call));
        }
    }

    public static void Check(NvrtcResult result, [CallerArgumentExpression(nameof(result))] string call = "")
    {
        if (result != NvrtcResult.Success)
        {
            throw new NvrtcException(CallName(call), result, NvrtcText(result));
        }
    }

    public static CudaException ToException(CuResult result, string call) =>
        new(call, result, ErrorName(result), ErrorText(result));

    /// <summary>
    /// <c>Interop.CudaDriver.cuMemAlloc_v2(out var p, n)</c> → <c>cuMemAlloc_v2</c>: the last identifier before the
    /// first parenthesis.
    /// </summary>
    internal static string CallName(string expression)
    {
        var open = expression.IndexOf('(', StringComparison.Ordinal);
        var head = (open < 0 ? expression : expression[..open]).Trim();
        var dot = head.LastIndexOf('.');
        return dot < 0 ? head : head[(dot + 1)..];
    }

    /// <summary>The driver's name for a code (CUDA_ERROR_...), or the number where the driver does not know it.</summary>
    public static unsafe string ErrorName(CuResult result)
    {
        if (NativeLibraryResolver.Driver.IsLoaded && Interop.CudaDriver.cuGetErrorName(result, out var name) == CuResult.Success && name != null)
        {
            return Marshal.PtrToStringUTF8((nint)name) ?? result.ToString();
        }

        return Enum.IsDefined(result) ? result.ToString() : $"CUresult {(int)result}";
    }

    public static unsafe string ErrorText(CuResult result)
    {
        if (NativeLibraryResolver.Driver.IsLoaded && Interop.CudaDriver.cuGetErrorString(result, out var text) == CuResult.Success && text != null)
        {
            return Marshal.PtrToStringUTF8((nint)text) ?? "";
        }

        return "no description (the driver does not know this code)";
    }

    private static unsafe string NvrtcText(NvrtcResult result)
    {
        if (NativeLibraryResolver.Nvrtc.IsLoaded)
        {
            var text = Interop.Nvrtc.nvrtcGetErrorString(result);
            if (text != null)
            {
                return Marshal.PtrToStringUTF8((nint)text) ?? result.ToString();
            }
        }

        return result.ToString();
    }
}
