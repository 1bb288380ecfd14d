namespace MoeTune.Plugins.FlashInferCutlass.Runtime;

/// <summary>The launches of one forward pass, in order.</summary>
public enum ForwardStage
{
    Route,
    Gather,
    FirstGemm,
    SecondGemm,
    Combine,
}
