using MoeTune.Abstractions.Weights;

namespace MoeTune.Models.Checkpoints;

/// <summary>
/// Experts stored one linear module per projection and expert, for example
/// <c>model.layers.3.mlp.experts.7.gate_proj.weight</c>: Mixtral (w1 gate, w3 up, w2 down), Qwen3-MoE, DeepSeek-V3,
/// Llama-4's quantised exports, Nemotron-H (no gate). Modules are [out, in]: gate and up [I, H], down [H, I].
/// </summary>
internal sealed class PerExpertLayout : IExpertLayout
{
    private readonly CheckpointTensors _tensors;
    private readonly ModelSpec _spec;
    private readonly Func<int, string> _expertPrefix;
    private readonly string? _gate;
    private readonly string _up;
    private readonly string _down;

    /// <param name="tensors">The checkpoint.</param>
    /// <param name="spec">The model; its format says which tensors each module has.</param>
    /// <param name="expertPrefix">The module prefix of expert e, for example <c>model.layers.3.mlp.experts.7</c>.</param>
    /// <param name="gate">The gate projection's module name, or null for a non-gated activation.</param>
    /// <param name="up">The up projection's module name.</param>
    /// <param name="down">The down projection's module name.</param>
    public PerExpertLayout(CheckpointTensors tensors, ModelSpec spec, Func<int, string> expertPrefix, string? gate, string up, string down)
    {
        _tensors = tensors;
        _spec = spec;
        _expertPrefix = expertPrefix;
        _gate = gate;
        _up = up;
        _down = down;

        // A module for an expert past the config's count means the config and the checkpoint describe different models.
        var extra = $"{expertPrefix(spec.Shape.Experts)}.{up}.weight";
        if (tensors.Contains(extra))
        {
            throw tensors.Error(extra, CheckpointTensors.Invariant(
                $"exists, but config field {spec.Fields.Experts} says there are only {spec.Shape.Experts} experts"));
        }
    }

    public ExpertWeights ReadExpert(int expert)
    {
        var shape = _spec.Shape;
        var intermediate = new Dim(shape.Intermediate, _spec.Fields.Intermediate);
        var hidden = new Dim(shape.Hidden, _spec.Fields.Hidden);
        var prefix = _expertPrefix(expert);
        var upModule = $"{prefix}.{_up}";
        var up = LinearTensorReader.Read(_tensors, upModule, shape.Format, intermediate, hidden);
        var w13 = up;
        if (_gate is not null)
        {
            var gateModule = $"{prefix}.{_gate}";
            var gate = LinearTensorReader.Read(_tensors, gateModule, shape.Format, intermediate, hidden);
            w13 = W13Assembler.Stack(_tensors, gate, gateModule, up, upModule);
        }

        var w2 = LinearTensorReader.Read(_tensors, $"{prefix}.{_down}", shape.Format, hidden, intermediate);
        return new ExpertWeights(w13, w2);
    }
}
