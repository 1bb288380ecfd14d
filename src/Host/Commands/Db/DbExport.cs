using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using MoeTune.Engine;
using MoeTune.Host.Cli;
using MoeTune.TuningDb;

namespace MoeTune.Host.Commands.Db;

/// <summary><c>moetune db export FILE</c>: every record as JSON with provenance, for another machine's <c>db import</c>.</summary>
internal static class DbExport
{
    public static Command Build(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "The JSON file to write, or '-' for standard output." };
        var command = new Command("export", "Export every problem, measurement and decision as JSON, with provenance.") { file };
        CommandAction.Set(command, context, parse =>
        {
            var path = parse.GetRequiredValue(file);
            using var services = context.CreateServices(parse.GetValue(CommonOptions.Verbose));
            var store = services.GetRequiredService<TuningStore>();
            var exportedAt = services.GetRequiredService<TimeProvider>().GetUtcNow();
            if (path == "-")
            {
                using var buffer = new MemoryStream();
                store.Export(buffer, ToolInfo.Version, exportedAt);
                context.Output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
                return ExitCodes.Ok;
            }

            using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                store.Export(stream, ToolInfo.Version, exportedAt);
            }

            context.Output.WriteLine($"exported {store.Location} to {Path.GetFullPath(path)}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
