using Microsoft.Extensions.DependencyInjection;
using MoeTune.Abstractions.Backends;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Plugins;
using MoeTune.Engine.Tests.Support;

namespace MoeTune.Engine.Tests.Plugins;

public sealed class PluginCatalogTests : IDisposable
{
    private readonly TempDirectory _app = new();
    private readonly TempDirectory _dropIn = new();
    private readonly BackendRegistry _registry = new();
    private PluginCatalog? _catalog;

    public void Dispose()
    {
        _catalog?.Dispose();
        _app.Dispose();
        _dropIn.Dispose();
    }

    [Fact]
    public void Dropped_in_plugin_loads_through_MOETUNE_PLUGINS_and_shares_the_contract_types()
    {
        FixturePlugins.CopyTo(_dropIn.Path);

        var catalog = Load(_dropIn.Path);

        Assert.Empty(catalog.Failures);
        var plugin = Assert.Single(catalog.Loaded);
        Assert.Equal(FixturePlugins.Name, plugin.Name);
        var backend = Assert.Single(plugin.Backends);
        Assert.Equal(FixturePlugins.BackendName, backend.Name);
        Assert.Same(_registry.Find("naive_cpu")!.Backend, backend);
        // Shared by identity: the plugin's IMoeBackend is the host's, and its assembly lives in another load context.
        Assert.IsAssignableFrom<IMoeBackend>(backend);
        Assert.NotEqual(typeof(IMoeBackend).Assembly, backend.GetType().Assembly);
    }

    [Fact]
    public void A_listed_folder_may_be_the_plugin_folder_itself()
    {
        var folder = FixturePlugins.CopyTo(_dropIn.Path);

        var catalog = Load(folder);

        Assert.Empty(catalog.Failures);
        Assert.Single(catalog.Loaded);
    }

    [Fact]
    public void Application_plugins_folder_is_searched_first()
    {
        FixturePlugins.CopyTo(Path.Combine(_app.Path, "plugins"));

        var catalog = Load();

        var plugin = Assert.Single(catalog.Loaded);
        Assert.Equal(PluginDiscovery.ApplicationOrigin, plugin.Folder.Origin);
    }

    [Fact]
    public void Bad_dll_is_skipped_with_a_message_while_the_others_load()
    {
        FixturePlugins.CopyTo(_dropIn.Path);
        Directory.CreateDirectory(_dropIn.Combine("Garbage"));
        File.WriteAllBytes(_dropIn.Combine("Garbage", "Garbage.dll"), [0x4D, 0x5A, 1, 2, 3, 4, 5]);

        var catalog = Load(_dropIn.Path);

        Assert.Single(catalog.Loaded);
        var failure = Assert.Single(catalog.Failures);
        Assert.EndsWith("Garbage", failure.Location, StringComparison.Ordinal);
        Assert.Contains("not a .NET assembly", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Folder_without_its_dll_is_skipped_with_a_message()
    {
        Directory.CreateDirectory(_dropIn.Combine("Empty"));

        var catalog = Load(_dropIn.Path);

        Assert.Contains("no Empty.dll", Assert.Single(catalog.Failures).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plugin_built_against_another_major_version_of_Abstractions_is_refused()
    {
        var folder = FixturePlugins.CopyTo(_dropIn.Path);
        AssemblyReferencePatcher.SetReferenceVersion(Path.Combine(folder, FixturePlugins.Name + ".dll"), AbstractionsCompatibility.AssemblyName, new Version(2, 0, 0, 0));

        var catalog = Load(_dropIn.Path);

        Assert.Empty(catalog.Loaded);
        var reason = Assert.Single(catalog.Failures).Reason;
        Assert.Contains("built against MoeTune.Abstractions 2.x", reason, StringComparison.Ordinal);
        Assert.Contains($"this host has {AbstractionsCompatibility.HostVersion.Major}.x", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plugin_with_a_missing_dependency_is_skipped_naming_it()
    {
        var folder = FixturePlugins.CopyTo(_dropIn.Path);
        // System.Runtime 99 exists nowhere: the plugin's types cannot resolve their base types.
        AssemblyReferencePatcher.SetReferenceVersion(Path.Combine(folder, FixturePlugins.Name + ".dll"), "System.Runtime", new Version(99, 0, 0, 0));

        var catalog = Load(_dropIn.Path);

        Assert.Empty(catalog.Loaded);
        var reason = Assert.Single(catalog.Failures).Reason;
        Assert.Contains("System.Runtime, Version=99.0.0.0", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_backend_name_skips_the_second_plugin_and_names_the_first()
    {
        using var second = new TempDirectory();
        FixturePlugins.CopyTo(_dropIn.Path);
        FixturePlugins.CopyTo(second.Path);

        var catalog = Load(_dropIn.Path, second.Path);

        Assert.Single(catalog.Loaded);
        var failure = Assert.Single(catalog.Failures);
        Assert.StartsWith(second.Path, failure.Location, StringComparison.Ordinal);
        Assert.Contains($"backend name '{FixturePlugins.BackendName}' is already registered by NaiveCpu (plugin ThirdPartyPlugin (MOETUNE_PLUGINS) in {_dropIn.Path}", failure.Reason, StringComparison.Ordinal);
        Assert.Single(_registry.All);
    }

    [Fact]
    public void Folder_writable_by_other_users_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix permission bits only");
            return;
        }

        var folder = FixturePlugins.CopyTo(_dropIn.Path);
        File.SetUnixFileMode(folder, File.GetUnixFileMode(folder) | UnixFileMode.OtherWrite);

        var catalog = Load(_dropIn.Path);

        Assert.Empty(catalog.Loaded);
        var reason = Assert.Single(catalog.Failures).Reason;
        Assert.Contains("writable by other users", reason, StringComparison.Ordinal);
        Assert.Contains("chmod -R go-w", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Group_writable_plugin_file_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix permission bits only");
            return;
        }

        var folder = FixturePlugins.CopyTo(_dropIn.Path);
        var dll = Path.Combine(folder, FixturePlugins.Name + ".dll");
        File.SetUnixFileMode(dll, File.GetUnixFileMode(dll) | UnixFileMode.GroupWrite);

        var catalog = Load(_dropIn.Path);

        Assert.Contains(dll, Assert.Single(catalog.Failures).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Listed_path_that_is_not_a_folder_is_reported()
    {
        var missing = _dropIn.Combine("nowhere");

        var catalog = Load(missing);

        var failure = Assert.Single(catalog.Failures);
        Assert.Equal(missing, failure.Location);
        Assert.Contains("MOETUNE_PLUGINS", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plugins_load_from_nowhere_else()
    {
        // A plugin in the working directory or next to a listed folder is not picked up.
        FixturePlugins.CopyTo(_dropIn.Path);

        var catalog = Load();

        Assert.Empty(catalog.Loaded);
        Assert.Empty(catalog.Failures);
    }

    private PluginCatalog Load(params string[] listed)
    {
        var environment = EnvironmentSnapshot.Empty.With(EnvironmentVariables.Plugins, listed.Length == 0 ? null : string.Join(Path.PathSeparator, listed));
        _catalog = PluginCatalog.Load(_app.Path, environment, _registry, static (IServiceCollection _) => { });
        return _catalog;
    }
}
