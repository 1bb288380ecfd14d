using System.Globalization;
using MoeTune.Abstractions.Devices;
using MoeTune.Reference.Synthetic;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Autotuning.Probing;

/// <summary>
/// What a probe child measures: one candidate, by name, loaded from the same plugin folders as the tuner's, on the
/// same device, with the tuner's weights (from a file), buckets, measurement policy, routing and seed. The tuner
/// writes it as JSON to a file whose path is the last argument of <c>moetune probe</c>.
/// </summary>
public sealed record ProbeRequest
{
    /// <summary>The candidate's backend name.</summary>
    public required string Backend { get; init; }

    /// <summary>The folder whose <c>plugins/</c> the child loads (MOETUNE_PLUGINS comes through its environment).</summary>
    public required string ApplicationDirectory { get; init; }

    public required ProbeDevice Device { get; init; }

    /// <summary>The weights, as <see cref="WeightsFile"/> wrote them.</summary>
    public required string WeightsFile { get; init; }

    public required IReadOnlyList<int> Buckets { get; init; }

    public required MeasurementPolicy Policy { get; init; }

    public required RoutingDistributionKind Routing { get; init; }

    /// <summary>The Zipf exponent where <see cref="Routing"/> is Zipf; 0 otherwise.</summary>
    public required double ZipfExponent { get; init; }

    public required int Seed { get; init; }

    /// <summary>The request for measuring <paramref name="backend"/> as <paramref name="tune"/> asks.</summary>
    internal static ProbeRequest For(string backend, TuneRequest tune, string applicationDirectory, string weightsFile) => new()
    {
        Backend = backend,
        ApplicationDirectory = applicationDirectory,
        Device = new ProbeDevice(tune.Device.Info.Kind, tune.Device.Info.Ordinal, tune.Device.Info.ClassKey),
        WeightsFile = weightsFile,
        Buckets = tune.Buckets,
        Policy = tune.Settings.Policy,
        Routing = tune.Settings.Routing.Kind,
        ZipfExponent = tune.Settings.Routing.ZipfExponent,
        Seed = tune.Settings.Seed,
    };

    /// <summary>The routing distribution the fields stand for.</summary>
    public RoutingDistribution RoutingDistribution => Routing switch
    {
        RoutingDistributionKind.Uniform => RoutingDistribution.Uniform,
        RoutingDistributionKind.SingleExpert => RoutingDistribution.SingleExpert,
        RoutingDistributionKind.Zipf => RoutingDistribution.Zipf(ZipfExponent),
        _ => throw new ArgumentException($"unknown routing distribution {Routing}"),
    };

    /// <summary>Null where the request can be measured, else its first problem.</summary>
    public string? FirstError()
    {
        var c = CultureInfo.InvariantCulture;
        if (BackendNames.Check(Backend) is { } name) return name;
        if (string.IsNullOrWhiteSpace(ApplicationDirectory)) return "the application directory is empty";
        if (string.IsNullOrWhiteSpace(WeightsFile)) return "the weights file is empty";
        if (!Enum.IsDefined(Device.Kind) || Device.Ordinal < 0) return string.Create(c, $"no device {Device.Kind} {Device.Ordinal}");
        if (Buckets.Count == 0) return "no token buckets";
        if (Buckets.FirstOrDefault(b => !TokenBuckets.IsBucket(b), -1) is var bad and not -1) return string.Create(c, $"{bad} tokens is not a bucket");
        if (Buckets.Distinct().Count() != Buckets.Count) return "a token bucket is listed twice";
        if (Routing == RoutingDistributionKind.Zipf && !(double.IsFinite(ZipfExponent) && ZipfExponent >= 0)) return string.Create(c, $"Zipf exponent {ZipfExponent} is not a finite non-negative number");
        if (!Enum.IsDefined(Routing)) return $"unknown routing distribution {Routing}";
        try
        {
            Policy.Validate();
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }

        return null;
    }
}

/// <summary>The device a probe runs on, and the GPU class key the tuner saw there, so that the child can check it found the same card.</summary>
public sealed record ProbeDevice(DeviceKind Kind, int Ordinal, string ClassKey);
