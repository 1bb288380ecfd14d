using CsCheck;

namespace MoeTune.Reference.Tests.Support;

/// <summary>A row-major random matrix for property tests.</summary>
public sealed record RandomMatrix(int Rows, int Cols, float[] Values)
{
    public override string ToString() => $"[{Rows}, {Cols}] first values {string.Join(", ", Values.Take(4))}";
}

/// <summary>
/// Random matrices shaped like quantiser inputs: normal values whose scale varies by row over many powers of two,
/// with some all-zero blocks and occasional outliers, so that block scales span their range.
/// </summary>
public static class RandomMatrices
{
    public static Gen<RandomMatrix> WithBlocks(int blockSize) =>
        Gen.Select(Gen.Int[1, 5], Gen.Int[1, 4], Gen.Int, (rows, blocksPerRow, seed) => Build(rows, blocksPerRow * Math.Max(blockSize, 2), blockSize, seed));

    private static RandomMatrix Build(int rows, int cols, int blockSize, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * cols];
        for (var r = 0; r < rows; r++)
        {
            var rowScale = MathF.ScaleB(1f, random.Next(-24, 24));
            for (var c = 0; c < cols; c++)
            {
                values[(r * cols) + c] = (float)(Normal(random) * rowScale * (random.Next(40) == 0 ? 50 : 1));
            }
        }

        for (var start = 0; start < values.Length; start += Math.Max(blockSize, 2))
        {
            if (random.Next(8) == 0)
            {
                values.AsSpan(start, Math.Max(blockSize, 2)).Clear();
            }
        }

        return new RandomMatrix(rows, cols, values);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
