namespace MoeTune.Reference.Routing;

/// <summary>
/// The router's choice for <see cref="Tokens"/> tokens: <see cref="Ids"/> and <see cref="Weights"/> are [Tokens, TopK]
/// row-major; slot j of token t is at index t·TopK + j. (Arrays compare by reference in the record's equality.)
/// </summary>
public sealed record RoutingResult(int Tokens, int TopK, int[] Ids, float[] Weights)
{
    public int Tokens { get; init; } = Tokens > 0 ? Tokens : throw new ArgumentOutOfRangeException(nameof(Tokens), Tokens, "needs at least one token");

    public int TopK { get; init; } = TopK > 0 ? TopK : throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "needs at least one expert per token");

    public int[] Ids { get; init; } = RequireLength(Ids, Tokens, TopK, nameof(Ids));

    public float[] Weights { get; init; } = RequireLength(Weights, Tokens, TopK, nameof(Weights));

    private static T[] RequireLength<T>(T[] array, int tokens, int topK, string name)
    {
        ArgumentNullException.ThrowIfNull(array, name);
        if (array.LongLength != (long)tokens * topK)
        {
            throw new ArgumentException($"expected {(long)tokens * topK} entries ([{tokens}, {topK}]), got {array.LongLength}", name);
        }

        return array;
    }
}
