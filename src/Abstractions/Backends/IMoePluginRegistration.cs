using Microsoft.Extensions.DependencyInjection;

namespace MoeTune.Abstractions.Backends;

/// <summary>
/// A plugin's single registration seam. The host creates every public, parameterless implementation it finds
/// in a plugin assembly and calls <see cref="ConfigureServices"/>; the plugin adds its
/// <see cref="IMoeBackend"/> singletons there, and may take the host's shared services (logging, the kernel
/// compiler) through their constructors.
/// </summary>
public interface IMoePluginRegistration
{
    void ConfigureServices(IServiceCollection services);
}
