using Microsoft.Extensions.DependencyInjection;
using MoeTune.Abstractions.Backends;

namespace MoeTune.Plugins.CuteDsl;

/// <summary>The plugin's registration seam: one backend.</summary>
public sealed class CuteDslRegistration : IMoePluginRegistration
{
    public void ConfigureServices(IServiceCollection services) => services.AddSingleton<IMoeBackend, CuteDslBackend>();
}
