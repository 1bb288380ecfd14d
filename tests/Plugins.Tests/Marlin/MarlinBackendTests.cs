using Microsoft.Extensions.DependencyInjection;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Cuda.Compilation;
using MoeTune.Plugins.Marlin;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Plugins.Tests.Marlin;

public sealed class MarlinBackendTests
{
    [Fact]
    public void The_backend_names_itself_as_engines_do()
    {
        var backend = new MarlinBackend(new KernelCompiler(null));
        Assert.Equal("Marlin", backend.Name);
        Assert.Equal(["MARLIN"], backend.Aliases);
        Assert.Equal(DeviceKind.Cuda, backend.DeviceKind);
        Assert.False(string.IsNullOrWhiteSpace(backend.Version));
    }

    [Fact]
    public void The_registration_adds_one_backend_built_from_the_hosts_compiler()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new KernelCompiler(null));
        new MarlinRegistration().ConfigureServices(services);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        Assert.IsType<MarlinBackend>(Assert.Single(provider.GetServices<IMoeBackend>()));
    }

    [Fact]
    public void Prepare_refuses_an_unsupported_problem_with_the_reason_before_touching_the_gpu()
    {
        var shape = new MoeShape(4, 2, 64, 64, Activation.SwiGlu, WeightFormat.Nvfp4);
        var weights = SyntheticWeights.Generate(shape, seed: 1);
        var backend = new MarlinBackend(new KernelCompiler(null));
        var error = Assert.Throws<NotSupportedException>(() => backend.Prepare(weights, new PrepareContext(DeviceInfo.HostCpu, 1)));
        Assert.Contains("NVIDIA GPU", error.Message, StringComparison.Ordinal);
    }
}
