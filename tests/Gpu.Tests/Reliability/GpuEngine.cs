using Microsoft.Extensions.DependencyInjection;
using MoeTune.Engine;
using MoeTune.Engine.Hosting;

namespace MoeTune.Gpu.Tests.Reliability;

/// <summary>
/// The engine as a library user builds it (AddMoeTune) on the first GPU, in a private temporary folder: its own
/// tuning store file, no plugins but those the test places under <c>plugins/</c> there, and none of the run's
/// MOETUNE_* variables (MOETUNE_BACKEND would otherwise override the choice under test). The folder goes with it.
/// </summary>
internal sealed class GpuEngine : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("moetune-reliability-");

    /// <summary>The application folder: its <c>plugins/</c> is searched, and the store lives beside it.</summary>
    public string Folder => _folder.FullName;

    public string DatabasePath => Path.Combine(Folder, "tuning.db");

    public ServiceProvider? Services { get; private set; }

    /// <summary>Builds the container; <paramref name="register"/> adds services first (a probe launcher, in-process backends).</summary>
    public ServiceProvider Start(Action<IServiceCollection> register, Action<MoeTuneOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton(EnvironmentSnapshot.Empty);
        register(services);
        services.AddMoeTune(options =>
        {
            options.ApplicationDirectory = Folder;
            options.DatabasePath = DatabasePath;
            options.Device = "cuda:0";
            configure(options);
        });
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return Services;
    }

    public void Dispose()
    {
        Services?.Dispose();
        _folder.Delete(recursive: true);
    }
}
