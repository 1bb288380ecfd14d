using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using MoeTune.Host.Commands;
using MoeTune.Host.Commands.Db;

namespace MoeTune.Host.Cli;

/// <summary>The <c>moetune</c> command line: builds the command tree over a <see cref="CliContext"/> and runs it.</summary>
public static class CliApplication
{
    /// <summary>Every top-level command, in help order. Add new commands here (one file each under Commands/).</summary>
    internal static IReadOnlyList<ICliCommand> Commands { get; } =
    [
        new PresetsCommand(),
        new DevicesCommand(),
        new BackendsCommand(),
        new TuneCommand(),
        new ExplainCommand(),
        new RunCommand(),
        new BenchCommand(),
        new DbCommand(),
        new ProbeCommand(),
    ];

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    public static int Invoke(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var root = BuildRoot(context);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0 && parseResult.Action is ParseErrorAction)
        {
            foreach (var error in parseResult.Errors)
            {
                context.Error.WriteLine($"error: {error.Message}");
            }

            var command = parseResult.CommandResult.Command;
            context.Error.WriteLine($"run '{(command == root ? "moetune" : "moetune " + command.Name)} --help' for usage");
            return ExitCodes.UsageError;
        }

        return parseResult.Invoke(new InvocationConfiguration { Output = context.Output, Error = context.Error, EnableDefaultExceptionHandler = false });
    }

    /// <summary>The command tree, with the extended help (examples, precedence, environment variables, exit codes).</summary>
    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("MoeTune: runs the Mixture-of-Experts layer of LLMs on NVIDIA GPUs through backend plugins, "
            + "autotunes which backend is fastest per GPU and model, and remembers the choice.");
        root.Options.Add(CommonOptions.Verbose);
        var epilogs = new Dictionary<Command, string>();
        foreach (var definition in Commands)
        {
            var command = definition.Build(context);
            root.Subcommands.Add(command);
            epilogs[command] = HelpText.CommandEpilog(definition.Examples);
        }

        epilogs[root] = HelpText.RootEpilog(Commands.SelectMany(c => c.Examples.Take(1)));
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new ExtendedHelpAction((HelpAction)help.Action!, epilogs);
        return root;
    }
}
