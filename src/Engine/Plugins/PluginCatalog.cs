using System.Reflection;
using McMaster.NETCore.Plugins;
using Microsoft.Extensions.DependencyInjection;
using MoeTune.Abstractions.Backends;
using MoeTune.Cuda.Native;
using MoeTune.Engine.Backends;

namespace MoeTune.Engine.Plugins;

/// <summary>
/// Loads plugin folders into a <see cref="BackendRegistry"/>. Each plugin gets its own load context (McMaster) and its
/// own service container, so one broken plugin (untrusted folder, bad DLL, missing dependency, other Abstractions
/// major, a taken backend name, a throwing constructor) is skipped with a message while the others load.
/// Owns the load contexts and containers: dispose it when the backends are no longer used.
/// </summary>
public sealed class PluginCatalog : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly List<LoadedPlugin> _loaded = [];
    private readonly List<PluginLoadFailure> _failures = [];

    private PluginCatalog()
    {
    }

    public IReadOnlyList<LoadedPlugin> Loaded => _loaded;

    public IReadOnlyList<PluginLoadFailure> Failures => _failures;

    /// <summary>
    /// Loads every folder <see cref="PluginDiscovery"/> finds into <paramref name="registry"/>. <paramref name="addSharedServices"/>
    /// puts the host's services (logging, the kernel compiler) into each plugin's container before the plugin registers.
    /// </summary>
    public static PluginCatalog Load(
        string applicationDirectory,
        EnvironmentSnapshot environment,
        BackendRegistry registry,
        Action<IServiceCollection> addSharedServices)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(addSharedServices);
        var catalog = new PluginCatalog();
        var (folders, failures) = PluginDiscovery.Find(applicationDirectory, environment);
        catalog._failures.AddRange(failures);
        foreach (var folder in folders)
        {
            catalog.LoadOne(folder, registry, addSharedServices);
        }

        return catalog;
    }

    public void Dispose()
    {
        // Containers before load contexts: disposing a backend runs plugin code.
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        _owned.Clear();
    }

    private void LoadOne(PluginFolder folder, BackendRegistry registry, Action<IServiceCollection> addSharedServices)
    {
        PluginLoader? loader = null;
        ServiceProvider? provider = null;
        try
        {
            // Inside the try: a folder that cannot be read (permissions, a dangling link) is a refusal too.
            var refusal = Precheck(folder);
            if (refusal is not null)
            {
                Fail(folder, refusal);
                return;
            }

            loader = PluginLoader.CreateFromAssemblyFile(
                folder.AssemblyPath,
                SharedAssemblies.Types,
                ShareNamedAssemblies);
            var assembly = loader.LoadDefaultAssembly();
            var registrations = RegistrationTypes(assembly);
            if (registrations.Count == 0)
            {
                Fail(folder, $"{Path.GetFileName(folder.AssemblyPath)} has no public {nameof(IMoePluginRegistration)} with a parameterless constructor");
                return;
            }

            var services = new ServiceCollection();
            addSharedServices(services);
            foreach (var type in registrations)
            {
                ((IMoePluginRegistration)Activator.CreateInstance(type)!).ConfigureServices(services);
            }

            provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
            var backends = provider.GetServices<IMoeBackend>().ToList();
            var conflict = backends.Count == 0 ? "registered no backends" : registry.TryAdd(backends, $"plugin {folder.Name} ({folder.Origin})", folder.Directory);
            if (conflict is not null)
            {
                Fail(folder, conflict);
                return;
            }

            _loaded.Add(new LoadedPlugin(folder, ToolInfo.VersionOf(assembly), backends));
            _owned.Add(loader);
            _owned.Add(provider);
            loader = null;
            provider = null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Plugin code is foreign: whatever it throws while loading, the host carries on without it.
            Fail(folder, Describe(ex));
        }
        finally
        {
            provider?.Dispose();
            loader?.Dispose();
        }
    }

    private static void ShareNamedAssemblies(PluginConfig config)
    {
        foreach (var name in SharedAssemblies.Names)
        {
            config.SharedAssemblies.Add(name);
        }
    }

    private void Fail(PluginFolder folder, string reason) => _failures.Add(new PluginLoadFailure(folder.Directory, reason));

    private static string? Precheck(PluginFolder folder)
    {
        if (!File.Exists(folder.AssemblyPath))
        {
            return $"no {folder.Name}.dll in the folder (a plugin folder <Name>/ must hold <Name>.dll)";
        }

        return PluginFolderTrust.Check(folder.Directory) ?? AbstractionsCompatibility.Check(folder.AssemblyPath);
    }

    private static List<Type> RegistrationTypes(Assembly assembly) =>
        assembly.GetExportedTypes()
            .Where(t => typeof(IMoePluginRegistration).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .Where(t => t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// One line about an exception from foreign code (a plugin's loading, a backend's support check, prepare or
    /// forward): missing files by name, type-load failures by their first distinct causes, CUDA errors with the driver's
    /// call and error text, else type and message.
    /// </summary>
    internal static string Describe(Exception ex) => ex switch
    {
        TargetInvocationException { InnerException: { } inner } => Describe(inner),
        ReflectionTypeLoadException rtl => "types failed to load: " + string.Join("; ",
            rtl.LoaderExceptions.Where(e => e is not null).Select(e => Describe(e!)).Distinct().Take(3)),
        FileNotFoundException fnf => $"missing dependency: {fnf.FileName ?? fnf.Message}",
        FileLoadException fl => $"dependency failed to load: {fl.FileName ?? fl.Message} ({fl.Message})",
        BadImageFormatException bad => $"not a loadable .NET assembly: {bad.FileName ?? bad.Message}",
        CudaException cuda => $"CUDA error: {cuda.Message}",
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };
}
