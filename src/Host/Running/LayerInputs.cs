using System.Runtime.InteropServices;
using MoeTune.Host.Cli;
using MoeTune.Models;
using MoeTune.Models.Safetensors;
using MoeTune.Reference.Formats;
using MoeTune.Reference.Routing;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Host.Running;

/// <summary>
/// One forward's inputs on the host: hidden states [T, H] bf16 and the router's choice, top-k ids and weights [T, k].
/// Either synthetic (random hidden states, random logits routed with the model's rule) or read from a safetensors file.
/// </summary>
internal sealed record LayerInputs(int Tokens, ushort[] Hidden, int[] TopKIds, float[] TopKWeights, string Description)
{
    /// <summary>An optional [E] F32 tensor in the input file: the per-expert correction bias of routers that use one (DeepSeek-V3).</summary>
    public const string CorrectionBiasTensor = "correction_bias";

    public static LayerInputs Synthetic(ModelSpec model, int tokens, int seed)
    {
        var shape = model.Shape;
        var logits = SyntheticInputs.RouterLogits(tokens, shape.Experts, seed);
        // Synthetic logits carry no learned bias: a zero correction bias routes on the scores alone.
        var bias = model.Routing.UsesCorrectionBias ? new float[shape.Experts] : [];
        var routed = ReferenceRouter.Route(model.Routing, logits, tokens, shape.Experts, shape.TopK, bias);
        return new LayerInputs(tokens, SyntheticInputs.HiddenStates(tokens, shape.Hidden, seed), routed.Ids, routed.Weights,
            $"synthetic (seed {seed}), routed with {model.Name}'s router");
    }

    /// <summary>
    /// Reads <c>hidden_states</c> [T, H] and either <c>topk_ids</c> and <c>topk_weights</c> [T, k] or <c>router_logits</c>
    /// [T, E], which are routed with the model's rule. Any mismatch is a usage error naming the tensor.
    /// </summary>
    public static LayerInputs Read(string path, ModelSpec model)
    {
        // A missing or malformed file is a CheckpointException naming it (a usage error for the command line).
        using var file = SafetensorsFile.Open(path);
        var shape = model.Shape;
        var hiddenInfo = Require(file, path, MoeIoTensorNames.HiddenStates);
        if (hiddenInfo.Shape.Count != 2 || hiddenInfo.Shape[1] != shape.Hidden || hiddenInfo.Shape[0] < 1)
        {
            throw Bad(path, MoeIoTensorNames.HiddenStates, $"must be [T, {shape.Hidden}], is {hiddenInfo.ShapeText}");
        }

        var tokens = checked((int)hiddenInfo.Shape[0]);
        var hidden = ReadBf16(file, path, hiddenInfo);
        if (file.Contains(MoeIoTensorNames.TopKIds) || file.Contains(MoeIoTensorNames.TopKWeights))
        {
            var ids = ReadInts(file, path, RequireShape(file, path, MoeIoTensorNames.TopKIds, tokens, shape.TopK));
            var weights = ReadFloats(file, path, RequireShape(file, path, MoeIoTensorNames.TopKWeights, tokens, shape.TopK));
            var bad = Array.FindIndex(ids, id => id < 0 || id >= shape.Experts);
            if (bad >= 0)
            {
                throw Bad(path, MoeIoTensorNames.TopKIds, $"entry [{bad / shape.TopK}, {bad % shape.TopK}] is {ids[bad]}; experts are 0..{shape.Experts - 1}");
            }

            return new LayerInputs(tokens, hidden, ids, weights, $"{path} (hidden states and top-k)");
        }

        if (!file.Contains(MoeIoTensorNames.RouterLogits))
        {
            throw CliException.Usage($"{path}: needs '{MoeIoTensorNames.TopKIds}' and '{MoeIoTensorNames.TopKWeights}', or '{MoeIoTensorNames.RouterLogits}'");
        }

        var logits = ReadFloats(file, path, RequireShape(file, path, MoeIoTensorNames.RouterLogits, tokens, shape.Experts));
        var bias = model.Routing.UsesCorrectionBias
            ? ReadFloats(file, path, RequireLength(file, path, CorrectionBiasTensor, shape.Experts, $"{model.Name}'s router adds a per-expert correction bias"))
            : [];
        try
        {
            var routed = ReferenceRouter.Route(model.Routing, logits, tokens, shape.Experts, shape.TopK, bias);
            return new LayerInputs(tokens, hidden, routed.Ids, routed.Weights, $"{path} (hidden states and router logits, routed with {model.Name}'s router)");
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage($"{path}: {ex.Message}");
        }
    }

    private static SafetensorsTensorInfo Require(SafetensorsFile file, string path, string name) =>
        file.Contains(name) ? file.GetInfo(name) : throw CliException.Usage($"{path}: no tensor '{name}'");

    private static SafetensorsTensorInfo RequireShape(SafetensorsFile file, string path, string name, int rows, int cols)
    {
        var info = Require(file, path, name);
        return info.HasShape(rows, cols) ? info : throw Bad(path, name, $"must be [{rows}, {cols}], is {info.ShapeText}");
    }

    private static SafetensorsTensorInfo RequireLength(SafetensorsFile file, string path, string name, int length, string why)
    {
        if (!file.Contains(name))
        {
            throw CliException.Usage($"{path}: no tensor '{name}' [{length}] ({why})");
        }

        var info = file.GetInfo(name);
        return info.HasShape(length) ? info : throw Bad(path, name, $"must be [{length}], is {info.ShapeText}");
    }

    private static ushort[] ReadBf16(SafetensorsFile file, string path, SafetensorsTensorInfo info) => info.DType switch
    {
        SafetensorsDType.BF16 => MemoryMarshal.Cast<byte, ushort>(file.GetSpan(info.Name)).ToArray(),
        SafetensorsDType.F32 => MemoryMarshal.Cast<byte, float>(file.GetSpan(info.Name)).ToArray().Select(Bf16.FromFloat).ToArray(),
        _ => throw Bad(path, info.Name, $"must be BF16 or F32, is {info.DTypeName}"),
    };

    private static float[] ReadFloats(SafetensorsFile file, string path, SafetensorsTensorInfo info) => info.DType switch
    {
        SafetensorsDType.F32 => MemoryMarshal.Cast<byte, float>(file.GetSpan(info.Name)).ToArray(),
        SafetensorsDType.BF16 => MemoryMarshal.Cast<byte, ushort>(file.GetSpan(info.Name)).ToArray().Select(Bf16.ToFloat).ToArray(),
        _ => throw Bad(path, info.Name, $"must be F32 or BF16, is {info.DTypeName}"),
    };

    private static int[] ReadInts(SafetensorsFile file, string path, SafetensorsTensorInfo info) => info.DType switch
    {
        SafetensorsDType.I32 => MemoryMarshal.Cast<byte, int>(file.GetSpan(info.Name)).ToArray(),
        SafetensorsDType.I64 => MemoryMarshal.Cast<byte, long>(file.GetSpan(info.Name)).ToArray().Select(v => (int)Math.Clamp(v, int.MinValue, int.MaxValue)).ToArray(),
        _ => throw Bad(path, info.Name, $"must be I32 or I64, is {info.DTypeName}"),
    };

    private static CliException Bad(string path, string tensor, string problem) => CliException.Usage($"{path}: tensor '{tensor}' {problem}");
}
