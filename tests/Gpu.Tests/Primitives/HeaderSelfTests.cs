using MoeTune.Cuda.Driver;
using MoeTune.Gpu.Tests.Infrastructure;
using MoeTune.Reference.Formats;

namespace MoeTune.Gpu.Tests.Primitives;

/// <summary>The shared device headers (number formats, cp.async, ldmatrix, mma.sync) on the GPU, against the CPU reference.</summary>
public sealed class HeaderSelfTests(GpuFixture gpu)
{
    [Fact]
    public void Number_format_helpers_agree_with_the_reference()
    {
        var context = gpu.Require();
        var random = TestInputs.NewRandom("format helpers");
        // Magnitudes from 2^-12 to 2^10 (E4M3 subnormals, normals and saturation), both signs, plus edge values.
        var inputs = Enumerable.Range(0, 4096)
            .Select(_ => (float)((random.Next(2) == 0 ? -1 : 1) * Math.Pow(2, (random.NextDouble() * 22) - 12)))
            .Concat([0f, 448f, -448f, 464f, 480f, 1e6f, 0.0009765625f, 0.001953125f, 0.0029296875f, 1.0625f, 3.3e38f, 1.00390625f])
            .ToArray();

        using var stream = CudaStream.Create(context);
        using var input = DeviceBuffer.FromHost<float>(context, inputs);
        using var toBf16 = DeviceBuffer.Allocate<ushort>(context, inputs.Length);
        using var toE4M3 = DeviceBuffer.Allocate<byte>(context, inputs.Length);
        using var e4m3 = DeviceBuffer.Allocate<float>(context, 256);
        using var e8m0 = DeviceBuffer.Allocate<float>(context, 256);
        using var e2m1Pairs = DeviceBuffer.Allocate<uint>(context, 256);
        using var e2m1 = DeviceBuffer.Allocate<float>(context, 16);
        toBf16.FillAsync(Poison.Bf16, stream);
        toE4M3.FillAsync((byte)0xAA, stream);
        foreach (var output in new[] { e4m3, e8m0, e2m1Pairs, e2m1 })
        {
            output.FillAsync(Poison.F32, stream);
        }

        var arguments = new KernelArguments().Add(input.Address).Add(inputs.Length).Add(toBf16.Address).Add(toE4M3.Address)
            .Add(e4m3.Address).Add(e8m0.Address).Add(e2m1Pairs.Address).Add(e2m1.Address);
        gpu.SelfTest.GetFunction("moetune_selftest_formats").Launch(new LaunchConfig((inputs.Length + 255) / 256, 256), stream, arguments);
        stream.Synchronize();

        var bf16 = toBf16.Download<ushort>();
        var fp8 = toE4M3.Download<byte>();
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.True(Bf16.FromFloat(inputs[i]) == bf16[i], $"float_to_bf16({inputs[i]:R}) = 0x{bf16[i]:X4}, reference 0x{Bf16.FromFloat(inputs[i]):X4}");
            Assert.True(E4M3.Encode(inputs[i]) == fp8[i], $"float_to_e4m3({inputs[i]:R}) = 0x{fp8[i]:X2}, reference 0x{E4M3.Encode(inputs[i]):X2}");
        }

        var e4m3Values = e4m3.Download<float>();
        var e8m0Values = e8m0.Download<float>();
        var pairs = e2m1Pairs.Download<uint>();
        for (var code = 0; code < 256; code++)
        {
            AssertSameValue(E4M3.Decode((byte)code), e4m3Values[code], $"e4m3_to_float(0x{code:X2})");
            AssertSameValue(E8M0.Decode((byte)code), e8m0Values[code], $"e8m0_to_float(0x{code:X2})");
            var expectedPair = Bf16.FromFloat(E2M1.Decode(E2M1.LowCode((byte)code))) | ((uint)Bf16.FromFloat(E2M1.Decode(E2M1.HighCode((byte)code))) << 16);
            Assert.True(expectedPair == pairs[code], $"e2m1x2_to_bf16x2(0x{code:X2}) = 0x{pairs[code]:X8}, reference 0x{expectedPair:X8}");
        }

        var e2m1Values = e2m1.Download<float>();
        for (var code = 0; code < 16; code++)
        {
            AssertSameValue(E2M1.Decode((byte)code), e2m1Values[code], $"e2m1_to_float({code})");
        }
    }

    [Fact]
    public void One_warp_mma_from_cp_async_and_ldmatrix_computes_the_product()
    {
        var context = gpu.Require();
        var random = TestInputs.NewRandom("mma self-test");
        var a = TestInputs.NormalBf16(random, 16 * 16);
        var bt = TestInputs.NormalBf16(random, 8 * 16);

        using var stream = CudaStream.Create(context);
        using var deviceA = DeviceBuffer.FromHost<ushort>(context, a);
        using var deviceBt = DeviceBuffer.FromHost<ushort>(context, bt);
        using var d = DeviceBuffer.Allocate<float>(context, 16 * 8);
        using var zeros = DeviceBuffer.Allocate<ushort>(context, 8);
        d.FillAsync(Poison.F32, stream);
        zeros.FillAsync(Poison.Bf16, stream);
        var arguments = new KernelArguments().Add(deviceA.Address).Add(deviceBt.Address).Add(d.Address).Add(zeros.Address);
        gpu.SelfTest.GetFunction("moetune_selftest_mma").Launch(new LaunchConfig(1, 32), stream, arguments);
        stream.Synchronize();

        var result = d.Download<float>();
        for (var m = 0; m < 16; m++)
        {
            for (var n = 0; n < 8; n++)
            {
                double sum = 0, magnitude = 0;
                for (var k = 0; k < 16; k++)
                {
                    var product = (double)Bf16.ToFloat(a[(m * 16) + k]) * Bf16.ToFloat(bt[(n * 16) + k]);
                    sum += product;
                    magnitude += Math.Abs(product);
                }

                Assert.True(Math.Abs(result[(m * 8) + n] - sum) <= (1e-5 * magnitude) + 1e-6, $"D[{m},{n}] = {result[(m * 8) + n]:R}, expected {sum:R}");
            }
        }

        Assert.All(zeros.Download<ushort>(), z => Assert.Equal(0, z));
    }

    private static void AssertSameValue(float expected, float actual, string what) =>
        Assert.True(
            (float.IsNaN(expected) && float.IsNaN(actual)) || BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(actual),
            $"{what} = {actual:R}, reference {expected:R}");
}
