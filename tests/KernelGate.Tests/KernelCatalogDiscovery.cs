using System.Reflection;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Primitives;

namespace MoeTune.KernelGate.Tests;

/// <summary>
/// Finds every <see cref="IKernelCatalog"/> in src/Cuda's assembly and in each plugin assembly this project references,
/// by reflection: public, non-abstract classes with a public parameterless constructor.
/// </summary>
internal static class KernelCatalogDiscovery
{
    /// <summary>The plugin assemblies the gate covers (the projects referenced by this one).</summary>
    public static IReadOnlyList<string> PluginAssemblies { get; } = ["Marlin", "FlashInferCutlass", "VllmCutlass", "CuteDsl", "TrtLlm"];

    private static readonly Lazy<IReadOnlyList<IKernelCatalog>> All = new(Discover);

    public static IReadOnlyList<IKernelCatalog> Catalogs => All.Value;

    public static IEnumerable<Assembly> Assemblies() =>
        PluginAssemblies.Select(name => Assembly.Load(new AssemblyName(name))).Prepend(typeof(PrimitiveKernels).Assembly);

    public static IEnumerable<Type> CatalogTypes(Assembly assembly) => assembly.GetExportedTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IKernelCatalog).IsAssignableFrom(t));

    public static string NameOf(IKernelCatalog catalog) => catalog.GetType().FullName!;

    private static IKernelCatalog[] Discover() => Assemblies()
        .SelectMany(CatalogTypes)
        .Select(t => (IKernelCatalog)(Activator.CreateInstance(t)
            ?? throw new InvalidOperationException($"{t.FullName} could not be created")))
        .ToArray();
}
