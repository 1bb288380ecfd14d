using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MoeTune.Abstractions.Backends;

namespace MoeTune.Engine.Plugins;

/// <summary>
/// The assemblies a plugin shares with the host by identity (DESIGN.md "Backends"): the contract (Abstractions),
/// the CUDA layer, and the Microsoft.Extensions abstractions plugins use to register and log. A plugin's own copy
/// of any of these is ignored, so an <see cref="IMoeBackend"/> it creates is the host's <see cref="IMoeBackend"/>.
/// </summary>
internal static class SharedAssemblies
{
    /// <summary>One type from each shared assembly, as McMaster's loader takes them.</summary>
    public static Type[] Types { get; } =
    [
        typeof(IMoeBackend),
        typeof(IServiceCollection),
        typeof(ILogger),
        typeof(IOptions<>),
    ];

    /// <summary>Shared assemblies named rather than typed: MoeTune.Cuda is referenced by the engine, so it is always present.</summary>
    public static AssemblyName[] Names { get; } = [new("MoeTune.Cuda")];
}
