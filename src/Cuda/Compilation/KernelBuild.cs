using System.Globalization;

namespace MoeTune.Cuda.Compilation;

/// <summary>
/// One compile unit: a source, the macros and options it is compiled with, the <c>extern "C"</c> kernels it exports and
/// the GPUs it can target. The shared headers (<see cref="SharedHeaders"/>) are always available to it.
/// </summary>
public sealed record KernelBuild
{
    /// <summary>A name unique within its catalog, for logs and the gate, for example <c>marlin/gemm_w4a16_m16</c>.</summary>
    public required string Name { get; init; }

    public required KernelSource Source { get; init; }

    /// <summary>The kernels the module must contain (checked by the gate where a GPU loads it).</summary>
    public IReadOnlyList<string> KernelNames { get; init; } = [];

    /// <summary>Macros passed as <c>-DNAME=VALUE</c>, in name order.</summary>
    public IReadOnlyDictionary<string, string> Defines { get; init; } = new Dictionary<string, string>();

    /// <summary>Further NVRTC options, after the standard ones.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    /// <summary>Headers of the build's own, besides the shared ones.</summary>
    public IReadOnlyList<KernelSource> Headers { get; init; } = [];

    public ArchRequirement Requirement { get; init; } = ArchRequirement.Sm80Plus;

    /// <summary>
    /// This build with <paramref name="extra"/> macros added (a name already defined takes the new value); the build
    /// itself when there are none. For timing a kernel's compile-time switches against each other; the defines are part
    /// of the options and so of the cache key.
    /// </summary>
    public KernelBuild WithDefines(IReadOnlyDictionary<string, string> extra)
    {
        ArgumentNullException.ThrowIfNull(extra);
        if (extra.Count == 0)
        {
            return this;
        }

        var merged = new Dictionary<string, string>(Defines, StringComparer.Ordinal);
        foreach (var (name, value) in extra)
        {
            merged[name] = value;
        }

        return this with { Defines = merged };
    }

    /// <summary>The complete NVRTC option list for <paramref name="arch"/>; it is part of the cache key.</summary>
    public IReadOnlyList<string> CompileOptions(GpuArch arch)
    {
        var options = new List<string> { arch.Option, "--std=c++17" };
        options.AddRange(Defines.OrderBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => string.Create(CultureInfo.InvariantCulture, $"-D{d.Key}={d.Value}")));
        options.AddRange(Options);
        return options;
    }

    public override string ToString() => Name;
}
