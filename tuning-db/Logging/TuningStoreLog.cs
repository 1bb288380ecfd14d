using Microsoft.Extensions.Logging;

namespace MoeTune.TuningDb.Logging;

/// <summary>The store's log messages (source-generated).</summary>
internal static partial class TuningStoreLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning,
        Message = "The tuning database {Path} is damaged ({Damage}); moved it aside to {MovedTo} and started a fresh one. Decisions will be re-tuned.")]
    public static partial void MovedCorruptDatabaseAside(this ILogger logger, string path, string damage, string movedTo);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning,
        Message = "The tuning database {Path} cannot be written ({Reason}); using an in-memory store, so tuning results will not be kept. Set MOETUNE_DB to a writable file.")]
    public static partial void UsingMemoryStore(this ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information,
        Message = "Migrated the tuning database {Path} from schema {From} to {To}.")]
    public static partial void MigratedSchema(this ILogger logger, string path, int from, int to);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information,
        Message = "Imported {Source} into the tuning database: {Summary}.")]
    public static partial void Imported(this ILogger logger, string source, ImportSummary summary);
}
