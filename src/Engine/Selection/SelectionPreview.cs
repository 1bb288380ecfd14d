using MoeTune.Abstractions.Backends;
using MoeTune.Engine.Backends;
using MoeTune.TuningDb;

namespace MoeTune.Engine.Selection;

/// <summary>
/// What selection sees before it acts (for <c>moetune explain</c>): every candidate with its support answer and its
/// stored measurement, the stored decision as the store judged it, and the precedence rule's outcome.
/// </summary>
public sealed record SelectionPreview(
    SelectionInputs Inputs,
    SelectionOutcome Outcome,
    IReadOnlyList<PreviewCandidate> Candidates,
    StoredDecision? Stored)
{
    /// <summary>The source as the log names it, where the outcome is a choice.</summary>
    public string? SourceText => Outcome is SelectionOutcome.Chosen chosen ? SelectionPrecedence.Describe(chosen.Source, Inputs) : null;
}

/// <summary>One registered backend as selection sees it here.</summary>
/// <param name="Backend">The backend and where it came from.</param>
/// <param name="Support">Its answer for this problem on this device.</param>
/// <param name="Measurement">Its valid stored measurement for this GPU class and problem, if any.</param>
public sealed record PreviewCandidate(RegisteredBackend Backend, SupportDecision Support, CandidateMeasurement? Measurement)
{
    /// <summary>The status to show: unsupported, or what its stored measurement says, or plainly supported.</summary>
    public CandidateStatus Status =>
        !Support.IsSupported ? CandidateStatus.Unsupported(Backend.Name, Support.Reason)
        : Measurement is not null ? CandidateStatus.From(Measurement)
        : CandidateStatus.Supported(Backend.Name);
}
