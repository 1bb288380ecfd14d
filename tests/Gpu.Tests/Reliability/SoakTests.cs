using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Engine.Layers;
using MoeTune.Engine.Selection;
using MoeTune.Gpu.Tests.Infrastructure;
using MoeTune.Plugins.Marlin;

namespace MoeTune.Gpu.Tests.Reliability;

/// <summary>
/// Issue 8, soak: 10,000 forwards with random token counts through the layer the engine's public factory builds for
/// qwen3-30b-a3b in NVFP4 (tuning first, with a temporary store), device and host memory measured after a warm-up and
/// at the end. A forward allocates nothing (IMoeLayer's contract), so nothing may grow.
/// </summary>
[Trait(SuiteTraits.Part, SuiteTraits.Reliability)]
public sealed class SoakTests(GpuFixture gpu)
{
    private const string Preset = "qwen3-30b-a3b";
    private const int MaxTokens = 256;
    private const int WarmupForwards = 200;
    private const int SoakForwards = 10_000;
    private const int AtMaxEvery = 1_000;

    /// <summary>One forward in this many has its output poisoned beforehand, read back and checked finite (the reference is too slow for all).</summary>
    private const int CheckEvery = 1_000;

    /// <summary>
    /// The device may still move a little outside our allocations: with lazy module loading (the default since CUDA
    /// 12.2) a kernel's code is placed in device memory at its first launch, and the driver sizes its own launch
    /// queues and local-memory pools on demand. The warm-up runs every small-batch path and the maximum first, so
    /// this allows for the driver's pools only, far below one leaked workspace (megabytes per forward).
    /// </summary>
    private const long DeviceGrowthAllowed = 2 << 20;

    /// <summary>The runtime's own lazily built caches (JIT of tier-1 code, type loads) may add a little managed memory; a leak of even 2 KB a forward would be 20 MB.</summary>
    private const long ManagedGrowthAllowed = 16 << 20;

    /// <summary>The working set also counts native pages the runtime and driver touch for the first time (code, pinned staging), hence a wider bound.</summary>
    private const long WorkingSetGrowthAllowed = 64 << 20;

    [Fact]
    public void Ten_thousand_forwards_of_random_sizes_leave_device_and_host_memory_where_they_were()
    {
        var context = gpu.Require();
        var output = TestContext.Current.TestOutputHelper;
        var weights = PresetWeights.Generate(Preset, WeightFormat.Nvfp4);
        output?.WriteLine(weights.Description);
        using var engine = new GpuEngine();
        var services = engine.Start(
            // Marlin in-process, as an application may register a backend: the tune then has it as its one GPU
            // candidate without probe children (isolation is the out-of-bounds test's subject, not this one's).
            s => s.AddSingleton<IMoeBackend>(sp => new MarlinBackend(sp.GetRequiredService<KernelCompiler>())),
            options =>
            {
                options.MaxTokens = MaxTokens;
                options.TuneBuckets.Add(1);
                options.TuneBuckets.Add(16);
                options.TuneBuckets.Add(MaxTokens);
                options.TuneBudgetPerCandidate = TimeSpan.FromSeconds(0.5);
            });
        using var layer = services.GetRequiredService<IMoeLayerFactory>().Create(weights.Model, weights.Weights);
        output?.WriteLine($"selected {layer.Selection.Plan} from {layer.Selection.SourceText}; {MemoryUse.GiB(layer.WeightBytes)} of weights, {MemoryUse.GiB(layer.WorkspaceBytes)} of workspace");
        Assert.Equal(SelectionSource.Autotune, layer.Selection.Source);

        var random = TestInputs.NewRandom("soak inputs and token counts");
        using var tensors = new ForwardTensors(context, layer.Shape, MaxTokens);
        var (ids, routingWeights) = TestRoutings.Draw(TestRouting.Router, weights.Model, MaxTokens, random);
        tensors.Upload(TestInputs.NormalBf16(random, MaxTokens * layer.Shape.Hidden), ids, routingWeights);
        using var stream = CudaStream.Create(context);
        var readBack = new ushort[MaxTokens * layer.Shape.Hidden];

        foreach (var tokens in SoakSchedule.Warmup(random, WarmupForwards, MaxTokens))
        {
            layer.Forward(tensors.Args(stream.Handle, tokens));
        }

        StreamWatchdog.Synchronize(stream, "the soak's warm-up");
        var before = MemorySnapshot.Take(context);
        var clock = Stopwatch.StartNew();
        var schedule = SoakSchedule.Soak(random, SoakForwards, MaxTokens, AtMaxEvery);
        for (var i = 0; i < schedule.Length; i++)
        {
            var tokens = schedule[i];
            var check = (i + 1) % CheckEvery == 0;
            if (check)
            {
                tensors.Output.FillAsync(Poison.Bf16, stream);
            }

            layer.Forward(tensors.Args(stream.Handle, tokens));
            if (check)
            {
                StreamWatchdog.Synchronize(stream, $"soak forward {i + 1} (T={tokens})");
                var written = readBack.AsSpan(0, tokens * layer.Shape.Hidden);
                tensors.Output.Download(written);
                OutputChecks.AssertFinite(written, layer.Shape.Hidden, $"soak forward {i + 1} (T={tokens})");
            }
        }

        StreamWatchdog.Synchronize(stream, "the soak");
        var elapsed = clock.Elapsed;
        var after = MemorySnapshot.Take(context);

        var summary = $"soak: {SoakForwards} forwards ({schedule.Sum()} tokens) through {layer.Selection.Plan} in {elapsed.TotalSeconds:F1} s " +
                      $"({elapsed.TotalMicroseconds / SoakForwards:F0} µs a forward); {after.DescribeGrowthSince(before)}";
        output?.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.True(after.DeviceUsed - before.DeviceUsed <= DeviceGrowthAllowed, $"device memory grew: {summary}");
        Assert.True(after.Managed - before.Managed <= ManagedGrowthAllowed, $"the managed heap grew: {summary}");
        Assert.True(after.WorkingSet - before.WorkingSet <= WorkingSetGrowthAllowed, $"the working set grew: {summary}");
    }
}
