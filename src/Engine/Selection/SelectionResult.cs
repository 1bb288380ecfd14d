using MoeTune.Engine.Autotuning;
using MoeTune.Tuning;

namespace MoeTune.Engine.Selection;

/// <summary>The chosen plan, where it came from, and what became of every candidate.</summary>
/// <param name="Plan">The backend (or per-bucket backends) to run.</param>
/// <param name="Source">Which precedence step decided.</param>
/// <param name="SourceText">The source as the log names it, for example "MOETUNE_BACKEND_NVFP4".</param>
/// <param name="Candidates">Every registered backend's status, in priority order.</param>
/// <param name="Notes">Warnings that came with the choice (a stale or an ignored stored decision).</param>
/// <param name="Tuning">The autotune's result where one ran.</param>
public sealed record SelectionResult(
    Plan Plan,
    SelectionSource Source,
    string SourceText,
    IReadOnlyList<CandidateStatus> Candidates,
    IReadOnlyList<string> Notes,
    TuneResult? Tuning);
