namespace MoeTune.Reference.Formats;

/// <summary>
/// Decoding of block-scaled E2M1 rows (NVFP4, MXFP4): two codes per byte, the even element in the low nibble, one
/// decoded scale per block of consecutive elements along K.
/// </summary>
internal static class Fp4Blocks
{
    /// <summary>
    /// Writes code × block scale for every element of a row; exact in float, since an E2M1 value has two significant
    /// bits and every E4M3 or E8M0 scale at most four.
    /// </summary>
    public static void DecodeRow(ReadOnlySpan<byte> packed, ReadOnlySpan<float> blockScales, int blockSize, Span<float> destination)
    {
        var values = E2M1.CodeValues;
        var bytesPerBlock = blockSize / 2;
        for (var b = 0; b < blockScales.Length; b++)
        {
            var scale = blockScales[b];
            var bytes = packed.Slice(b * bytesPerBlock, bytesPerBlock);
            var target = destination.Slice(b * blockSize, blockSize);
            for (var j = 0; j < bytes.Length; j++)
            {
                target[2 * j] = values[bytes[j] & 0x0F] * scale;
                target[(2 * j) + 1] = values[bytes[j] >> 4] * scale;
            }
        }
    }
}
