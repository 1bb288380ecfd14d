namespace MoeTune.Plugins.FlashInferCutlass.Layout;

/// <summary>How a layer's weights are stored on the device, which decides the grouped GEMM's tile shapes.</summary>
public enum WeightLayout
{
    /// <summary>256-row weight tiles (bf16, or NVFP4 converted to bf16 tiles in shared memory), tokens as wgmma's A, m-tiles of 2 blocks.</summary>
    Tiles,

    /// <summary>NVFP4 or bf16: 128-row tiles in register-fragment order (wgmma's A), tokens as B, m-tiles of up to 4 blocks.</summary>
    Fragments,
}
