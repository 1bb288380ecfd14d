using MoeTune.Engine.Autotuning;
using MoeTune.Engine.Selection;
using MoeTune.Models;
using MoeTune.TuningDb;

namespace MoeTune.Host.Cli;

/// <summary>Turns the exceptions commands let through into an exit code and one message, in one place.</summary>
internal static class CliErrors
{
    public static (int ExitCode, string Message) Classify(Exception exception) => exception switch
    {
        CliException cli => (cli.ExitCode, cli.Message),
        BackendSelectionException selection => (ExitCodes.BackendUnavailable, selection.Message),
        TuningFailedException { IsCorrectnessFailure: true } tuning => (ExitCodes.CorrectnessFailure, tuning.Message),
        TuningFailedException tuning when tuning.Statuses.Count > 0 && tuning.Statuses.All(s => s.State == CandidateState.Unsupported)
            => (ExitCodes.BackendUnavailable, tuning.Message),
        TuningFailedException tuning => (ExitCodes.RuntimeFailure, tuning.Message),
        UnknownModelException model => (ExitCodes.UsageError, model.Message),
        ModelConfigException config => (ExitCodes.UsageError, config.Message),
        CheckpointException checkpoint => (ExitCodes.UsageError, checkpoint.Message),
        TuningStoreException store => (ExitCodes.RuntimeFailure, store.Message),
        OperationCanceledException => (ExitCodes.RuntimeFailure, "cancelled"),
        _ => (ExitCodes.RuntimeFailure, $"{exception.GetType().Name}: {exception.Message}"),
    };
}
