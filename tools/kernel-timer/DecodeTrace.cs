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
/// latest), in µs from the first CTA's start; with <c>MARLIN_TRACE_DONE</c>, a second buffer, the signals that complete an
/// expert's GEMM1 or a row tile pair's GEMM2 write the moment too (one line each: how many, earliest, median, latest). It
/// shows where a forward's time goes that the weight stream does not explain: start-up, the first bytes, the GEMM1 →
/// GEMM2 hand-over, the tail.
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

    /// <summary>Row tile pairs the completion buffer holds (hidden sizes up to 131072), after one slot per expert.</summary>
    private const int MaxRowTilePairs = 4096;

    private readonly DeviceBuffer buffer;
    private readonly DeviceBuffer completions;

    public DecodeTrace(CudaContext context)
    {
        var maxCtas = context.Device.MultiprocessorCount * MaxCtasPerSm;
        buffer = DeviceBuffer.Allocate(context, (long)maxCtas * Events.Count * sizeof(ulong));
        completions = DeviceBuffer.Allocate(context, (long)(KernelLimits.DecodeMaxExperts + MaxRowTilePairs) * sizeof(ulong));
        Variant = new KernelVariant("trace", new Dictionary<string, string>
        {
            ["MARLIN_TRACE"] = string.Create(CultureInfo.InvariantCulture, $"0x{buffer.Address:x}ull"),
            ["MARLIN_TRACE_DONE"] = string.Create(CultureInfo.InvariantCulture, $"0x{completions.Address:x}ull"),
        }, DecodeOverrides.None);
    }

    public static IReadOnlyList<string> Events => EventNames.Value;

    /// <summary>The build that writes into this trace.</summary>
    public KernelVariant Variant { get; }

    /// <summary>Replays <paramref name="set"/> once into zeroed buffers and summarises what the CTAs wrote.</summary>
    public IEnumerable<string> Record(CudaStream stream, InputSet set)
    {
        buffer.Fill((byte)0);
        completions.Fill((byte)0);
        set.Replay.Launch(stream);
        stream.Synchronize();
        return Summarise(buffer.Download<ulong>(), Events.Count, completions.Download<ulong>());
    }

    /// <summary>
    /// Per event: how many CTAs reached it and when (µs after the earliest start: min, median, max); then when the
    /// experts' GEMM1 and the row tile pairs' GEMM2 completed (the moments the kernel's completing signals wrote into
    /// <paramref name="completed"/>: one slot per expert, then one per pair).
    /// </summary>
    public static IEnumerable<string> Summarise(ulong[] times, int events, ulong[] completed)
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
            yield return Moments(Events[e], "CTAs", ctas.Select(c => times[(c * events) + e]), origin, "no CTA");
        }

        yield return Moments("gemm1 complete", "experts", completed.Take(KernelLimits.DecodeMaxExperts), origin, "none recorded");
        yield return Moments("gemm2 complete", "pairs", completed.Skip(KernelLimits.DecodeMaxExperts), origin, "none recorded");
    }

    /// <summary>One summary line: how many of <paramref name="stamps"/> were written (non-zero) and when, in µs after <paramref name="origin"/>.</summary>
    private static string Moments(string what, string unit, IEnumerable<ulong> stamps, ulong origin, string none)
    {
        var at = stamps.Where(t => t != 0).Select(t => ((long)t - (long)origin) / 1000.0).ToArray();
        return at.Length == 0
            ? $"  {what,-17} {none}"
            : string.Create(CultureInfo.InvariantCulture,
                $"  {what,-17} {at.Length,4} {unit}  min {at.Min(),7:F2}  median {Statistics.Median(at),7:F2}  max {at.Max(),7:F2} µs");
    }

    public void Dispose()
    {
        completions.Dispose();
        buffer.Dispose();
    }

    [GeneratedRegex(@"\bTRACE_([A-Z0-9_]+)\s*,")]
    private static partial Regex TraceEnumerator();
}
