using System.Runtime.InteropServices;
using MoeTune.Cuda.Driver;
using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Tests.Native;

public sealed class CudaErrorsTests
{
    [Theory]
    [InlineData("Interop.CudaDriver.cuMemAlloc_v2(out var pointer, (nuint)bytes)", "cuMemAlloc_v2")]
    [InlineData("cuInit(0)", "cuInit")]
    [InlineData("Interop.Nvrtc.nvrtcCompileProgram(program, optionText.Count, optionText.Pointers)", "nvrtcCompileProgram")]
    [InlineData("cuStreamQuery", "cuStreamQuery")]
    public void The_failing_entry_point_is_named_from_the_call_text(string expression, string expected) =>
        Assert.Equal(expected, CudaErrors.CallName(expression));

    [Fact]
    public void A_failed_status_becomes_an_exception_naming_the_call_and_the_error()
    {
        var error = Assert.Throws<CudaException>(() => CudaErrors.Check(CuResult.OutOfMemory, "cuMemAlloc_v2"));

        Assert.Equal("cuMemAlloc_v2", error.Call);
        Assert.Equal(CuResult.OutOfMemory, error.Result);
        Assert.Contains("cuMemAlloc_v2 failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("(2)", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsSticky);
    }

    [Fact]
    public void Success_is_silent() => CudaErrors.Check(CuResult.Success, "cuInit");

    [Theory]
    [InlineData(CuResult.IllegalAddress, true)]
    [InlineData(CuResult.LaunchFailed, true)]
    [InlineData(CuResult.InvalidValue, false)]
    public void Context_poisoning_errors_are_marked_sticky(CuResult result, bool sticky) =>
        Assert.Equal(sticky, CudaErrors.ToException(result, "cuStreamSynchronize").IsSticky);

    [Fact]
    public void An_nvrtc_failure_names_the_call() =>
        Assert.Equal("nvrtcGetCUBIN", Assert.Throws<NvrtcException>(() => CudaErrors.Check(NvrtcResult.InvalidProgram, "nvrtcGetCUBIN")).Call);

    [Fact]
    public void No_gpu_is_an_answer_with_a_reason_not_a_crash()
    {
        var found = CudaRuntime.TryGetDevices(out var devices, out var reason);

        Assert.Equal(found, devices.Count > 0);
        Assert.False(string.IsNullOrWhiteSpace(reason));
        if (!found)
        {
            Assert.Contains(reason, Assert.Throws<CudaUnavailableException>(() => CudaRuntime.Devices).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Native_structs_have_the_driver_layouts()
    {
        Assert.Equal(56, Marshal.SizeOf<LaunchConfigNative>());
        Assert.Equal(72, Marshal.SizeOf<LaunchAttributeNative>());
        Assert.Equal(128, Marshal.SizeOf<TensorMap>());
    }

    [Fact]
    public void Device_uuids_print_as_nvidia_smi_does() =>
        Assert.Equal(
            "GPU-00112233-4455-6677-8899-aabbccddeeff",
            CudaDevice.FormatUuid([0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]));
}
