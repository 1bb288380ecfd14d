using System.Text;
using MoeTune.Abstractions.Problems;
using MoeTune.Engine.Bench.Roofline;

namespace MoeTune.Engine.Bench.Report;

/// <summary>One model's MoE layer in one weight format: its floors and every backend's outcome.</summary>
/// <param name="Model">The model's name (preset or config folder).</param>
/// <param name="Source">Where the model came from (<c>preset:name</c> or a config.json path).</param>
/// <param name="Shape">The problem's canonical shape text (the tuning key).</param>
/// <param name="Format">The weight format.</param>
/// <param name="FloorNote">Why floors are missing or looser than intended; empty when computed as designed.</param>
/// <param name="Floors">One per (token count, routing).</param>
/// <param name="Backends">Every requested backend, in priority order.</param>
public sealed record BenchProblem(
    string Model,
    string Source,
    string Shape,
    WeightFormat Format,
    string FloorNote,
    IReadOnlyList<RooflineFloor> Floors,
    IReadOnlyList<BackendRun> Backends)
{
    /// <summary>"qwen3-30b-a3b nvfp4".</summary>
    public string Label => $"{Model} {Format.ToName()}";

    /// <summary>A file name stem from <see cref="Label"/>: lower case, letters, digits, dots and dashes only.</summary>
    public string FileStem
    {
        get
        {
            var stem = new StringBuilder();
            foreach (var c in Label.ToLowerInvariant())
            {
                stem.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-');
            }

            return stem.ToString();
        }
    }

    public RooflineFloor? FloorAt(int tokens, string routing) => Floors.FirstOrDefault(f => f.Tokens == tokens && f.Routing == routing);
}
