using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MoeTune.Abstractions.Backends;
using MoeTune.Engine.Backends.Reference;
using MoeTune.Engine.Logging;
using MoeTune.Engine.Plugins;

namespace MoeTune.Engine.Backends;

/// <summary>
/// Every backend this process can use: the built-in Reference backend, the backends the embedding application
/// registered in its own container (in-process, no plugin folder), then the plugins found beside the application and
/// in MOETUNE_PLUGINS. Plugins that fail to load are logged as warnings and listed in <see cref="Failures"/>.
/// </summary>
public sealed class BackendCatalog : IDisposable
{
    public const string BuiltInSource = "built-in";

    public const string HostSource = "registered by the application";

    private readonly PluginCatalog _plugins;

    /// <param name="applicationDirectory">The folder whose <c>plugins/</c> subfolder holds the shipped plugins.</param>
    /// <param name="environment">Where MOETUNE_PLUGINS is read.</param>
    /// <param name="hostBackends">Backends the application registered itself; a name clash is an error, as for plugins.</param>
    /// <param name="addSharedServices">Adds the host's services (logging, kernel compiler) to each plugin's container.</param>
    /// <param name="logger">Receives one warning per skipped plugin.</param>
    public BackendCatalog(
        string applicationDirectory,
        EnvironmentSnapshot environment,
        IEnumerable<IMoeBackend> hostBackends,
        Action<IServiceCollection> addSharedServices,
        ILogger<BackendCatalog> logger)
    {
        ArgumentNullException.ThrowIfNull(hostBackends);
        ArgumentNullException.ThrowIfNull(logger);
        ApplicationDirectory = applicationDirectory;
        Environment = environment;
        Registry = new BackendRegistry();
        var builtIn = Registry.TryAdd([new ReferenceBackend()], BuiltInSource);
        var host = builtIn ?? Registry.TryAdd([.. hostBackends], HostSource);
        if ((builtIn ?? host) is { } conflict)
        {
            throw new InvalidOperationException($"the in-process backends could not be registered: {conflict}");
        }

        _plugins = PluginCatalog.Load(applicationDirectory, environment, Registry, addSharedServices);
        foreach (var failure in _plugins.Failures)
        {
            EngineLog.PluginSkipped(logger, failure.Location, failure.Reason);
        }

        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogLoaded(logger, _plugins.Loaded);
        }

        InPriorityOrder = BuiltInPriority.Sort(Registry.All);
    }

    public BackendRegistry Registry { get; }

    /// <summary>The folder whose <c>plugins/</c> was searched: a tuner's probe child loads its plugins from the same places.</summary>
    public string ApplicationDirectory { get; }

    /// <summary>The MOETUNE_* variables the plugins were found with (MOETUNE_PLUGINS), handed on to probe children.</summary>
    public EnvironmentSnapshot Environment { get; }

    public IReadOnlyList<LoadedPlugin> Plugins => _plugins.Loaded;

    public IReadOnlyList<PluginLoadFailure> Failures => _plugins.Failures;

    /// <summary>Every backend in the built-in priority order (<see cref="BuiltInPriority"/>).</summary>
    public IReadOnlyList<RegisteredBackend> InPriorityOrder { get; }

    public void Dispose() => _plugins.Dispose();

    [SuppressMessage("Performance", "CA1873", Justification = "Called only where Debug is enabled.")]
    private static void LogLoaded(ILogger logger, IEnumerable<LoadedPlugin> plugins)
    {
        foreach (var plugin in plugins)
        {
            EngineLog.PluginLoaded(logger, plugin.Name, plugin.Version, plugin.Folder.Directory, plugin.Folder.Origin, string.Join(", ", plugin.Backends.Select(b => b.Name)));
        }
    }
}
