using System.Diagnostics;

namespace MoeTune.TuningDb.Storage;

/// <summary>
/// An exclusive lock between processes (and between stores within one process) on a side file next to the database,
/// held around each operation. It is a FileStream opened with <see cref="FileShare.None"/>, which .NET maps to an
/// advisory <c>flock</c> on Unix and a sharing lock on Windows; the kernel releases it when a process dies, so a tuner
/// killed mid-write never leaves the store locked. The lock file is never deleted: deleting lock files races.
/// </summary>
internal sealed class StoreFileLock : IDisposable
{
    /// <summary>Windows: ERROR_SHARING_VIOLATION and ERROR_LOCK_VIOLATION as HRESULTs.</summary>
    private static readonly int[] WindowsHeld = [unchecked((int)0x80070020), unchecked((int)0x80070021)];

    /// <summary>Unix: .NET reports a refused flock with the errno EWOULDBLOCK as the HResult (11 on Linux, 35 on macOS and the BSDs).</summary>
    private static readonly int UnixHeld = OperatingSystem.IsLinux() ? 11 : 35;

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMilliseconds(200);

    private readonly FileStream _stream;

    private StoreFileLock(FileStream stream) => _stream = stream;

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the lock. Throws <see cref="TuningStoreException"/> on timeout, and
    /// lets <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> through where the file cannot be
    /// created or opened at all (the caller reports an unwritable location).
    /// </summary>
    public static StoreFileLock Acquire(string lockPath, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        var delay = FirstRetry;
        while (true)
        {
            try
            {
                return new StoreFileLock(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
            }
            catch (IOException e) when (IsHeldByAnother(e))
            {
                if (waited.Elapsed >= timeout)
                {
                    throw new TuningStoreException(
                        $"waited {timeout.TotalSeconds:0.#} s for the tuning database lock '{lockPath}'; another MoeTune process holds it", e);
                }

                Thread.Sleep(delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetry.Ticks));
            }
        }
    }

    public void Dispose() => _stream.Dispose();

    private static bool IsHeldByAnother(IOException e) =>
        OperatingSystem.IsWindows() ? WindowsHeld.Contains(e.HResult) : e.HResult == UnixHeld;
}
