using MoeTune.Abstractions.Backends;
using MoeTune.Engine.Plugins;

namespace MoeTune.Engine.Bench;

/// <summary>
/// Extra prepared copies of one backend's layer, for problems so small that the weights a rotation touches would sit in
/// L2 and flatter every forward after the first (issue 7). The timed layer then cycles through the copies, so each
/// rotation set reads its own copy's weights: the weights in play are multiplied by the copy count until they cover
/// <see cref="CacheCover"/> times L2. Copies rather than an L2 flush, because a flush between forwards would be timed
/// with them (inside a CUDA graph it cannot be left out). Owns every copy, the first one included.
/// </summary>
internal sealed class WeightCopies(IPreparedMoeLayer first, Func<IPreparedMoeLayer> prepare) : IDisposable
{
    /// <summary>The most copies: beyond it a problem is too small for any copy count to matter.</summary>
    public const int MaxCopies = 8;

    /// <summary>How many times L2 the weights in play should cover, as the input rotation does for activations.</summary>
    public const int CacheCover = 4;

    private readonly List<IPreparedMoeLayer> _layers = [first];

    /// <summary>Why the last extra copy could not be prepared, where one failed.</summary>
    public string? Shortfall { get; private set; }

    /// <summary>
    /// Copies needed so that <paramref name="rotationWeightBytes"/> (the weights one rotation touches) times the count
    /// covers <see cref="CacheCover"/> × L2; never more than the rotation's sets (each set is bound to one copy), never
    /// more than <see cref="MaxCopies"/>, and 1 where L2 is unknown (the CPU).
    /// </summary>
    public static int Needed(double rotationWeightBytes, long l2Bytes, int rotationSets)
    {
        if (l2Bytes <= 0 || rotationWeightBytes >= CacheCover * (double)l2Bytes)
        {
            return 1;
        }

        var wanted = (int)Math.Ceiling(CacheCover * (double)l2Bytes / Math.Max(1, rotationWeightBytes));
        return Math.Clamp(wanted, 1, Math.Min(MaxCopies, rotationSets));
    }

    /// <summary>
    /// A layer that cycles through <paramref name="count"/> copies, preparing what is missing, and how many it really
    /// cycles through (fewer where a copy could not be prepared: see <see cref="Shortfall"/>).
    /// </summary>
    public (IPreparedMoeLayer Layer, int Copies) Cycling(int count)
    {
        while (_layers.Count < count && Shortfall is null)
        {
            try
            {
                _layers.Add(prepare());
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Shortfall = $"weight copy {_layers.Count + 1} could not be prepared: {PluginCatalog.Describe(ex)}";
            }
        }

        var used = Math.Min(count, _layers.Count);
        return (used == 1 ? _layers[0] : new CyclingLayer(_layers.GetRange(0, used)), used);
    }

    public void Dispose()
    {
        foreach (var layer in _layers)
        {
            layer.Dispose();
        }

        _layers.Clear();
    }

    /// <summary>Each forward goes to the next copy; the copies are owned by <see cref="WeightCopies"/>, not by this view.</summary>
    private sealed class CyclingLayer(List<IPreparedMoeLayer> copies) : IPreparedMoeLayer
    {
        private int _next;

        public long WeightBytes => copies.Sum(c => c.WeightBytes);

        public long WorkspaceBytes => copies.Sum(c => c.WorkspaceBytes);

        public int MaxTokens => copies.Min(c => c.MaxTokens);

        public void Forward(in MoeForwardArgs args)
        {
            copies[_next].Forward(args);
            _next = (_next + 1) % copies.Count;
        }

        public void Dispose()
        {
        }
    }
}
