namespace MoeTune.Reference.Routing;

/// <summary>The deterministic top-k rule: descending score, equal scores broken by the lower index.</summary>
internal static class TopKSelection
{
    /// <summary>
    /// Writes the indices of the <paramref name="chosen"/>.Length largest scores, best first, among the indices that
    /// <paramref name="eligible"/> marks (all of them where it is empty). O(n·k): k is small.
    /// </summary>
    public static void Select(ReadOnlySpan<double> scores, ReadOnlySpan<bool> eligible, Span<int> chosen)
    {
        Span<bool> taken = scores.Length <= 1024 ? stackalloc bool[scores.Length] : new bool[scores.Length];
        for (var slot = 0; slot < chosen.Length; slot++)
        {
            var best = -1;
            for (var i = 0; i < scores.Length; i++)
            {
                // Strictly greater: of equal scores the first (lowest) index wins.
                if (!taken[i] && (eligible.IsEmpty || eligible[i]) && (best < 0 || scores[i] > scores[best]))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                throw new InvalidOperationException($"only {slot} eligible candidates for top-{chosen.Length}");
            }

            taken[best] = true;
            chosen[slot] = best;
        }
    }
}
