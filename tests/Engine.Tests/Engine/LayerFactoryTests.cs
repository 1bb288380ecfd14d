using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Tensors;
using MoeTune.Engine.Accuracy;
using MoeTune.Engine.Hosting;
using MoeTune.Engine.Layers;
using MoeTune.Engine.Selection;
using MoeTune.Engine.Tests.Support;
using MoeTune.Models.Presets;
using MoeTune.Reference.Layer;
using MoeTune.Reference.Synthetic;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Tests.Engine;

/// <summary>The library entry point: AddMoeTune, validated options, IMoeLayerFactory.Create, Forward.</summary>
public sealed class LayerFactoryTests
{
    [Fact]
    public void Create_tunes_on_first_use_and_the_next_layer_takes_the_stored_decision()
    {
        using var engine = new EngineHarness();
        var factory = engine.Get<IMoeLayerFactory>();

        using var first = factory.Create(TinyModel.Shape(), RoutingSpec.SoftmaxRenormalized, TinyWeights.Of(), new MoeLayerRequest { MaxTokens = 8 });
        using var second = factory.Create(TinyModel.Shape(), RoutingSpec.SoftmaxRenormalized, TinyWeights.Of(), new MoeLayerRequest { MaxTokens = 8 });

        Assert.Equal(SelectionSource.Autotune, first.Selection.Source);
        Assert.Equal(SelectionSource.StoredDecision, second.Selection.Source);
        Assert.Equal(MemoryLocation.Host, second.Location);
        Assert.True(second.WeightBytes > 0);
        Assert.Equal(8, second.MaxTokens);
    }

    [Fact]
    public void Forward_matches_the_reference()
    {
        using var engine = new EngineHarness(configure: o => o.Backend = "reference");
        using var layer = engine.Get<IMoeLayerFactory>().Create(TinyModel.Shape(), RoutingSpec.SoftmaxRenormalized, TinyWeights.Of(), new MoeLayerRequest { MaxTokens = 8 });
        using var device = engine.OpenCpu();
        using var tensors = device.AllocateTensors(layer.Shape, 6);
        var hidden = SyntheticInputs.HiddenStates(6, TinyModel.Hidden, 9);
        var routing = SyntheticInputs.DrawRouting(RoutingDistribution.Uniform, 6, TinyModel.Experts, TinyModel.TopK, 9);
        tensors.Write(hidden, routing.Ids, routing.Weights);
        tensors.PoisonOutput();

        layer.Forward(tensors.Args(0));

        var output = new ushort[6 * TinyModel.Hidden];
        tensors.ReadOutput(output);
        var expected = new ReferenceMoeLayer(TinyWeights.Of()).Forward(hidden, routing.Ids, routing.Weights, 6);
        Assert.True(RelativeError.Frobenius(output, expected) <= RelativeError.Bf16Tolerance);
        Assert.Equal(SelectionSource.CommandLine, layer.Selection.Source);
        Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(tensors.Args(0) with { Tokens = 9 }));
    }

    [Fact]
    public void A_hybrid_plan_runs_each_token_count_on_its_own_backend()
    {
        var small = new TestBackend("Small");
        var large = new TestBackend("Large");
        using var engine = new EngineHarness([small, large]);
        SelectorTests.SaveDecision(engine, new Plan([new PlanStep(2, "Small"), new PlanStep(int.MaxValue, "Large")]), [small, large]);
        using var layer = engine.Get<IMoeLayerFactory>().Create(TinyModel.Shape(), RoutingSpec.SoftmaxRenormalized, TinyWeights.Of(), new MoeLayerRequest { MaxTokens = 8 });
        using var device = engine.OpenCpu();

        foreach (var tokens in new[] { 1, 2, 3, 8 })
        {
            using var tensors = device.AllocateTensors(layer.Shape, tokens);
            var routing = SyntheticInputs.DrawRouting(RoutingDistribution.Uniform, tokens, TinyModel.Experts, TinyModel.TopK, tokens);
            tensors.Write(SyntheticInputs.HiddenStates(tokens, TinyModel.Hidden, tokens), routing.Ids, routing.Weights);
            layer.Forward(tensors.Args(0));
        }

        Assert.True(layer.Selection.Plan.IsHybrid);
        Assert.Equal([1, 2], small.ForwardsByTokens.Keys.Order());
        Assert.Equal([3, 8], large.ForwardsByTokens.Keys.Order());
    }

    [Fact]
    public void Create_from_a_model_spec_labels_the_problem_with_the_model_name()
    {
        var preset = ModelPresets.Find("qwen3-30b-a3b");
        var tiny = new Models.ModelSpec(
            "tiny-test", preset.Family, TinyModel.Shape(), preset.Routing, 0, ["tiny-test"], "test", 2, [0, 1], preset.Fields);
        using var engine = new EngineHarness();

        using var layer = engine.Get<IMoeLayerFactory>().Create(tiny, TinyWeights.Of(), new MoeLayerRequest { MaxTokens = 4 });

        Assert.Equal(preset.Routing, layer.Routing);
        Assert.Contains("tiny-test", engine.Get<TuningStore>().GetProblems().Single().Labels);
    }

    [Fact]
    public void Weights_of_another_shape_are_refused_by_name()
    {
        using var engine = new EngineHarness();

        var error = Assert.Throws<ArgumentException>(() => engine.Get<IMoeLayerFactory>().Create(
            TinyModel.Shape(WeightFormat.Fp8), RoutingSpec.SoftmaxRenormalized, TinyWeights.Of()));

        Assert.Contains("fmt=bf16, not moe1;E=8;k=2;H=64;I=32;act=swiglu;fmt=fp8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_fail_at_start_naming_every_bad_option()
    {
        using var engine = new EngineHarness(configure: o =>
        {
            o.MaxTokens = 0;
            o.TuneBuckets.Add(3);
            o.Backend = " ";
        });

        var error = Assert.Throws<OptionsValidationException>(() => engine.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("MoeTuneOptions.MaxTokens must be at least 1, got 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("MoeTuneOptions.TuneBuckets holds 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("MoeTuneOptions.Backend must name a backend", error.Message, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(() => engine.Get<IOptions<MoeTuneOptions>>().Value);
    }

    [Fact]
    public void Default_options_are_valid_and_tune_latency_on_every_bucket_of_the_device()
    {
        var options = new MoeTuneOptions();

        Assert.True(new MoeTuneOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(TuningObjective.Latency, options.Objective);
        Assert.Equal("auto", options.Backend);
        Assert.True(options.Autotune);
    }
}
