using MoeTune.Gpu.Tests.Infrastructure;
using MoeTune.Plugins.FlashInferCutlass;
using MoeTune.Plugins.Marlin;

namespace MoeTune.Gpu.Tests.Backends;

/// <summary>The backends the suite runs, each prepared for the largest token count its issue names.</summary>
public static class TestedBackends
{
    /// <summary>Weight-streaming W4A16 for decode (issue 5: up to T = 4096).</summary>
    public static TestedBackend Marlin { get; } = new("Marlin", 4096, compiler => new MarlinBackend(compiler));

    /// <summary>Grouped GEMM for prefill (issue 6: up to T = 16384).</summary>
    public static TestedBackend FlashInferCutlass { get; } = new("FlashInferCutlass", 16384, compiler => new FlashInferCutlassBackend(compiler));

    public static IReadOnlyList<TestedBackend> All { get; } = [Marlin, FlashInferCutlass];

    public static TestedBackend Find(string name) =>
        All.FirstOrDefault(b => b.Name == name)
        ?? throw new ArgumentException($"no tested backend '{name}'; the suite tests {string.Join(", ", All.Select(b => b.Name))}", nameof(name));
}
