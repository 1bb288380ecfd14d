using System.Runtime.InteropServices;
using MoeTune.Abstractions.Devices;
using MoeTune.Cuda.Driver;
using MoeTune.Cuda.Native;
using MoeTune.Gpu.Tests.Infrastructure;

namespace MoeTune.Gpu.Tests.Driver;

/// <summary>The driver bindings on a real device: devices, memory, streams, events, graphs, launches, tensor maps.</summary>
public sealed class DriverTests(GpuFixture gpu)
{
    [Fact]
    public void The_device_reports_plausible_attributes()
    {
        gpu.Require();
        var device = gpu.Device!;
        var info = device.ToDeviceInfo();
        TestContext.Current.TestOutputHelper?.WriteLine($"{info} L2 {info.L2CacheBytes >> 20} MiB, opt-in shared {info.MaxSharedMemoryPerBlockOptin} B, {info.Uuid}");

        Assert.Equal(DeviceKind.Cuda, info.Kind);
        Assert.False(string.IsNullOrWhiteSpace(info.Name));
        Assert.True(info.ComputeCapability >= 80, $"{info.Arch}: MoeTune's kernels need SM 8.0 or newer");
        Assert.True(info.MultiprocessorCount > 0);
        Assert.True(info.TotalMemoryBytes > 1L << 30);
        Assert.True(info.L2CacheBytes > 0);
        Assert.True(info.MaxSharedMemoryPerBlockOptin >= 48 * 1024);
        Assert.Matches("^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", info.Uuid);
        Assert.Equal(CudaRuntime.DriverVersionText, info.DriverVersion);
        var (free, total) = gpu.Context!.GetMemoryInfo();
        Assert.InRange(free, 1, total);
    }

    [Fact]
    public void Memory_round_trips_through_copies_and_fills()
    {
        var context = gpu.Require();
        var random = TestInputs.NewRandom("memory");
        var data = Enumerable.Range(0, 10_000).Select(_ => random.Next()).ToArray();
        using var stream = CudaStream.Create(context);
        using var a = DeviceBuffer.FromHost<int>(context, data);
        using var b = DeviceBuffer.Allocate<int>(context, data.Length);

        b.CopyFrom(a);
        Assert.Equal(data, b.Download<int>());

        b.Fill(0x01020304u);
        Assert.All(b.Download<int>(), v => Assert.Equal(0x01020304, v));
        b.Fill((ushort)0xBEEF);
        Assert.All(b.Download<int>(), v => Assert.Equal(unchecked((int)0xBEEFBEEF), v));
        b.Fill((byte)0x7A);
        Assert.All(b.Download<int>(), v => Assert.Equal(0x7A7A7A7A, v));

        var back = new int[100];
        b.UploadAsync<int>(data.AsSpan(0, 100), stream, byteOffset: 400);
        b.DownloadAsync<int>(back, stream, byteOffset: 400);
        stream.Synchronize();
        Assert.Equal(data[..100], back);
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Upload<int>(data, byteOffset: 4));
    }

    [Fact]
    public void Events_time_work_and_graphs_replay_it()
    {
        var context = gpu.Require();
        var random = TestInputs.NewRandom("events and graphs");
        const int tokens = 256, topK = 8, hidden = 4096;
        var outputs = TestInputs.NormalBf16(random, tokens * topK * hidden);
        using var stream = CudaStream.Create(context);
        using var expertOutputs = DeviceBuffer.FromHost<ushort>(context, outputs);
        using var direct = DeviceBuffer.Allocate<ushort>(context, tokens * hidden);
        using var replayed = DeviceBuffer.Allocate<ushort>(context, tokens * hidden);
        using var start = CudaEvent.Create(context);
        using var end = CudaEvent.Create(context);

        start.Record(stream);
        gpu.Reducer.Reduce(tokens, topK, hidden, expertOutputs.Address, 0, 0, direct.Address, stream.Handle);
        end.Record(stream);
        end.Synchronize();
        Assert.True(end.IsComplete);
        var milliseconds = CudaEvent.ElapsedMilliseconds(start, end);
        TestContext.Current.TestOutputHelper?.WriteLine($"reduction of {tokens}x{topK}x{hidden}: {milliseconds * 1000:F1} us");
        Assert.InRange(milliseconds, 1e-4f, 1000f);

        using var graph = CudaGraph.Capture(stream, s => gpu.Reducer.Reduce(tokens, topK, hidden, expertOutputs.Address, 0, 0, replayed.Address, s.Handle));
        using var instance = graph.Instantiate();
        replayed.FillAsync(Poison.Bf16, stream);
        instance.Launch(stream);
        stream.Synchronize();
        Assert.True(stream.IsIdle);
        Assert.Equal(direct.Download<ushort>(), replayed.Download<ushort>());
    }

    [Fact]
    public void A_failed_capture_leaves_the_stream_usable()
    {
        var context = gpu.Require();
        using var stream = CudaStream.Create(context);

        Assert.Throws<InvalidOperationException>(() => CudaGraph.Capture(stream, _ => throw new InvalidOperationException("enqueue failed")));

        stream.Synchronize();
        Assert.True(stream.IsIdle);
    }

    [Fact]
    public void Loaded_kernels_report_their_resources_and_accept_opt_in_shared_memory()
    {
        gpu.Require();
        var function = gpu.SelfTest.GetFunction("moetune_selftest_mma");
        var resources = function.Resources;
        TestContext.Current.TestOutputHelper?.WriteLine($"{function.Name}: {resources}");

        Assert.InRange(resources.Registers, 1, 255);
        Assert.Equal(gpu.Device!.ComputeCapability, resources.BinaryVersion);
        Assert.True(resources.StaticSharedBytes >= (16 * 16 * 2) + (8 * 16 * 2));

        var optIn = gpu.Device.MaxSharedMemoryPerBlockOptin - resources.StaticSharedBytes;
        function.SetMaxDynamicSharedMemory(optIn);
        Assert.Equal(optIn, function.GetAttribute(FunctionAttribute.MaxDynamicSharedSizeBytes));
    }

    [Fact]
    public void A_rejected_launch_names_the_kernel_and_the_call()
    {
        var context = gpu.Require();
        using var stream = CudaStream.Create(context);
        var function = gpu.SelfTest.GetFunction("moetune_selftest_mma");

        var error = Assert.Throws<CudaException>(() => function.Launch(new LaunchConfig(1, 4096), stream, new KernelArguments().Add(0L).Add(0L).Add(0L).Add(0L)));

        Assert.Contains("moetune_selftest_mma", error.Message, StringComparison.Ordinal);
        Assert.Contains("cuLaunchKernel", error.InnerException!.Message, StringComparison.Ordinal);
        stream.Synchronize(); // a rejected launch is not sticky: the context still works
    }

    [Fact]
    public void Cluster_launches_and_tensor_maps_work_on_sm90_and_newer()
    {
        var context = gpu.Require();
        Assert.SkipWhen(gpu.Device!.ComputeCapability < 90, $"{gpu.Device.Name} is SM {gpu.Device.ComputeCapability}: clusters and TMA need SM 9.0");
        using var stream = CudaStream.Create(context);
        var inputs = new float[] { 1.5f, -2.25f };
        using var input = DeviceBuffer.FromHost<float>(context, inputs);
        using var toBf16 = DeviceBuffer.Allocate<ushort>(context, 2);
        using var toE4M3 = DeviceBuffer.Allocate<byte>(context, 2);
        using var scratch = DeviceBuffer.Allocate<float>(context, 1024);
        var arguments = new KernelArguments().Add(input.Address).Add(2).Add(toBf16.Address).Add(toE4M3.Address)
            .Add(scratch.Address).Add(scratch.Address + 1024).Add(scratch.Address + 2048).Add(scratch.Address + 3072);

        gpu.SelfTest.GetFunction("moetune_selftest_formats").Launch(new LaunchConfig(2, 256, Cluster: new Dim3(2)), stream, arguments);
        stream.Synchronize();
        Assert.Equal(new ushort[] { 0x3FC0, 0xC010 }, toBf16.Download<ushort>());

        // A tensor map is opaque (an InlineArray, which has no Equals): compare its bytes. It must encode something, and
        // encode where the tensor lies.
        using var matrix = DeviceBuffer.Allocate<ushort>(context, 2 * 128 * 256);
        var first = EncodeTile(matrix.Address);
        var second = EncodeTile(matrix.Address + (128 * 256 * 2));
        Assert.Contains(first, b => b != 0);
        Assert.False(first.SequenceEqual(second), "tensor maps of two different base addresses are byte for byte the same");
    }

    private static byte[] EncodeTile(nint address)
    {
        var map = TensorMaps.EncodeTiled(
            TensorMapDataType.Bf16, address, globalDims: [256, 128], globalStrides: [256 * 2], boxDims: [64, 64], elementStrides: [1, 1],
            swizzle: TensorMapSwizzle.Bytes128);
        return MemoryMarshal.AsBytes(new ReadOnlySpan<TensorMap>(in map)).ToArray();
    }
}
