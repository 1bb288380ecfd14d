using MoeTune.Plugins.Tests.FlashInferCutlass.Models;
using MoeTune.Reference.Formats;

namespace MoeTune.Plugins.Tests.FlashInferCutlass;

/// <summary>The NVFP4 → bf16 arithmetic of <c>kernels/fic_fp4.cuh</c>, through its C# mirror, over every code and scale.</summary>
public sealed class Fp4ConversionTests
{
    [Fact]
    public void Every_code_times_every_finite_scale_is_exact_after_the_two_to_the_minus_8()
    {
        for (uint scale = 0; scale < 256; scale++)
        {
            if ((scale & 0x7F) == 0x7F) continue; // NaN scales are refused at Prepare
            var pair = Fp4ConversionModel.ScalePair(scale);
            for (uint even = 0; even < 16; even++)
            {
                for (uint odd = 0; odd < 16; odd++)
                {
                    // Device word with element 0 in nibble 0 and element 1 in nibble 4 (pair q = 0).
                    var product = Fp4ConversionModel.Bf16x2Mul(Fp4ConversionModel.PairBits(even | (odd << 16), 0), pair);
                    Assert.Equal(Expected(even, scale), Bf16.ToFloat((ushort)product));
                    Assert.Equal(Expected(odd, scale), Bf16.ToFloat((ushort)(product >> 16)));
                }
            }
        }
    }

    [Fact]
    public void Each_pair_position_of_a_word_reads_its_own_nibbles()
    {
        var pair = Fp4ConversionModel.ScalePair(0x38); // e4m3 1.0
        for (var q = 0; q < 4; q++)
        {
            for (uint even = 0; even < 16; even++)
            {
                var word = (even << (4 * q)) | ((15u - even) << ((4 * q) + 16)) | NoiseOutside(q);
                var product = Fp4ConversionModel.Bf16x2Mul(Fp4ConversionModel.PairBits(word, q), pair);
                Assert.Equal(E2M1.Decode((byte)even) / 256f, Bf16.ToFloat((ushort)product));
                Assert.Equal(E2M1.Decode((byte)(15 - even)) / 256f, Bf16.ToFloat((ushort)(product >> 16)));
            }
        }
    }

    [Fact]
    public void Code_one_relies_on_a_bf16_subnormal()
    {
        // E2M1 0.5 becomes the bf16 subnormal 2^-127 before the scale multiply: the device multiply must keep it.
        Assert.Equal(0x0040u, Fp4ConversionModel.PairBits(1, 0) & 0xFFFF);
        Assert.Equal(MathF.Pow(2, -127), Bf16.ToFloat(0x0040));
    }

    private static float Expected(uint code, uint scale) => E2M1.Decode((byte)code) * E4M3.Decode((byte)scale) / 256f;

    // Every nibble except the two that pair q reads, set to 0xF.
    private static uint NoiseOutside(int q) => 0xFFFFFFFFu & ~((0xFu << (4 * q)) | (0xFu << ((4 * q) + 16)));
}
