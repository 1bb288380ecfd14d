using System.CommandLine;

namespace MoeTune.Host.Cli;

/// <summary>
/// Runs a command's body and turns whatever escapes it into an exit code and one line on standard error, so that every
/// command fails the same way: a clear message, the documented exit code, a stack trace only with --verbose.
/// </summary>
internal static class CommandAction
{
    public static void Set(Command command, CliContext context, Func<ParseResult, int> body)
    {
        command.SetAction(parseResult =>
        {
            try
            {
                return body(parseResult);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var (code, message) = CliErrors.Classify(ex);
                context.Error.WriteLine($"error: {message}");
                if (parseResult.GetValue(CommonOptions.Verbose))
                {
                    context.Error.WriteLine(ex.ToString());
                }

                return code;
            }
        });
    }
}
