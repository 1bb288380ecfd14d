using Microsoft.Extensions.DependencyInjection;
using MoeTune.Abstractions.Backends;

namespace MoeTune.Plugins.Marlin;

/// <summary>The plugin's registration: one backend, <see cref="MarlinBackend"/>, taking the host's kernel compiler.</summary>
public sealed class MarlinRegistration : IMoePluginRegistration
{
    public void ConfigureServices(IServiceCollection services) => services.AddSingleton<IMoeBackend, MarlinBackend>();
}
