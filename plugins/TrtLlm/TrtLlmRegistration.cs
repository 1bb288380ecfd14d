using Microsoft.Extensions.DependencyInjection;
using MoeTune.Abstractions.Backends;

namespace MoeTune.Plugins.TrtLlm;

/// <summary>The plugin's registration seam: one backend.</summary>
public sealed class TrtLlmRegistration : IMoePluginRegistration
{
    public void ConfigureServices(IServiceCollection services) => services.AddSingleton<IMoeBackend, TrtLlmBackend>();
}
