using MoeTune.Abstractions.Problems;

namespace MoeTune.Plugins.Tests.Marlin;

/// <summary>
/// What the GPU does with Marlin's bytes, written down independently of the plugin: the PTX ISA's mma.m16n8k16 bf16
/// fragment layouts (section "Matrix Fragments for mma.m16n8k16 with floating point type"), and the bit operations of
/// kernels/marlin_device.cuh. Tests compare the plugin's layout against this model.
/// </summary>
internal static class DeviceModel
{
    /// <summary>PTX: A element a_i (i = 0..7) of a lane is at row groupID (+8 for i in 2,3,6,7), column 2t + (i &amp; 1) (+8 for i ≥ 4).</summary>
    public static (int Row, int Column) AElement(int lane, int i)
    {
        var (g, t) = (lane >> 2, lane & 3);
        var row = i is 0 or 1 or 4 or 5 ? g : g + 8;
        var column = (2 * t) + (i & 1) + (i >= 4 ? 8 : 0);
        return (row, column);
    }

    /// <summary>PTX: B element b_i (i = 0..3) of a lane is at k row 2t + (i &amp; 1) (+8 for i ≥ 2), column groupID.</summary>
    public static (int K, int Column) BElement(int lane, int i)
    {
        var (g, t) = (lane >> 2, lane & 3);
        return ((2 * t) + (i & 1) + (i >= 2 ? 8 : 0), g);
    }

    /// <summary>
    /// The decode kernel's B operand: lane t's 32 bytes of a column are activations [16t, 16t + 16) of the chunk; in
    /// k-step j register 0 is the word at element 16t + 4j, register 1 the word at 16t + 4j + 2. Returns the chunk
    /// element that B element b_i of lane <paramref name="lane"/> holds in k-step <paramref name="kStep"/>.
    /// </summary>
    public static int BPhysicalK(int lane, int kStep, int i)
    {
        var t = lane & 3;
        var register = i >> 1;
        return (16 * t) + (4 * kStep) + (2 * register) + (i & 1);
    }

    /// <summary>
    /// decode_a_fragment's bit work for A register r from word q, before the scale: registers 0 and 1 through one mask
    /// after a shift of 0 and 3, registers 2 and 3 as magnitude and sign from two shifts each; E2M1 bits placed as
    /// bf16 · 2^126.
    /// </summary>
    public static uint Fp4PairToBf16x2(uint q, int r) => r switch
    {
        0 => q & 0x81C081C0u,
        1 => (q << 3) & 0x81C081C0u,
        2 => ((q << 6) & 0x01C001C0u) | ((q << 1) & 0x80008000u),
        3 => ((q >> 3) & 0x01C001C0u) | ((q << 2) & 0x80008000u),
        _ => throw new ArgumentOutOfRangeException(nameof(r), r, "A registers are 0..3"),
    };

    /// <summary>scale_byte_to_bf16 for one byte: the bf16 bits of a transcoded scale byte.</summary>
    public static ushort ScaleByteToBf16(byte scale, WeightFormat format) => format == WeightFormat.Nvfp4
        ? (ushort)((scale << 4) | 0x7000)
        : (ushort)(scale << 7);

    /// <summary>
    /// decode_scales: a lane's 16-bit scale pair (row g low, row g + 8 high) through prmt (byte into both halves) and one
    /// multiply-add (16 and 0x70007000 for NVFP4, 128 and 0 for MXFP4); returns the bf16x2 scales of both rows.
    /// </summary>
    public static (uint RowLow, uint RowHigh) DecodeScales(ushort pair, WeightFormat format)
    {
        var (multiplier, addend) = format == WeightFormat.Nvfp4 ? (16u, 0x70007000u) : (128u, 0u);
        uint Broadcast(uint b) => b | (b << 16);
        return (unchecked((Broadcast(pair & 0xFFu) * multiplier) + addend), unchecked((Broadcast((uint)pair >> 8) * multiplier) + addend));
    }

    /// <summary>fast_divisor and quotient of marlin_device.cuh: n / d as a multiply-high, an add and a shift.</summary>
    public static uint FastQuotient(uint n, uint divisor)
    {
        var shift = 0;
        while ((1UL << shift) < divisor)
        {
            shift++;
        }

        var magic = (uint)((((1UL << 32) * ((1UL << shift) - divisor)) / divisor) + 1);
        var high = (uint)(((ulong)n * magic) >> 32);
        return unchecked(high + n) >> shift;
    }

    /// <summary>The exact value of bf16 bits (subnormals included).</summary>
    public static double Bf16Value(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>
    /// fma.rn.bf16x2(a, b, −0) on one half: the product, which the kernel relies on being exact. Returns null where the
    /// product is not a bf16 (the hardware would round it).
    /// </summary>
    public static double? ExactBf16Product(ushort a, ushort b)
    {
        var product = Bf16Value(a) * Bf16Value(b);
        var single = (float)product;
        var bits = BitConverter.SingleToUInt32Bits(single);
        return single == product && (bits & 0xFFFF) == 0 ? product : null;
    }
}
