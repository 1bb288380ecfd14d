using Microsoft.Extensions.DependencyInjection;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Devices;
using MoeTune.Engine.Plugins;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Autotuning.Probing;

/// <summary>
/// The child side of a probe (<c>moetune probe REQUEST</c>): loads the plugins as the tuner did, opens the same device,
/// reads the tuner's weights and measures the one candidate with the tuner's own code (<see cref="CandidateMeasurer"/>),
/// writing progress and then the measurement as protocol lines (<see cref="ProbeProtocol"/>). A candidate that throws
/// is a measurement like any other; one that crashes or hangs takes only this process down, and the tuner records it.
/// </summary>
public static class ProbeWorker
{
    /// <summary>The exit code after a measurement was written, whatever its outcome.</summary>
    public const int Measured = 0;

    /// <summary>The exit code after an error line: the request, the plugins, the device or the weights were unusable.</summary>
    public const int CouldNotMeasure = 1;

    /// <param name="requestPath">The request file the tuner wrote.</param>
    /// <param name="output">Standard output, where the protocol lines go.</param>
    /// <param name="createServices">The engine's services for the request's application directory (plugins, devices).</param>
    /// <param name="clock">Stamps the measurement.</param>
    /// <returns><see cref="Measured"/> or <see cref="CouldNotMeasure"/>.</returns>
    public static int Run(string requestPath, TextWriter output, Func<string, ServiceProvider> createServices, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(requestPath);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(createServices);
        void Send(ProbeMessage message)
        {
            output.WriteLine(ProbeProtocol.Line(message));
            output.Flush();
        }

        CandidateMeasurement measurement;
        try
        {
            var request = ProbeProtocol.ReadRequest(requestPath);
            using var services = createServices(request.ApplicationDirectory);
            measurement = Measure(
                request,
                services.GetRequiredService<BackendCatalog>(),
                services.GetRequiredService<DeviceCatalog>(),
                (activity, done) => Send(new ProbeMessage { Progress = new ProbeProgress(activity, done) }),
                clock ?? TimeProvider.System);

            // Written before the plugins are unloaded: a teardown that crashes still shows as a crash (the tuner
            // then fails the candidate), and the measurement has been sent for the record.
            Send(new ProbeMessage { Measurement = MeasurementJson.ToJson(measurement) });
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Send(new ProbeMessage { Error = PluginCatalog.Describe(ex) });
            return CouldNotMeasure;
        }

        return Measured;
    }

    private static CandidateMeasurement Measure(
        ProbeRequest request, BackendCatalog catalog, DeviceCatalog devices, Action<string, int> progress, TimeProvider clock)
    {
        var backend = catalog.Registry.Find(request.Backend)?.Backend
            ?? throw new InvalidOperationException(
                $"no backend '{request.Backend}' loaded here (loaded: {string.Join(", ", catalog.Registry.All.Select(b => b.Name))}; "
                + $"skipped: {(catalog.Failures.Count == 0 ? "none" : string.Join("; ", catalog.Failures))})");
        var device = devices.Devices.FirstOrDefault(d => d.Kind == request.Device.Kind && d.Ordinal == request.Device.Ordinal)
            ?? throw new InvalidOperationException($"no {request.Device.Kind} device {request.Device.Ordinal} here ({devices.CudaStatus})");
        if (device.ClassKey != request.Device.ClassKey)
        {
            throw new InvalidOperationException($"device {request.Device.Ordinal} is {device.ClassKey} here, but the tuner measures on {request.Device.ClassKey}");
        }

        progress("reading the weights", 0);
        var weights = WeightsFile.Read(request.WeightsFile);
        using var opened = devices.Open(device);
        var settings = new TuneSettings
        {
            Buckets = request.Buckets,
            Policy = request.Policy,
            Routing = request.RoutingDistribution,
            Seed = request.Seed,
        };
        var tune = new TuneRequest(opened, weights, settings);
        var measurer = new CandidateMeasurer(tune, new GateCase(weights, settings.Seed), new CandidateRecorder(tune, ToolInfo.Version, clock), clock);
        return measurer.Measure(backend, progress);
    }
}
