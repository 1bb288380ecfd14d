using System.Globalization;
using MoeTune.Engine.Accuracy;
using MoeTune.Engine.Selection;
using MoeTune.Models;
using MoeTune.Models.Safetensors;

namespace MoeTune.Host.Running;

/// <summary>What <c>moetune run</c> did: which backend ran where, on what, how long it took and how close it came to the reference.</summary>
internal sealed record RunReport(
    ModelSpec Model,
    string Weights,
    LayerInputs Inputs,
    string Device,
    SelectionResult Selection,
    string Backend,
    TimeSpan Elapsed,
    ushort[] Output,
    double Error)
{
    public bool Passed => Error <= RelativeError.Bf16Tolerance;

    /// <summary>Writes <c>output</c> [T, H] BF16 with the model and backend as metadata.</summary>
    public void SaveOutput(string path) =>
        new SafetensorsWriter()
            .Add<ushort>(MoeIoTensorNames.Output, SafetensorsDType.BF16, [Inputs.Tokens, Model.Shape.Hidden], Output)
            .SetMetadata("model", Model.Name)
            .SetMetadata("backend", Backend)
            .WriteTo(path);

    /// <summary>One "key: value" line per fact, keys aligned.</summary>
    public void WriteTo(TextWriter writer, string? outputPath)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<(string Key, string Value)>
        {
            ("model", $"{Model.Name} ({Model.Shape.CanonicalText}, signature {Model.Shape.Hash})"),
            ("weights", Weights),
            ("inputs", Inputs.Description),
            ("device", Device),
            ("backend", $"{Backend} (plan {Selection.Plan}; source: {Selection.SourceText})"),
            ("tokens", Inputs.Tokens.ToString(c)),
            ("time", string.Create(c, $"{Elapsed.TotalMilliseconds:0.###} ms (one forward, wall clock up to device synchronisation)")),
            ("reference", string.Create(c, $"relative Frobenius error {Error:0.######} ({(Passed ? "pass" : "FAIL")}: tolerance {RelativeError.Bf16Tolerance})")),
            ("checksum", OutputChecksum.Of(Output)),
        };
        if (outputPath is not null)
        {
            lines.Add(("output", Path.GetFullPath(outputPath)));
        }

        foreach (var (key, value) in lines)
        {
            writer.WriteLine($"{key + ":",-11}{value}");
        }
    }
}
