using MoeTune.Plugins.FlashInferCutlass.Layout;
using MoeTune.Plugins.Tests.FlashInferCutlass.Models;
using MoeTune.Reference.Formats;

namespace MoeTune.Plugins.Tests.FlashInferCutlass;

/// <summary>The NVFP4 → bf16 arithmetic of <c>kernels/fic_fp4.cuh</c>, through its C# mirror, over every code and scale.</summary>
public sealed class Fp4ConversionTests
{
    [Fact]
    public void Both_scale_pairs_are_every_finite_e4m3_code_times_two_to_the_118()
    {
        for (uint low = 0; low < 256; low++)
        {
            for (uint high = 0; high < 256; high++)
            {
                if ((low & 0x7F) == 0x7F || (high & 0x7F) == 0x7F) continue; // NaN scales are refused at Prepare
                var (lowPair, highPair) = Fp4ConversionModel.ScalePairs(low | (high << 8));
                AssertPair(lowPair, E4M3.Decode((byte)low) * MathF.Pow(2, 118), $"scale 0x{low:X2} (low byte)");
                AssertPair(highPair, E4M3.Decode((byte)high) * MathF.Pow(2, 118), $"scale 0x{high:X2} (high byte)");
            }
        }
    }

    [Fact]
    public void Every_code_pair_in_every_position_times_every_finite_scale_is_exact_after_the_two_to_the_minus_8()
    {
        var noise = new Random(5);
        for (uint scale = 0; scale < 256; scale++)
        {
            if ((scale & 0x7F) == 0x7F) continue;
            var (pair, _) = Fp4ConversionModel.ScalePairs(scale);
            for (var position = 0; position < 4; position++)
            {
                for (uint codes = 0; codes < 256; codes++)
                {
                    // Checkpoint byte `position` holds elements (2p, 2p + 1); the other bytes are random codes.
                    var checkpoint = ((uint)noise.Next() & ~(0xFFu << (8 * position))) | (codes << (8 * position));
                    var chunk = Fp4ConversionModel.WordToBf16(Nvfp4WeightTiler.DeviceWord(checkpoint), pair);
                    for (var element = 0; element < 8; element++)
                    {
                        var code = (checkpoint >> (4 * element)) & 0xF;
                        var converted = Bf16.ToFloat((ushort)(chunk[element / 2] >> (16 * (element % 2))));
                        Assert.True(Expected(code, scale) == converted,
                            $"scale 0x{scale:X2}, word 0x{checkpoint:X8}, element {element} (code {code}): expected {Expected(code, scale)}, converted {converted}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Fragment_scales_are_every_finite_e4m3_code_times_two_to_the_118_as_bf16()
    {
        for (var code = 0; code < 256; code++)
        {
            if ((code & 0x7F) == 0x7F) continue;
            var bits = Nvfp4FragmentTiler.ScaleBits((byte)code);
            Assert.True(E4M3.Decode((byte)code) * MathF.Pow(2, 118) == Bf16.ToFloat(bits), $"scale 0x{code:X2}: 0x{bits:X4} is {Bf16.ToFloat(bits)}");
        }
    }

    [Fact]
    public void Every_code_pair_of_a_fragment_word_times_its_row_scale_is_exact_after_the_two_to_the_minus_8()
    {
        // a0 and a2 belong to the first row (low half of the scale word), a1 and a3 to the second.
        var noise = new Random(9);
        for (uint scale = 0; scale < 256; scale += 3)
        {
            if ((scale & 0x7F) == 0x7F) continue;
            var other = (uint)noise.Next(0, 0x7E);
            var scales = Nvfp4FragmentTiler.ScaleBits((byte)scale) | ((uint)Nvfp4FragmentTiler.ScaleBits((byte)other) << 16);
            for (var position = 0; position < 4; position++)
            {
                var rowScale = position % 2 == 0 ? scale : other;
                for (uint codes = 0; codes < 256; codes++)
                {
                    var checkpoint = ((uint)noise.Next() & ~(0xFFu << (8 * position))) | (codes << (8 * position));
                    var registers = Fp4ConversionModel.FragmentToBf16(Nvfp4WeightTiler.DeviceWord(checkpoint), scales);
                    for (var half = 0; half < 2; half++)
                    {
                        var code = (checkpoint >> ((8 * position) + (4 * half))) & 0xF;
                        var converted = Bf16.ToFloat((ushort)(registers[position] >> (16 * half)));
                        Assert.True(Expected(code, rowScale) == converted,
                            $"scales 0x{scale:X2}/0x{other:X2}, word 0x{checkpoint:X8}, a{position}.{half} (code {code}): expected {Expected(code, rowScale)}, converted {converted}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Code_one_and_subnormal_scales_rely_on_bf16_subnormals()
    {
        // E2M1 0.5 becomes the bf16 subnormal 2^-127 before the scale multiply (pair 2 is converted in place), and an
        // E4M3 subnormal scale becomes a bf16 subnormal before its multiplies by 2^127: the device multiply must keep both.
        Assert.Equal(0x0040u, Nvfp4WeightTiler.DeviceWord(0x00010000u) & 0x81C0u);
        Assert.Equal(MathF.Pow(2, -127), Bf16.ToFloat(0x0040));
        var (pair, _) = Fp4ConversionModel.ScalePairs(0x01);
        Assert.Equal(MathF.Pow(2, -9) * MathF.Pow(2, 118), Bf16.ToFloat((ushort)pair));
    }

    private static void AssertPair(uint pair, float expected, string what)
    {
        Assert.True(Bf16.ToFloat((ushort)pair) == expected, $"{what}: low half {Bf16.ToFloat((ushort)pair)}, expected {expected}");
        Assert.True(Bf16.ToFloat((ushort)(pair >> 16)) == expected, $"{what}: high half {Bf16.ToFloat((ushort)(pair >> 16))}, expected {expected}");
    }

    private static float Expected(uint code, uint scale) => E2M1.Decode((byte)code) * E4M3.Decode((byte)scale) / 256f;
}
