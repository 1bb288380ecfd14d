using System.Globalization;

namespace MoeTune.Engine.Autotuning.Probing;

/// <summary>Names how a probe process ended from its exit code, for a failed candidate's error.</summary>
internal static class ProbeExit
{
    /// <summary>Signals a crashing or killed process dies of, by number (Linux numbering, which macOS shares for these).</summary>
    private static readonly Dictionary<int, string> Signals = new()
    {
        [1] = "SIGHUP",
        [2] = "SIGINT",
        [3] = "SIGQUIT",
        [4] = "SIGILL",
        [5] = "SIGTRAP",
        [6] = "SIGABRT",
        [7] = "SIGBUS",
        [8] = "SIGFPE",
        [9] = "SIGKILL",
        [11] = "SIGSEGV",
        [13] = "SIGPIPE",
        [15] = "SIGTERM",
    };

    /// <summary>Windows' status codes for the same kinds of crash.</summary>
    private static readonly Dictionary<uint, string> WindowsStatus = new()
    {
        [0xC0000005] = "access violation",
        [0xC000001D] = "illegal instruction",
        [0xC00000FD] = "stack overflow",
        [0xC0000409] = "fail-fast (stack buffer overrun)",
        [0x80131623] = "fail-fast",
    };

    /// <summary>
    /// "crashed: SIGSEGV" for a process a signal ended (the runtime reports 128 + the signal number, as shells do),
    /// "crashed: access violation" for Windows' crash statuses, else "exited with code N".
    /// </summary>
    public static string Describe(int exitCode)
    {
        if (!OperatingSystem.IsWindows() && exitCode > 128 && Signals.TryGetValue(exitCode - 128, out var signal))
        {
            return "crashed: " + signal;
        }

        if (OperatingSystem.IsWindows() && WindowsStatus.TryGetValue(unchecked((uint)exitCode), out var status))
        {
            return "crashed: " + status;
        }

        return string.Create(CultureInfo.InvariantCulture, $"exited with code {exitCode}");
    }
}
