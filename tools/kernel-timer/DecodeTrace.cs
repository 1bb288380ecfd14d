using System.Globalization;
using System.Text.RegularExpressions;
using MoeTune.Cuda.Driver;
using MoeTune.Plugins.Marlin.KernelInterface;
using MoeTune.Plugins.Marlin.Planning;

namespace MoeTune.Tools.KernelTimer;

/// <summary>
/// <c>--trace</c>: a build of the bulk-copy decode kernels with <c>MARLIN_TRACE</c> set to this buffer's device address,
/// in which each CTA writes <c>%globaltimer</c> (ns) at the points of its run that marlin_decode_bulk.cu's
/// <c>TraceEvent</c> names, and one line per event of the last replay: when the CTAs reached it (earliest, median,
/// latest), in µs from the first CTA's start. It shows where a forward's time goes that the weight stream does not
/// explain: start-up, the first bytes, the GEMM1 → GEMM2 hand-over, the tail.
/// </summary>
internal sealed partial class DecodeTrace : IDisposable
{
    /// <summary>The enumerators of TraceEvent, read from the kernel source itself so that the two cannot drift.</summary>
    private static readonly Lazy<string[]> EventNames = new(() =>
    {
        var code = MarlinKernelSources.DecodeBulk.Source.Code;
        var begin = code.IndexOf("enum TraceEvent", StringComparison.Ordinal);
        var end = code.IndexOf("MARLIN_TRACE_EVENTS", begin + 1, StringComparison.Ordinal);
        if (begin < 0 || end < 0)
        {
            throw new InvalidOperationException("marlin_decode_bulk.cu has no enum TraceEvent ending in MARLIN_TRACE_EVENTS");
        }

        return TraceEnumerator().Matches(code[begin..end]).Select(m => m.Groups[1].Value.ToLowerInvariant().Replace('_', ' ')).ToArray();
    });

    private const int MaxCtasPerSm = 8;

    private readonly DeviceBuffer buffer;

    public DecodeTrace(CudaContext context)
    {
        var maxCtas = context.Device.MultiprocessorCount * MaxCtasPerSm;
        buffer = DeviceBuffer.Allocate(context, (long)maxCtas * Events.Count * sizeof(ulong));
        Variant = new KernelVariant("trace", new Dictionary<string, string>
        {
            ["MARLIN_TRACE"] = string.Create(CultureInfo.InvariantCulture, $"0x{buffer.Address:x}ull"),
        }, DecodeOverrides.None);
    }

    public static IReadOnlyList<string> Events => EventNames.Value;

    /// <summary>The build that writes into this trace.</summary>
    public KernelVariant Variant { get; }

    /// <summary>Replays <paramref name="set"/> once into a zeroed buffer and summarises what the CTAs wrote.</summary>
    public IEnumerable<string> Record(CudaStream stream, InputSet set)
    {
        buffer.Fill((byte)0);
        set.Replay.Launch(stream);
        stream.Synchronize();
        return Summarise(buffer.Download<ulong>(), Events.Count);
    }

    /// <summary>Per event: how many CTAs reached it and when (µs after the earliest start: min, median, max).</summary>
    public static IEnumerable<string> Summarise(ulong[] times, int events)
    {
        var ctas = Enumerable.Range(0, times.Length / events).Where(c => times[c * events] != 0).ToArray();
        if (ctas.Length == 0)
        {
            yield return "  trace: no CTA wrote its start (was the traced build launched?)";
            yield break;
        }

        var origin = ctas.Min(c => times[c * events]);
        for (var e = 0; e < events; e++)
        {
            var at = ctas.Select(c => times[(c * events) + e]).Where(t => t != 0).Select(t => (t - origin) / 1000.0).ToArray();
            yield return at.Length == 0
                ? $"  {Events[e],-17} no CTA"
                : string.Create(CultureInfo.InvariantCulture,
                    $"  {Events[e],-17} {at.Length,4} CTAs  min {at.Min(),7:F2}  median {Statistics.Median(at),7:F2}  max {at.Max(),7:F2} µs");
        }
    }

    public void Dispose() => buffer.Dispose();

    [GeneratedRegex(@"\bTRACE_([A-Z0-9_]+)\s*,")]
    private static partial Regex TraceEnumerator();
}
