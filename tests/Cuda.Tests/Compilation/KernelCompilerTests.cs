using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Primitives;

namespace MoeTune.Cuda.Tests.Compilation;

public sealed class KernelCompilerTests : IDisposable
{
    private readonly string cacheDirectory = Path.Combine(Path.GetTempPath(), "moetune-kernel-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(cacheDirectory))
        {
            Directory.Delete(cacheDirectory, recursive: true);
        }
    }

    [Fact]
    public void Compiles_a_kernel_to_a_cubin_then_serves_it_from_disk_in_a_new_compiler()
    {
        NvrtcRequirement.Require();
        var build = TinyBuild("extern \"C\" __global__ void tiny(float* x) { x[threadIdx.x] *= 2.0f; }");

        var first = new KernelCompiler(new KernelDiskCache(cacheDirectory)).Compile(build, GpuArch.Sm80);
        var second = new KernelCompiler(new KernelDiskCache(cacheDirectory)).Compile(build, GpuArch.Sm80);

        Assert.Equal(KernelOrigin.Compiled, first.Origin);
        Assert.Equal(KernelOrigin.DiskCache, second.Origin);
        Assert.Equal(first.Cubin, second.Cubin);
        Assert.Equal(first.CacheKey, second.CacheKey);
        Assert.Equal([0x7F, (byte)'E', (byte)'L', (byte)'F'], first.Cubin[..4]);
    }

    [Fact]
    public void A_second_request_in_the_same_compiler_is_a_memory_hit()
    {
        NvrtcRequirement.Require();
        var compiler = new KernelCompiler(diskCache: null);
        var build = TinyBuild("extern \"C\" __global__ void tiny(int* x) { x[0] = 1; }");

        compiler.Compile(build, GpuArch.Sm89);
        var again = compiler.Compile(build, GpuArch.Sm89);

        Assert.Equal(KernelOrigin.Memory, again.Origin);
    }

    [Fact]
    public void Concurrent_requests_for_one_key_compile_it_once()
    {
        NvrtcRequirement.Require();
        var compiler = new KernelCompiler(new KernelDiskCache(cacheDirectory));
        var build = TinyBuild("extern \"C\" __global__ void tiny(int* x) { x[1] = 2; }");

        var results = new CompiledKernel[8];
        Parallel.For(0, results.Length, i => results[i] = compiler.Compile(build, GpuArch.Sm80));

        // One compile: every caller shares its cubin (a waiter on the same in-flight compile gets the same result).
        Assert.Single(results.Select(r => r.Cubin).Distinct(ReferenceEqualityComparer.Instance));
        Assert.Contains(results, r => r.Origin == KernelOrigin.Compiled);
        Assert.Single(Directory.GetFiles(cacheDirectory, "*.mtk"));
    }

    [Fact]
    public void A_compile_error_carries_the_log_the_options_and_the_source_name()
    {
        NvrtcRequirement.Require();
        var build = TinyBuild("extern \"C\" __global__ void broken() { undeclared_thing = 1; }") with { Defines = new Dictionary<string, string> { ["ANSWER"] = "42" } };

        var error = Assert.Throws<KernelCompilationException>(() => new KernelCompiler(diskCache: null).Compile(build, GpuArch.Sm90));

        Assert.Equal("tiny.cu", error.SourceName);
        Assert.Equal("sm_90", error.Arch);
        Assert.Contains("-DANSWER=42", error.Options);
        Assert.Contains("undeclared_thing", error.Log, StringComparison.Ordinal);
        Assert.Contains("tiny.cu", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_cache_entry_is_discarded_and_recompiled()
    {
        NvrtcRequirement.Require();
        var build = TinyBuild("extern \"C\" __global__ void tiny(int* x) { x[2] = 3; }");
        var first = new KernelCompiler(new KernelDiskCache(cacheDirectory)).Compile(build, GpuArch.Sm80);
        var file = Assert.Single(Directory.GetFiles(cacheDirectory, "*.mtk"));
        var bytes = File.ReadAllBytes(file);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(file, bytes);

        var again = new KernelCompiler(new KernelDiskCache(cacheDirectory)).Compile(build, GpuArch.Sm80);

        Assert.Equal(KernelOrigin.Compiled, again.Origin);
        Assert.Equal(first.Cubin, again.Cubin);
        Assert.Equal(KernelOrigin.DiskCache, new KernelCompiler(new KernelDiskCache(cacheDirectory)).Compile(build, GpuArch.Sm80).Origin);
    }

    [Fact]
    public void Refuses_a_target_the_build_does_not_allow()
    {
        var build = TinyBuild("extern \"C\" __global__ void tiny() {}") with { Requirement = ArchRequirement.Sm90aOnly };

        var error = Assert.Throws<ArgumentException>(() => new KernelCompiler(diskCache: null).Compile(build, GpuArch.Sm80));

        Assert.Contains("sm_80", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shared_headers_are_available_to_every_build()
    {
        NvrtcRequirement.Require();
        var build = TinyBuild("""
            #include "moetune/bf16.cuh"
            extern "C" __global__ void tiny(unsigned short* x) { x[0] = moetune::float_to_bf16(1.5f); }
            """);

        var kernel = new KernelCompiler(diskCache: null).Compile(build, GpuArch.Sm80);

        Assert.NotEmpty(kernel.Cubin);
        Assert.Contains(SharedHeaders.All, h => h.Name == "moetune/bf16.cuh");
    }

    public static TheoryData<string, string> PrimitiveTargets()
    {
        var data = new TheoryData<string, string>();
        foreach (var (build, arch) in new PrimitiveKernels().CompileTargets().Where(t => t.Arch <= GpuArch.Sm90a))
        {
            data.Add(build.Name, arch.ToString());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PrimitiveTargets))]
    public void Every_primitive_compiles_with_no_warnings(string buildName, string arch)
    {
        NvrtcRequirement.Require();
        var build = new PrimitiveKernels().Builds.Single(b => b.Name == buildName);

        var kernel = new KernelCompiler(diskCache: null).Compile(build, GpuArch.Parse(arch));

        Assert.NotEmpty(kernel.Cubin);
        Assert.True(kernel.Log.Length == 0, $"NVRTC said:{Environment.NewLine}{kernel.Log}");
    }

    private static KernelBuild TinyBuild(string code) => new() { Name = "test/tiny", Source = new KernelSource("tiny.cu", code) };
}
