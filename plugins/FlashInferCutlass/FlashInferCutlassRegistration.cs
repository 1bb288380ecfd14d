using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MoeTune.Abstractions.Backends;
using MoeTune.Cuda.Compilation;

namespace MoeTune.Plugins.FlashInferCutlass;

/// <summary>Registers <see cref="FlashInferCutlassBackend"/>; uses the host's kernel compiler, or a default one where the host gives none.</summary>
public sealed class FlashInferCutlassRegistration : IMoePluginRegistration
{
    public void ConfigureServices(IServiceCollection services)
    {
        services.TryAddSingleton(_ => KernelCompiler.CreateDefault());
        services.AddSingleton<IMoeBackend, FlashInferCutlassBackend>();
    }
}
