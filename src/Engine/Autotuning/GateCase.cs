using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Weights;
using MoeTune.Engine.Accuracy;
using MoeTune.Engine.Devices;
using MoeTune.Reference.Layer;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Engine.Autotuning;

/// <summary>
/// The correctness gate's case (DESIGN.md "Tuning"): a few random tokens with uniformly drawn routing, run once on the
/// CPU reference. Every candidate runs the same case with its output poisoned first; one whose relative Frobenius
/// error exceeds the bf16 tolerance can never win, however fast it is.
/// </summary>
internal sealed class GateCase
{
    /// <summary>Tokens in the case: enough for every expert slot to be exercised a few times, cheap on the CPU.</summary>
    public const int Tokens = 16;

    private readonly ushort[] _hidden;
    private readonly int[] _ids;
    private readonly float[] _routeWeights;
    private readonly double[] _expected;

    public GateCase(MoeWeights weights, int seed)
    {
        var shape = weights.Shape;
        _hidden = SyntheticInputs.HiddenStates(Tokens, shape.Hidden, seed);
        var routing = SyntheticInputs.DrawRouting(RoutingDistribution.Uniform, Tokens, shape.Experts, shape.TopK, seed);
        _ids = routing.Ids;
        _routeWeights = routing.Weights;
        _expected = new ReferenceMoeLayer(weights).Forward(_hidden, _ids, _routeWeights, Tokens);
    }

    /// <summary>Runs the case on <paramref name="layer"/> and returns its relative Frobenius error (+∞ for NaN or infinite output).</summary>
    public double Check(IPreparedMoeLayer layer, IExecutionDevice device, ForwardTensors tensors)
    {
        tensors.Write(_hidden, _ids, _routeWeights);
        tensors.PoisonOutput();
        layer.Forward(tensors.Args(device.Stream));
        device.Synchronize();
        var output = new ushort[_expected.Length];
        tensors.ReadOutput(output);
        return RelativeError.Frobenius(output, _expected);
    }
}
