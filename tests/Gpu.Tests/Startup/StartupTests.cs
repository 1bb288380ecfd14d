using System.Diagnostics;
using System.Globalization;
using MoeTune.Cuda.Primitives;
using MoeTune.Gpu.Tests.Infrastructure;

namespace MoeTune.Gpu.Tests.Startup;

/// <summary>A second process start compiles nothing: every primitive comes from the disk cache. Both start-up times are printed.</summary>
public sealed class StartupTests(GpuFixture gpu)
{
    [Fact]
    public void A_second_process_start_compiles_nothing()
    {
        gpu.Require();
        var cache = Directory.CreateTempSubdirectory("moetune-startup-cache-").FullName;
        try
        {
            var builds = new PrimitiveKernels().Builds.Count();
            var first = RunProbe(cache);
            var second = RunProbe(cache);
            var report = $"start-up: first process {first.WallMs:F0} ms wall ({first.ProbeMs:F0} ms CUDA init + {first.Compiled} compiles), " +
                         $"second {second.WallMs:F0} ms wall ({second.ProbeMs:F0} ms CUDA init + {second.DiskHits} cache hits)";
            TestContext.Current.TestOutputHelper?.WriteLine(report);
            Console.WriteLine(report);

            Assert.Equal(builds, first.Compiled);
            Assert.Equal(0, second.Compiled);
            Assert.Equal(builds, second.DiskHits);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    private static (int Compiled, int DiskHits, double ProbeMs, double WallMs) RunProbe(string cache)
    {
        var result = Path.Combine(cache, "probe-result.txt");
        var start = ChildStart();
        foreach (var argument in new[] { StartupProbe.Argument, cache, result })
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var errors = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        if (!child.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            child.Kill(entireProcessTree: true);
            Assert.Fail($"the start-up probe ({start.FileName}) did not finish in 5 minutes");
        }

        Assert.True(child.ExitCode == 0, $"the start-up probe exited with {child.ExitCode}: {errors.Result}");
        var fields = File.ReadAllText(result).Split(' ');
        return (int.Parse(fields[0], CultureInfo.InvariantCulture), int.Parse(fields[1], CultureInfo.InvariantCulture),
            double.Parse(fields[2], CultureInfo.InvariantCulture), clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>This suite's own executable: through the dotnet host that runs it, or its apphost.</summary>
    private static ProcessStartInfo ChildStart()
    {
        var assembly = typeof(StartupProbe).Assembly.Location;
        var process = Environment.ProcessPath ?? "dotnet";
        var isHost = Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        var isApphost = Path.GetFileNameWithoutExtension(process).Equals(Path.GetFileNameWithoutExtension(assembly), StringComparison.Ordinal);
        var start = new ProcessStartInfo(isHost || isApphost ? process : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!isApphost)
        {
            start.ArgumentList.Add(assembly);
        }

        return start;
    }
}
