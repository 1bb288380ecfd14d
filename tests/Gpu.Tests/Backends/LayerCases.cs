using MoeTune.Abstractions.Problems;
using MoeTune.Gpu.Tests.Infrastructure;
using MoeTune.Models.Presets;

namespace MoeTune.Gpu.Tests.Backends;

/// <summary>
/// The cases of <see cref="LayerTests"/>, each row tagged with its backend, preset and format (<see cref="SuiteTraits"/>).
/// <list type="bullet">
/// <item>Issue 5, Marlin: every preset (gpt-oss-120b in MXFP4, the others in NVFP4) at T = 1, 3, 16, 64, 256, 1024, 4096.</item>
/// <item>Issue 6, FlashInferCutlass: every preset it serves (all but gpt-oss-120b, whose clamped SwiGLU it refuses), in
/// bf16 and NVFP4, at T = 1, 3, 64, 1000, 4096, 16384.</item>
/// <item>Ragged routings for both: T off every tile size, experts with no token, every token on one expert, repeated ids.</item>
/// </list>
/// </summary>
public static class LayerCases
{
    public static IReadOnlyList<int> MarlinTokens { get; } = [1, 3, 16, 64, 256, 1024, 4096];

    public static IReadOnlyList<int> FlashInferCutlassTokens { get; } = [1, 3, 64, 1000, 4096, 16384];

    public static IReadOnlyList<WeightFormat> FlashInferCutlassFormats { get; } = [WeightFormat.Bf16, WeightFormat.Nvfp4];

    public static TheoryData<string, string, WeightFormat, int, TestRouting> Forwards()
    {
        var data = new TheoryData<string, string, WeightFormat, int, TestRouting>();
        void Add(TestedBackend backend, string preset, WeightFormat format, int tokens, TestRouting routing) =>
            data.Add(Tagged(new TheoryDataRow<string, string, WeightFormat, int, TestRouting>(backend.Name, preset, format, tokens, routing), backend, preset, format));
        void AddMarlin(string preset, int tokens, TestRouting routing) =>
            Add(TestedBackends.Marlin, preset, ModelPresets.Find(preset).Shape.Format, tokens, routing);

        foreach (var preset in ModelPresets.All)
        {
            foreach (var tokens in MarlinTokens)
            {
                AddMarlin(preset.Name, tokens, TestRouting.Router);
            }
        }

        AddMarlin("qwen3-30b-a3b", 1000, TestRouting.Router);
        AddMarlin("gpt-oss-120b", 1000, TestRouting.Router);
        AddMarlin("nemotron-3-super", 17, TestRouting.Router);
        AddMarlin("qwen3-30b-a3b", 5, TestRouting.OneExpert);
        AddMarlin("qwen3-30b-a3b", 300, TestRouting.OneExpert);
        AddMarlin("mixtral-8x7b", 16, TestRouting.OneExpert);
        AddMarlin("llama-4-scout", 9, TestRouting.OneExpert);
        AddMarlin("llama-4-scout", 700, TestRouting.OneExpert);
        AddMarlin("nemotron-3-super", 12, TestRouting.OneExpert);
        AddMarlin("qwen3-30b-a3b", 4, TestRouting.Repeats);
        AddMarlin("qwen3-30b-a3b", 16, TestRouting.Repeats);
        AddMarlin("deepseek-v3", 100, TestRouting.Repeats);

        var flashInfer = TestedBackends.FlashInferCutlass;
        foreach (var preset in ModelPresets.All.Where(p => p.Shape.Activation != Activation.ClampedSwiGlu))
        {
            foreach (var format in FlashInferCutlassFormats)
            {
                foreach (var tokens in FlashInferCutlassTokens)
                {
                    Add(flashInfer, preset.Name, format, tokens, TestRouting.Router);
                }
            }
        }

        Add(flashInfer, "qwen3-30b-a3b", WeightFormat.Bf16, 1000, TestRouting.OneExpert);
        Add(flashInfer, "qwen3-30b-a3b", WeightFormat.Nvfp4, 4096, TestRouting.OneExpert);
        Add(flashInfer, "mixtral-8x7b", WeightFormat.Nvfp4, 4096, TestRouting.OneExpert);
        Add(flashInfer, "llama-4-scout", WeightFormat.Bf16, 700, TestRouting.OneExpert);
        Add(flashInfer, "nemotron-3-super", WeightFormat.Nvfp4, 17, TestRouting.Repeats);
        Add(flashInfer, "deepseek-v3", WeightFormat.Nvfp4, 100, TestRouting.Repeats);
        return data;
    }

    /// <summary>Decode-sized and prefill-sized forwards captured into a CUDA graph.</summary>
    public static TheoryData<string, string, WeightFormat, int> GraphReplays()
    {
        var data = new TheoryData<string, string, WeightFormat, int>();
        void Add(TestedBackend backend, string preset, WeightFormat format, int tokens) =>
            data.Add(Tagged(new TheoryDataRow<string, string, WeightFormat, int>(backend.Name, preset, format, tokens), backend, preset, format));

        Add(TestedBackends.Marlin, "qwen3-30b-a3b", WeightFormat.Nvfp4, 1);
        Add(TestedBackends.Marlin, "qwen3-30b-a3b", WeightFormat.Nvfp4, 16);
        Add(TestedBackends.Marlin, "mixtral-8x7b", WeightFormat.Nvfp4, 3);
        Add(TestedBackends.Marlin, "nemotron-3-super", WeightFormat.Nvfp4, 64);
        Add(TestedBackends.FlashInferCutlass, "qwen3-30b-a3b", WeightFormat.Bf16, 1);
        Add(TestedBackends.FlashInferCutlass, "qwen3-30b-a3b", WeightFormat.Nvfp4, 1000);
        return data;
    }

    /// <summary>Each backend on a small preset, for the limits of a forward's token count.</summary>
    public static TheoryData<string, string, WeightFormat> TokenLimits()
    {
        const string Preset = "qwen3-30b-a3b";
        var data = new TheoryData<string, string, WeightFormat>();
        foreach (var backend in TestedBackends.All)
        {
            data.Add(Tagged(new TheoryDataRow<string, string, WeightFormat>(backend.Name, Preset, WeightFormat.Nvfp4), backend, Preset, WeightFormat.Nvfp4));
        }

        return data;
    }

    /// <summary>A problem each backend refuses, with a fragment its reason must contain.</summary>
    public static TheoryData<string, string, WeightFormat, string> Refusals()
    {
        var data = new TheoryData<string, string, WeightFormat, string>();
        void Add(TestedBackend backend, string preset, WeightFormat format, string reason) =>
            data.Add(Tagged(new TheoryDataRow<string, string, WeightFormat, string>(backend.Name, preset, format, reason), backend, preset, format));

        Add(TestedBackends.Marlin, "mixtral-8x7b", WeightFormat.Bf16, "W4A16");
        // gpt-oss fails two rules; the format is checked first, so its reason names the format.
        Add(TestedBackends.FlashInferCutlass, "gpt-oss-120b", WeightFormat.Mxfp4, "not mxfp4");
        Add(TestedBackends.FlashInferCutlass, "gpt-oss-120b", WeightFormat.Nvfp4, "swiglu-clamped");
        return data;
    }

    private static TRow Tagged<TRow>(TRow row, TestedBackend backend, string preset, WeightFormat format)
        where TRow : TheoryDataRowBase =>
        row.WithTrait(SuiteTraits.Backend, backend.Name).WithTrait(SuiteTraits.Preset, preset).WithTrait(SuiteTraits.Format, format.ToName());
}
