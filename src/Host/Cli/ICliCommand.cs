using System.CommandLine;

namespace MoeTune.Host.Cli;

/// <summary>
/// One top-level command. Each lives in its own file under Commands/ and is listed once in
/// <see cref="CliApplication.Commands"/>, so a new one (for example <c>bench</c>) slots in without touching the others.
/// </summary>
internal interface ICliCommand
{
    /// <summary>Builds the command, its options and its action over <paramref name="context"/>.</summary>
    Command Build(CliContext context);

    /// <summary>Examples shown after the command's help, one per line, or empty.</summary>
    IReadOnlyList<string> Examples { get; }
}
