using MoeTune.Cuda.Compilation;

namespace MoeTune.Cuda.Tests.Compilation;

public sealed class KernelDiskCacheTests : IDisposable
{
    private static readonly KernelSource Source = new("k.cu", "extern \"C\" __global__ void k() {}");
    private static readonly KernelSource Header = new("moetune/h.cuh", "#pragma once");
    private readonly string folder = Directory.CreateTempSubdirectory("moetune-cache-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void An_entry_round_trips_and_no_temporary_file_is_left()
    {
        var cache = new KernelDiskCache(folder);
        var key = Key();

        cache.Write(key, [1, 2, 3], "log text");
        var read = cache.Read(key);

        Assert.Equal(KernelCacheStatus.Hit, read.Status);
        Assert.Equal([1, 2, 3], read.Cubin);
        Assert.Equal("log text", read.Log);
        Assert.Equal([cache.PathFor(key)], Directory.GetFiles(folder));
    }

    [Fact]
    public void A_missing_entry_is_a_miss() => Assert.Equal(KernelCacheStatus.Miss, new KernelDiskCache(folder).Read(Key()).Status);

    [Theory]
    [InlineData(0)]     // magic
    [InlineData(20)]    // key
    [InlineData(45)]    // cubin length
    [InlineData(60)]    // stored hash
    [InlineData(84)]    // payload
    public void Any_damaged_byte_makes_the_entry_corrupt_and_removes_it(int offset)
    {
        var cache = new KernelDiskCache(folder);
        var key = Key();
        cache.Write(key, [1, 2, 3, 4], "x");
        var bytes = File.ReadAllBytes(cache.PathFor(key));
        bytes[offset] ^= 0x5A;
        File.WriteAllBytes(cache.PathFor(key), bytes);

        var read = cache.Read(key);

        Assert.Equal(KernelCacheStatus.Corrupt, read.Status);
        Assert.Contains(cache.PathFor(key), read.Problem, StringComparison.Ordinal);
        Assert.False(File.Exists(cache.PathFor(key)));
    }

    [Fact]
    public void A_truncated_entry_is_corrupt()
    {
        var cache = new KernelDiskCache(folder);
        var key = Key();
        cache.Write(key, [1, 2, 3, 4], "log");
        var bytes = File.ReadAllBytes(cache.PathFor(key));
        File.WriteAllBytes(cache.PathFor(key), bytes[..^2]);

        Assert.Equal(KernelCacheStatus.Corrupt, cache.Read(key).Status);
    }

    [Fact]
    public void The_key_changes_with_every_input()
    {
        var baseline = Convert.ToHexString(Key());
        string[] variants =
        [
            Convert.ToHexString(KernelCacheKey.Compute(Source with { Code = Source.Code + " " }, [Header], ["-DX=1"], GpuArch.Sm90a, new Version(12, 4))),
            Convert.ToHexString(KernelCacheKey.Compute(Source, [Header with { Code = "#pragma once\n" }], ["-DX=1"], GpuArch.Sm90a, new Version(12, 4))),
            Convert.ToHexString(KernelCacheKey.Compute(Source, [], ["-DX=1"], GpuArch.Sm90a, new Version(12, 4))),
            Convert.ToHexString(KernelCacheKey.Compute(Source, [Header], ["-DX=2"], GpuArch.Sm90a, new Version(12, 4))),
            Convert.ToHexString(KernelCacheKey.Compute(Source, [Header], ["-DX=1"], GpuArch.Sm90, new Version(12, 4))),
            Convert.ToHexString(KernelCacheKey.Compute(Source, [Header], ["-DX=1"], GpuArch.Sm90a, new Version(13, 0))),
            Convert.ToHexString(KernelCacheKey.Compute(Source, [Header], ["-DX", "=1"], GpuArch.Sm90a, new Version(12, 4))),
        ];

        Assert.Equal(variants.Length + 1, variants.Append(baseline).Distinct().Count());
        Assert.Equal(baseline, Convert.ToHexString(Key()));
    }

    [Fact]
    public void The_default_folder_follows_the_override_variable()
    {
        var before = Environment.GetEnvironmentVariable(KernelDiskCache.DirectoryVariable);
        try
        {
            Environment.SetEnvironmentVariable(KernelDiskCache.DirectoryVariable, folder);
            Assert.Equal(folder, KernelDiskCache.DefaultDirectory());
            Environment.SetEnvironmentVariable(KernelDiskCache.DirectoryVariable, null);
            Assert.EndsWith(Path.Combine("moetune", "kernels"), KernelDiskCache.DefaultDirectory(), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(KernelDiskCache.DirectoryVariable, before);
        }
    }

    private static byte[] Key() => KernelCacheKey.Compute(Source, [Header], ["-DX=1"], GpuArch.Sm90a, new Version(12, 4));
}
