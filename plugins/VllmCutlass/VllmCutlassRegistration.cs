using Microsoft.Extensions.DependencyInjection;
using MoeTune.Abstractions.Backends;

namespace MoeTune.Plugins.VllmCutlass;

/// <summary>The plugin's registration seam: one backend.</summary>
public sealed class VllmCutlassRegistration : IMoePluginRegistration
{
    public void ConfigureServices(IServiceCollection services) => services.AddSingleton<IMoeBackend, VllmCutlassBackend>();
}
