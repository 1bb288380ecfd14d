using Microsoft.Extensions.Logging;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Engine.Selection;
using MoeTune.Tuning;

namespace MoeTune.Engine.Logging;

/// <summary>The engine's log messages, source-generated (no boxing or formatting unless the level is on).</summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "plugin skipped: {Location}: {Reason}")]
    public static partial void PluginSkipped(ILogger logger, string location, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "plugin {Name} {Version} loaded from {Folder} ({Origin}): {Backends}")]
    public static partial void PluginLoaded(ILogger logger, string name, string version, string folder, string origin, string backends);

    /// <summary>DESIGN.md's one INFO line: the choice, its source, and every candidate with its status.</summary>
    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "MoE backend {Plan} for {Problem} on {Device} (source: {Source}); candidates: {Candidates}")]
    public static partial void BackendChosen(ILogger logger, string plan, string problem, string device, string source, string candidates);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "{Note}")]
    public static partial void SelectionNote(ILogger logger, string note);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "no valid stored decision for {Problem} on {Device}: autotuning {Count} candidate(s)")]
    public static partial void TuningStarted(ILogger logger, MoeShape problem, DeviceInfo device, int count);

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "candidate {Status}")]
    public static partial void CandidateMeasured(ILogger logger, CandidateStatus status);

    [LoggerMessage(EventId = 22, Level = LogLevel.Debug, Message = "probing {Backend} in a child process (timeout {TimeoutSeconds} s)")]
    public static partial void CandidateProbing(ILogger logger, string backend, double timeoutSeconds);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "stored decision for {Problem} on {Device}: {Choice}")]
    public static partial void DecisionStored(ILogger logger, PlanChoice choice, MoeShape problem, DeviceInfo device);

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "prepared {Backend} on {Device}: {WeightBytes} weight bytes, {WorkspaceBytes} workspace bytes for up to {MaxTokens} tokens")]
    public static partial void LayerPrepared(ILogger logger, string backend, DeviceInfo device, long weightBytes, long workspaceBytes, int maxTokens);
}
