using MoeTune.Cuda.Native;

namespace MoeTune.Cuda.Tests.Native;

public sealed class NativeLibraryResolverTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("moetune-resolver-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void An_override_folder_is_the_only_place_searched_and_the_trace_says_what_was_missing()
    {
        var attempts = new List<string>();
        var result = NativeLibraryResolver.Resolve(
            NativeLibrarySpec.Nvrtc, Environment(("MOETUNE_NVRTC", folder)), folder, c => Fail(attempts, c));

        Assert.False(result.IsLoaded);
        Assert.Empty(attempts); // no file there, so nothing was handed to the loader, and no other location was tried
        Assert.All(result.Trace, p => Assert.Equal("MOETUNE_NVRTC", p.Via));
        Assert.Contains(result.Trace, p => p.Candidate == Path.Combine(folder, "libnvrtc.so.13") && p.Outcome == "no such file");
        Assert.Contains("MOETUNE_NVRTC", result.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_override_naming_a_file_loads_that_file()
    {
        var file = Path.Combine(folder, "libcuda.so.1");
        File.WriteAllText(file, "");

        var result = NativeLibraryResolver.Resolve(NativeLibrarySpec.CudaDriver, Environment(("MOETUNE_LIBCUDA", file)), folder, c => (42, null));

        Assert.True(result.IsLoaded);
        Assert.Equal(file, result.Loaded!.Candidate);
        Assert.Equal("MOETUNE_LIBCUDA", result.Loaded.Via);
    }

    [Fact]
    public void An_override_that_names_nothing_is_an_error_not_a_fallback()
    {
        var missing = Path.Combine(folder, "nope");
        var attempts = new List<string>();

        var result = NativeLibraryResolver.Resolve(NativeLibrarySpec.CudaDriver, Environment(("MOETUNE_LIBCUDA", missing)), folder, c => Fail(attempts, c));

        Assert.False(result.IsLoaded);
        Assert.Empty(attempts);
        var probe = Assert.Single(result.Trace);
        Assert.Equal("no such file or folder", probe.Outcome);
    }

    [Fact]
    public void Without_an_override_the_newest_version_is_tried_first_on_the_loader_path_then_in_folders()
    {
        var attempts = new List<string>();

        var result = NativeLibraryResolver.Resolve(NativeLibrarySpec.Nvrtc, Environment(), folder, c => Fail(attempts, c));

        Assert.False(result.IsLoaded);
        Assert.Equal(["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"], attempts.Where(a => !a.Contains('/', StringComparison.Ordinal)));
        Assert.Equal("libnvrtc.so.13", attempts[0]);
        Assert.Contains(result.Trace, p => p.Candidate == "libnvrtc.so.13" && p.Outcome == "not here");
    }

    [Fact]
    public void The_repository_copy_is_found_by_walking_up_from_the_base_directory()
    {
        var lib = Directory.CreateDirectory(Path.Combine(folder, ".nvrtc", "root", "usr", "lib", "x86_64-linux-gnu")).FullName;
        File.WriteAllText(Path.Combine(lib, "libnvrtc.so.12"), "");
        var deep = Directory.CreateDirectory(Path.Combine(folder, "tests", "bin", "Debug", "net10.0")).FullName;

        var result = NativeLibraryResolver.Resolve(
            NativeLibrarySpec.Nvrtc, Environment(), deep, c => c == Path.Combine(lib, "libnvrtc.so.12") ? (7, null) : (0, "not here"));

        Assert.True(result.IsLoaded);
        Assert.Equal(Path.Combine(lib, "libnvrtc.so.12"), result.Loaded!.Candidate);
        Assert.Equal("folder", result.Loaded.Via);
    }

    [Fact]
    public void Toolkit_folders_from_cuda_home_are_searched()
    {
        var lib64 = Directory.CreateDirectory(Path.Combine(folder, "cuda", "lib64")).FullName;
        File.WriteAllText(Path.Combine(lib64, "libnvrtc.so.13"), "");

        var result = NativeLibraryResolver.Resolve(
            NativeLibrarySpec.Nvrtc, Environment(("CUDA_HOME", Path.Combine(folder, "cuda"))), folder,
            c => c.StartsWith(lib64, StringComparison.Ordinal) ? (9, null) : (0, "not here"));

        Assert.Equal(Path.Combine(lib64, "libnvrtc.so.13"), result.Loaded!.Candidate);
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    private static (nint, string?) Fail(List<string> attempts, string candidate)
    {
        attempts.Add(candidate);
        return (0, "not here");
    }
}
