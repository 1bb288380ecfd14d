using MoeTune.Abstractions.Backends;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Autotuning;

/// <summary>Makes a tune's measurement records: this GPU class, driver, problem and tool version, stamped now.</summary>
internal sealed class CandidateRecorder(TuneRequest request, string toolVersion, TimeProvider clock)
{
    public CandidateMeasurement Record(IMoeBackend backend, CandidateOutcome outcome, string detail) => new()
    {
        Gpu = GpuClass.Of(request.Device.Info),
        DriverVersion = request.Device.Info.DriverVersion,
        Problem = request.Weights.Shape,
        Plugin = PluginKey.Of(backend),
        Outcome = outcome,
        Detail = detail,
        MeasuredAt = clock.GetUtcNow(),
        ToolVersion = toolVersion,
    };
}
