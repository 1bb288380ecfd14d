namespace MoeTune.Gpu.Tests.Infrastructure;

/// <summary>Values outputs are filled with before a kernel runs, so that anything it fails to write is caught.</summary>
public static class Poison
{
    /// <summary>A bf16 NaN.</summary>
    public const ushort Bf16 = 0xFFFF;

    /// <summary>An f32 quiet NaN.</summary>
    public const uint F32 = 0x7FC00000;

    /// <summary>An int32 no kernel produces (as uint for the 32-bit fill).</summary>
    public const uint I32 = 0x7EADBEEF;
}
