using MoeTune.Gpu.Tests.Startup;

namespace MoeTune.Gpu.Tests;

/// <summary>
/// The suite's entry point: xunit's own runner (as the generated entry point would call it), except that
/// <c>--startup-probe</c> runs <see cref="StartupProbe"/> instead, the child process of the start-up test.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == StartupProbe.Argument)
        {
            return StartupProbe.Run(args[1..]);
        }

        if (args.Any(arg => arg is "--server" or "--internal-msbuild-node"))
        {
            return Xunit.MicrosoftTestingPlatform.TestPlatformTestFramework
                .RunAsync(args, SelfRegisteredExtensions.AddSelfRegisteredExtensions).GetAwaiter().GetResult();
        }

        return Xunit.Runner.InProc.SystemConsole.ConsoleRunner.Run(args).GetAwaiter().GetResult();
    }
}
