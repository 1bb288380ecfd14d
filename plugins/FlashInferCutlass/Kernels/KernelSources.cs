using System.Security.Cryptography;
using System.Text;
using MoeTune.Cuda.Compilation;

namespace MoeTune.Plugins.FlashInferCutlass.Kernels;

/// <summary>
/// The plugin's kernel files, embedded under <c>kernels/</c>: the <c>.cu</c> compile units and the <c>.cuh</c> headers
/// they include by file name, and the SHA-256 that invalidates stored measurements when any of them, or any of src/Cuda's
/// shared headers they include (<c>moetune/*.cuh</c>), changes.
/// </summary>
public static class KernelSources
{
    private const string Prefix = "kernels/";

    private static readonly Lazy<IReadOnlyList<KernelSource>> AllFiles = new(Load);

    private static readonly Lazy<string> CombinedHash = new(() => Hash([.. AllFiles.Value, .. SharedHeaders.All]));

    /// <summary>Every embedded kernel file, named by its file name, in name order.</summary>
    public static IReadOnlyList<KernelSource> All => AllFiles.Value;

    /// <summary>The headers (<c>*.cuh</c>), handed to every build.</summary>
    public static IReadOnlyList<KernelSource> Headers => [.. All.Where(s => s.Name.EndsWith(".cuh", StringComparison.Ordinal))];

    /// <summary>SHA-256 (hex) over the name and text of every file here and of every shared header, in name order.</summary>
    public static string Sha256 => CombinedHash.Value;

    /// <summary>The compile unit named <paramref name="fileName"/>; throws listing the embedded files when there is none.</summary>
    public static KernelSource Unit(string fileName) => All.FirstOrDefault(s => s.Name == fileName)
        ?? throw new InvalidOperationException($"FlashInferCutlass has no embedded kernel '{fileName}'; it has: {string.Join(", ", All.Select(s => s.Name))}");

    /// <summary>SHA-256 (hex) over the names and texts of <paramref name="sources"/>, in name order.</summary>
    public static string Hash(IEnumerable<KernelSource> sources)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var source in sources.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(source.Name + "\n"));
            sha.AppendData(Encoding.UTF8.GetBytes(source.Code + "\n"));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static KernelSource[] Load()
    {
        var assembly = typeof(KernelSources).Assembly;
        var files = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => KernelSource.FromResource(assembly, n) with { Name = n[Prefix.Length..] })
            .ToArray();
        return files.Length > 0
            ? files
            : throw new InvalidOperationException($"{assembly.GetName().Name} embeds no kernels under '{Prefix}'");
    }
}
