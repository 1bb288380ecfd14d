using System.Diagnostics.CodeAnalysis;
using MoeTune.Abstractions.Problems;
using MoeTune.Models.Families;

namespace MoeTune.Models.Presets;

/// <summary>
/// The models MoeTune ships descriptions of (DESIGN.md's table), with their real routing and layer layout as their
/// released config.json files state them. Experts default to NVFP4, except gpt-oss-120b's, which ship as MXFP4; use
/// <see cref="ModelSpec.WithFormat"/> (or <see cref="ModelResolver"/>'s format) for another.
/// </summary>
public static class ModelPresets
{
    /// <summary>Nemotron-3-Super-120B-A12B's layer kinds (M Mamba, * attention, E MoE), from its config.json.</summary>
    private const string NemotronSuperPattern =
        "MEMEMEM*EMEMEMEM*EMEMEMEM*EMEMEMEMEM*EMEMEMEMEM*EMEMEMEMEM*EMEMEMEMEM*EMEMEMEM*EMEMEMEME";

    public static IReadOnlyList<ModelSpec> All { get; } =
    [
        Preset(
            "mixtral-8x7b",
            ModelFamilies.Mixtral,
            new MoeShape(8, 2, 4096, 14336, Activation.SwiGlu, WeightFormat.Nvfp4),
            RoutingSpec.SoftmaxRenormalized,
            sharedExperts: 0,
            totalLayers: 32,
            AllLayers(32),
            "mistralai/Mixtral-8x7B-v0.1",
            "mistralai/Mixtral-8x7B-Instruct-v0.1"),
        Preset(
            "qwen3-30b-a3b",
            ModelFamilies.Qwen3Moe,
            new MoeShape(128, 8, 2048, 768, Activation.SwiGlu, WeightFormat.Nvfp4),
            new RoutingSpec(RouterScoring.Softmax, Renormalize: true), // norm_topk_prob: true
            sharedExperts: 0,
            totalLayers: 48,
            AllLayers(48),
            "Qwen/Qwen3-30B-A3B"),
        Preset(
            "qwen3-235b-a22b",
            ModelFamilies.Qwen3Moe,
            new MoeShape(128, 8, 4096, 1536, Activation.SwiGlu, WeightFormat.Nvfp4),
            new RoutingSpec(RouterScoring.Softmax, Renormalize: true),
            sharedExperts: 0,
            totalLayers: 94,
            AllLayers(94),
            "Qwen/Qwen3-235B-A22B"),
        Preset(
            "deepseek-v3",
            ModelFamilies.DeepSeekV3,
            new MoeShape(256, 8, 7168, 2048, Activation.SwiGlu, WeightFormat.Nvfp4),
            new RoutingSpec(RouterScoring.Sigmoid, Renormalize: true, Groups: 8, TopKGroups: 4, UsesCorrectionBias: true, RoutedScalingFactor: 2.5),
            sharedExperts: 1,
            totalLayers: 61,
            [.. Enumerable.Range(3, 58)], // first_k_dense_replace: 3
            "deepseek-ai/DeepSeek-V3"),
        Preset(
            "gpt-oss-120b",
            ModelFamilies.GptOss,
            new MoeShape(128, 4, 2880, 2880, Activation.ClampedSwiGlu, WeightFormat.Mxfp4),
            RoutingSpec.SoftmaxRenormalized, // softmax over the top-4 logits: the same weights
            sharedExperts: 0,
            totalLayers: 36,
            AllLayers(36),
            "openai/gpt-oss-120b"),
        Preset(
            "llama-4-scout",
            ModelFamilies.Llama4,
            new MoeShape(16, 1, 5120, 8192, Activation.SwiGlu, WeightFormat.Nvfp4),
            new RoutingSpec(RouterScoring.Sigmoid, Renormalize: false),
            sharedExperts: 1,
            totalLayers: 48,
            AllLayers(48),
            "meta-llama/Llama-4-Scout-17B-16E",
            "meta-llama/Llama-4-Scout-17B-16E-Instruct"),
        Preset(
            "nemotron-3-super",
            ModelFamilies.NemotronH,
            new MoeShape(512, 22, 1024, 2688, Activation.ReluSquared, WeightFormat.Nvfp4),
            new RoutingSpec(RouterScoring.Sigmoid, Renormalize: true, Groups: 1, TopKGroups: 1, UsesCorrectionBias: true, RoutedScalingFactor: 5.0),
            sharedExperts: 1,
            totalLayers: NemotronSuperPattern.Length,
            [.. Enumerable.Range(0, NemotronSuperPattern.Length).Where(l => NemotronSuperPattern[l] == 'E')],
            "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16",
            "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-FP8",
            "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-NVFP4"),
    ];

    /// <summary>The preset names, in table order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(p => p.Name)];

    /// <summary>The preset whose name or label (a Hugging Face repository id) is <paramref name="name"/>, ignoring case.</summary>
    public static bool TryFind(string? name, [MaybeNullWhen(false)] out ModelSpec spec)
    {
        var wanted = name?.Trim();
        spec = All.FirstOrDefault(p => p.Labels.Contains(wanted, StringComparer.OrdinalIgnoreCase));
        return spec is not null;
    }

    /// <summary>As <see cref="TryFind"/>; an unknown name is an <see cref="UnknownModelException"/> listing the valid names.</summary>
    public static ModelSpec Find(string name) =>
        TryFind(name, out var spec) ? spec : throw new UnknownModelException(name, Names, $"unknown model preset '{name}'");

    private static ModelSpec Preset(
        string name,
        ModelFamily family,
        MoeShape shape,
        RoutingSpec routing,
        int sharedExperts,
        int totalLayers,
        IReadOnlyList<int> moeLayers,
        params string[] repositories) =>
        new(name, family, shape, routing, sharedExperts, [name, .. repositories], $"preset:{name}", totalLayers, moeLayers, family.Fields);

    private static int[] AllLayers(int count) => [.. Enumerable.Range(0, count)];
}
