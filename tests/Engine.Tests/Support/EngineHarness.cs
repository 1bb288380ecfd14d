using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Devices;
using MoeTune.Engine.Devices;
using MoeTune.Engine.Hosting;

namespace MoeTune.Engine.Tests.Support;

/// <summary>
/// The engine as a library user builds it (AddMoeTune), with a private database, no plugin folders but those given
/// (as MOETUNE_PLUGINS), the given in-process backends, and the log captured.
/// </summary>
internal sealed class EngineHarness : IDisposable
{
    private readonly TempDirectory _temp;
    private readonly bool _ownsTemp;

    public EngineHarness(
        IEnumerable<IMoeBackend>? backends = null,
        Action<MoeTuneOptions>? configure = null,
        TempDirectory? shared = null,
        string? pluginFolders = null,
        Action<IServiceCollection>? services = null)
    {
        _ownsTemp = shared is null;
        _temp = shared ?? new TempDirectory();
        DatabasePath = _temp.Combine("tuning.db");
        var collection = new ServiceCollection();
        collection.AddSingleton(_ => CapturingLoggerProvider.Factory(Log, LogLevel.Debug));
        collection.AddSingleton(EnvironmentSnapshot.Empty.With(EnvironmentVariables.Database, DatabasePath).With(EnvironmentVariables.Plugins, pluginFolders));
        foreach (var backend in backends ?? [])
        {
            collection.AddSingleton<IMoeBackend>(backend);
        }

        services?.Invoke(collection);
        collection.AddMoeTune(options =>
        {
            options.ApplicationDirectory = _temp.Path;
            options.TuneBuckets.Add(1);
            options.TuneBuckets.Add(4);
            options.TuneBudgetPerCandidate = TimeSpan.FromSeconds(0.5);
            configure?.Invoke(options);
        });
        Services = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public ServiceProvider Services { get; }

    public string DatabasePath { get; }

    public StringWriter Log { get; } = new();

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public IExecutionDevice OpenCpu() => Get<DeviceCatalog>().Open(DeviceInfo.HostCpu);

    public void Dispose()
    {
        Services.Dispose();
        if (_ownsTemp)
        {
            _temp.Dispose();
        }
    }
}
