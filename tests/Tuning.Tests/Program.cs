using MoeTune.Tuning.Tests.Store.Support;

namespace MoeTune.Tuning.Tests;

/// <summary>
/// The test executable's entry point. With <see cref="StoreWriterProcess.Argument"/> first it is a store writer for the
/// concurrency tests (a real second process); otherwise it does what xunit v3's generated entry point does.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == StoreWriterProcess.Argument)
        {
            return StoreWriterProcess.Run(args[1..]);
        }

        return args.Any(a => a is "--server" or "--internal-msbuild-node")
            ? Xunit.MicrosoftTestingPlatform.TestPlatformTestFramework.RunAsync(args, SelfRegisteredExtensions.AddSelfRegisteredExtensions).GetAwaiter().GetResult()
            : Xunit.Runner.InProc.SystemConsole.ConsoleRunner.Run(args).GetAwaiter().GetResult();
    }
}
