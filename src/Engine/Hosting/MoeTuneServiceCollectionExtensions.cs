using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoeTune.Abstractions.Backends;
using MoeTune.Cuda.Compilation;
using MoeTune.Engine.Autotuning;
using MoeTune.Engine.Autotuning.Probing;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Devices;
using MoeTune.Engine.Layers;
using MoeTune.Engine.Selection;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Hosting;

/// <summary>Registers MoeTune in an engine's container.</summary>
public static class MoeTuneServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IMoeLayerFactory"/> and what it needs: devices, the backend catalog (built-in Reference plus
    /// plugins), the tuning store, the autotuner with its probe launcher (the moetune host beside the application;
    /// register another <see cref="IProbeLauncher"/> first to change it) and the selector. Options are validated when the container starts
    /// (or on first use where nothing starts it). <see cref="IMoeBackend"/> services in the container join the
    /// candidates as in-process backends. Register an <see cref="EnvironmentSnapshot"/> first to read MOETUNE_*
    /// from somewhere other than the process environment.
    /// </summary>
    public static IServiceCollection AddMoeTune(this IServiceCollection services, Action<MoeTuneOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddLogging();
        services.AddOptions<MoeTuneOptions>().Configure(configure ?? (_ => { })).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MoeTuneOptions>, MoeTuneOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => EnvironmentSnapshot.FromProcess());
        services.TryAddSingleton<DeviceCatalog>();
        services.TryAddSingleton(sp => KernelCompiler.CreateDefault(sp.GetRequiredService<ILogger<KernelCompiler>>()));
        services.TryAddSingleton(CreateCatalog);
        services.TryAddSingleton(OpenStore);
        services.TryAddSingleton<IProbeLauncher>(_ => new HostProbeLauncher());
        services.TryAddSingleton<Autotuner>();
        services.TryAddSingleton<BackendSelector>();
        services.TryAddSingleton<IMoeLayerFactory, MoeLayerFactory>();
        return services;
    }

    /// <summary>The database file the options and environment point at.</summary>
    public static TuningStoreLocation ResolveStoreLocation(MoeTuneOptions options, EnvironmentSnapshot environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        return options.DatabasePath is { } path
            ? new TuningStoreLocation(Path.GetFullPath(path), "MoeTuneOptions.DatabasePath")
            : TuningStoreLocation.Resolve(name => name.StartsWith(EnvironmentVariables.Prefix, StringComparison.Ordinal)
                ? environment.Get(name)
                : Environment.GetEnvironmentVariable(name));
    }

    private static BackendCatalog CreateCatalog(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<MoeTuneOptions>>().Value;
        var loggerFactory = provider.GetRequiredService<ILoggerFactory>();
        var compiler = provider.GetRequiredService<KernelCompiler>();

        // What a plugin's container may take through constructors: the host's logging and kernel compiler.
        void AddShared(IServiceCollection plugin)
        {
            plugin.AddSingleton(loggerFactory);
            plugin.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
            plugin.AddSingleton(compiler);
        }

        return new BackendCatalog(
            options.ApplicationDirectory,
            provider.GetRequiredService<EnvironmentSnapshot>(),
            provider.GetServices<IMoeBackend>(),
            AddShared,
            provider.GetRequiredService<ILogger<BackendCatalog>>());
    }

    private static TuningStore OpenStore(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<MoeTuneOptions>>().Value;
        var location = ResolveStoreLocation(options, provider.GetRequiredService<EnvironmentSnapshot>());
        return TuningStore.Open(TuningStoreOptions.For(location), provider.GetRequiredService<ILogger<TuningStore>>());
    }
}
