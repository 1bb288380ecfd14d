using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace MoeTune.Host.Cli;

/// <summary>The standard help, followed by the command's own closing text (examples; for the root also precedence, variables, exit codes).</summary>
internal sealed class ExtendedHelpAction(HelpAction standard, IReadOnlyDictionary<Command, string> epilogs) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var result = standard.Invoke(parseResult);
        if (epilogs.TryGetValue(parseResult.CommandResult.Command, out var epilog) && epilog.Length > 0)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(epilog);
        }

        return result;
    }
}
