namespace MoeTune.Reference.Layer;

/// <summary>
/// The (token, slot) pairs of a routing grouped by expert. A pair is named by its flat index p = token·k + slot;
/// each expert's pairs are in ascending order, so every traversal is deterministic.
/// </summary>
internal sealed class ExpertAssignment
{
    private readonly int[] _offsets;
    private readonly int[] _pairs;
    private readonly int[] _tokens;

    public ExpertAssignment(ReadOnlySpan<int> ids, int experts, int topK)
    {
        _offsets = new int[experts + 1];
        foreach (var e in ids)
        {
            _offsets[e + 1]++;
        }

        for (var e = 0; e < experts; e++)
        {
            _offsets[e + 1] += _offsets[e];
        }

        // A counting sort: walking the pairs in order keeps each expert's list ascending.
        _pairs = new int[ids.Length];
        var next = _offsets[..experts];
        for (var p = 0; p < ids.Length; p++)
        {
            _pairs[next[ids[p]]++] = p;
        }

        _tokens = _pairs.Select(p => p / topK).ToArray();
        ActiveExperts = Enumerable.Range(0, experts).Where(e => _offsets[e + 1] > _offsets[e]).ToArray();
    }

    /// <summary>Experts with at least one pair, ascending.</summary>
    public int[] ActiveExperts { get; }

    /// <summary>The pairs routed to <paramref name="expert"/>, ascending.</summary>
    public ReadOnlySpan<int> PairsOf(int expert) => _pairs.AsSpan(_offsets[expert], _offsets[expert + 1] - _offsets[expert]);

    /// <summary>The token of each of <see cref="PairsOf"/>'s pairs.</summary>
    public ReadOnlySpan<int> TokensOf(int expert) => _tokens.AsSpan(_offsets[expert], _offsets[expert + 1] - _offsets[expert]);
}
