using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Cuda.Native;
using MoeTune.Engine.Autotuning;
using MoeTune.Engine.Autotuning.Probing;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Devices;
using MoeTune.Engine.Selection;
using MoeTune.Fixtures.OutOfBoundsPlugin;
using MoeTune.Gpu.Tests.Infrastructure;
using MoeTune.Reference.Synthetic;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Gpu.Tests.Reliability;

/// <summary>
/// Issue 8, isolation on a GPU: a candidate whose kernel writes far out of bounds (the OutOfBoundsPlugin fixture) ends
/// with CUDA_ERROR_ILLEGAL_ADDRESS, a sticky error that ruins its process's context. Probed in a <c>moetune probe</c>
/// child, it fails there alone: the tune goes on, Marlin wins, the store holds both, and this process's context works.
/// </summary>
[Trait(SuiteTraits.Part, SuiteTraits.Reliability)]
public sealed class OutOfBoundsCandidateTests(GpuFixture gpu)
{
    /// <summary>Small enough that the weights file every child reads and the correctness gate are quick; Marlin runs it.</summary>
    private static readonly MoeShape Shape = new(16, 4, 512, 256, Activation.SwiGlu, WeightFormat.Nvfp4);

    [Fact]
    public void A_candidate_that_writes_out_of_bounds_fails_in_its_probe_and_Marlin_wins()
    {
        var context = gpu.Require();
        var host = ProbeHost.Find();
        using var engine = new GpuEngine();
        ProbeHost.AssemblePlugins(engine.Folder, host);
        var services = engine.Start(s => s.AddSingleton<IProbeLauncher>(new HostProbeLauncher(host)), _ => { });
        var catalog = services.GetRequiredService<BackendCatalog>();
        Assert.True(catalog.Failures.Count == 0, string.Join("; ", catalog.Failures));
        Assert.Equal(["Marlin", OutOfBoundsBackend.BackendName, "Reference"], catalog.Registry.All.Select(b => b.Name).Order(StringComparer.Ordinal));
        var devices = services.GetRequiredService<DeviceCatalog>();
        var info = devices.Resolve("cuda:0");
        var seed = TestInputs.NewSeed();
        TestContext.Current.TestOutputHelper?.WriteLine($"weights of {Shape.CanonicalText}: seed {seed} (replay with {TestInputs.SeedVariable}={seed})");
        var settings = new TuneSettings
        {
            Buckets = [1, 16],
            Policy = MeasurementPolicy.Default with { CandidateBudget = TimeSpan.FromSeconds(0.5) },
            Isolation = CandidateIsolation.CudaPlugins,
            // Room for a fresh machine's first compile of Marlin's kernels inside its child; the faulty child ends at once.
            ProbeTimeout = TimeSpan.FromSeconds(180),
        };

        TuneResult result;
        using (var device = devices.Open(info))
        {
            result = services.GetRequiredService<Autotuner>().Tune(
                new TuneRequest(device, SyntheticWeights.Generate(Shape, seed), settings), cancellationToken: TestContext.Current.CancellationToken);
        }

        var faulty = Assert.Single(result.Statuses, s => s.Name == OutOfBoundsBackend.BackendName);
        TestContext.Current.TestOutputHelper?.WriteLine($"OutOfBounds: {faulty.State}: {faulty.Detail}");
        Assert.Equal(CandidateState.Failed, faulty.State);
        Assert.True(
            faulty.Detail.Contains("CUDA_ERROR_ILLEGAL_ADDRESS", StringComparison.Ordinal) || faulty.Detail.StartsWith("crashed: ", StringComparison.Ordinal),
            $"the failure should name the illegal address or the child's crash: {faulty.Detail}");
        Assert.Equal("Marlin", result.Choice.Plan.ToString());

        var store = services.GetRequiredService<TuningStore>();
        var keys = catalog.InPriorityOrder.Select(b => PluginKey.Of(b.Backend)).ToArray();
        Assert.Equal("Marlin", store.GetDecision(info, Shape, TuningObjective.Latency, keys)?.Decision.Plan.ToString());
        var stored = store.GetMeasurements(info, Shape, keys);
        var storedFault = Assert.Single(stored, m => m.Plugin.Backend == OutOfBoundsBackend.BackendName);
        Assert.Equal(CandidateOutcome.Failed, storedFault.Outcome);
        Assert.Equal(faulty.Detail, storedFault.Detail);
        Assert.Equal(CandidateOutcome.Ok, Assert.Single(stored, m => m.Plugin.Backend == "Marlin").Outcome);

        AssertContextWorks(context);
    }

    /// <summary>Needs NVRTC only: the fixture's kernel compiles for each architecture NVRTC here offers from SM 8.0 up.</summary>
    [Fact]
    public void The_out_of_bounds_kernel_compiles()
    {
        Assert.SkipUnless(NvrtcLibrary.TryLoad(out var reason), $"no NVRTC: {reason}");
        var compiler = new KernelCompiler(diskCache: null);
        var targets = new[] { GpuArch.Sm80, GpuArch.Sm89, GpuArch.Sm90 }.Where(a => NvrtcLibrary.SupportedArchitectures.Contains(a.Capability)).ToList();
        Assert.NotEmpty(targets);

        foreach (var arch in targets)
        {
            var kernel = compiler.Compile(OutOfBoundsKernel.Build, arch);
            Assert.True(kernel.Cubin.AsSpan().IndexOf(Encoding.ASCII.GetBytes(OutOfBoundsKernel.KernelName)) >= 0, $"{arch}: the cubin does not export {OutOfBoundsKernel.KernelName}");
        }
    }

    /// <summary>A sticky error in this process would fail every call from here on: allocate, fill, copy back, compare.</summary>
    private static void AssertContextWorks(CudaContext context)
    {
        context.MakeCurrent();
        using var buffer = DeviceBuffer.Allocate<uint>(context, 1 << 18);
        buffer.Fill(0xC0FFEEu);
        var back = buffer.Download<uint>();
        context.Synchronize();
        Assert.True(Array.TrueForAll(back, v => v == 0xC0FFEEu), "the parent's context returned other values than it was filled with");
    }
}
