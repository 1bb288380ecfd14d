using Microsoft.Extensions.Logging;

namespace MoeTune.Plugins.FlashInferCutlass.Runtime;

internal static partial class LayerLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "FlashInferCutlass: wrote the cubin of {Build} to {Path} ({Variable})")]
    private static partial void CubinWrittenCore(ILogger logger, string build, string path, string variable);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "FlashInferCutlass: prepared {Shape}: {WeightBytes} weight bytes, {WorkspaceBytes} workspace bytes for up to {MaxTokens} tokens, in {Milliseconds:F0} ms")]
    public static partial void Prepared(ILogger logger, string shape, long weightBytes, long workspaceBytes, int maxTokens, double milliseconds);

    public static void CubinWritten(ILogger logger, string build, string path) => CubinWrittenCore(logger, build, path, ForwardKernels.DumpVariable);
}
