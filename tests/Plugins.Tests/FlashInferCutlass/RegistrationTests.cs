using Microsoft.Extensions.DependencyInjection;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Compilation;
using MoeTune.Plugins.FlashInferCutlass;
using MoeTune.Plugins.FlashInferCutlass.Kernels;

namespace MoeTune.Plugins.Tests.FlashInferCutlass;

public sealed class RegistrationTests
{
    [Fact]
    public void Registers_one_backend_under_its_name_and_alias_using_the_hosts_compiler()
    {
        var hostCompiler = new KernelCompiler(diskCache: null);
        var services = new ServiceCollection().AddSingleton(hostCompiler);
        new FlashInferCutlassRegistration().ConfigureServices(services);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var backend = Assert.Single(provider.GetServices<IMoeBackend>());
        Assert.Equal("FlashInferCutlass", backend.Name);
        Assert.Equal(["FLASHINFER_CUTLASS"], backend.Aliases);
        Assert.Equal(DeviceKind.Cuda, backend.DeviceKind);
        Assert.Equal(KernelSources.Sha256, backend.KernelSourceHash);
        Assert.Same(hostCompiler, provider.GetRequiredService<KernelCompiler>());
    }

    [Fact]
    public void Brings_its_own_compiler_where_the_host_gives_none()
    {
        var services = new ServiceCollection();
        new FlashInferCutlassRegistration().ConfigureServices(services);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        Assert.Single(provider.GetServices<IMoeBackend>());
    }

    [Fact]
    public void Prepare_on_an_unsupported_device_says_why_before_touching_CUDA()
    {
        var backend = new FlashInferCutlassBackend(new KernelCompiler(diskCache: null));
        var shape = new MoeShape(4, 2, 64, 64, Activation.SwiGlu, WeightFormat.Bf16);
        var weights = Reference.Synthetic.SyntheticWeights.Generate(shape, seed: 1);
        var error = Assert.Throws<NotSupportedException>(() => backend.Prepare(weights, new PrepareContext(DeviceInfo.HostCpu, 16)));
        Assert.Contains("NVIDIA GPUs only", error.Message, StringComparison.Ordinal);
    }
}
