namespace MoeTune.Gpu.Tests.Infrastructure;

/// <summary>
/// The tokens a layer output is compared with the CPU reference on: all of them up to <see cref="MaxTokens"/>, else
/// that many drawn at random. A MoE layer treats tokens independently, so a wrong token is as likely to be drawn as
/// any other, while the float64 reference stays cheap at any T; every output element is still checked finite.
/// </summary>
public sealed class TokenSample
{
    public const int MaxTokens = 32;

    private readonly int[] tokens;
    private readonly int total;

    private TokenSample(int[] tokens, int total)
    {
        this.tokens = tokens;
        this.total = total;
    }

    public int Count => tokens.Length;

    /// <summary>"all 16 tokens" or "a sample of 32 of 4096 tokens".</summary>
    public string Scope => Count == total ? $"all {total} tokens" : $"a sample of {Count} of {total} tokens";

    public static TokenSample Draw(int tokens, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var all = Enumerable.Range(0, tokens).ToArray();
        if (tokens <= MaxTokens)
        {
            return new TokenSample(all, tokens);
        }

        random.Shuffle(all);
        return new TokenSample([.. all[..MaxTokens].Order()], tokens);
    }

    /// <summary>The sampled rows of a row-major [T, <paramref name="width"/>] array, in token order.</summary>
    public T[] Rows<T>(T[] values, int width)
    {
        ArgumentNullException.ThrowIfNull(values);
        var rows = new T[tokens.Length * width];
        for (var i = 0; i < tokens.Length; i++)
        {
            values.AsSpan(tokens[i] * width, width).CopyTo(rows.AsSpan(i * width, width));
        }

        return rows;
    }
}
