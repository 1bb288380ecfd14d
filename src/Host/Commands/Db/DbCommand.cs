using System.CommandLine;
using MoeTune.Host.Cli;

namespace MoeTune.Host.Commands.Db;

/// <summary><c>moetune db</c>: the tuning store's records (list, show, export, import, forget). The file is MOETUNE_DB or the default.</summary>
internal sealed class DbCommand : ICliCommand
{
    public IReadOnlyList<string> Examples { get; } =
    [
        "moetune db list",
        "moetune db show --model qwen3-30b-a3b",
        "moetune db export fleet-h100.json && moetune db import fleet-h100.json",
        "moetune db forget --model mixtral-8x7b --format nvfp4",
    ];

    public Command Build(CliContext context) => new("db", "Inspect and manage the tuning store (MOETUNE_DB, default ~/.cache/moetune/tuning.db).")
    {
        DbList.Build(context),
        DbShow.Build(context),
        DbExport.Build(context),
        DbImport.Build(context),
        DbForget.Build(context),
    };
}
