using MoeTune.Abstractions.Problems;

namespace MoeTune.Engine;

/// <summary>The environment variables the engine reads; docs/cli.md lists them for users.</summary>
public static class EnvironmentVariables
{
    public const string Prefix = "MOETUNE_";

    /// <summary>Forces a backend for every weight format (DESIGN.md "Choosing a backend", step 2).</summary>
    public const string Backend = "MOETUNE_BACKEND";

    /// <summary>Extra plugin folders, separated by the platform's path separator (':' on Linux).</summary>
    public const string Plugins = "MOETUNE_PLUGINS";

    /// <summary>The tuning store's file; the store resolves it (TuningStoreLocation).</summary>
    public const string Database = "MOETUNE_DB";

    /// <summary>Forces a backend for one weight format, for example <c>MOETUNE_BACKEND_NVFP4</c>; beats <see cref="Backend"/>.</summary>
    public static string BackendFor(WeightFormat format) => $"{Backend}_{format.ToName().ToUpperInvariant()}";
}
