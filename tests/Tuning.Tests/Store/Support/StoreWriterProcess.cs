using System.Diagnostics;
using System.Globalization;
using MoeTune.TuningDb;

namespace MoeTune.Tuning.Tests.Store.Support;

/// <summary>
/// A second process writing to a store: the test executable started with <see cref="Argument"/>. It signals that it is
/// ready, waits for the go file so that both writers start together, then saves one measurement per operation.
/// </summary>
internal static class StoreWriterProcess
{
    public const string Argument = "--moetune-store-writer";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Starts a writer of <paramref name="count"/> measurements named <paramref name="tag"/>0, <paramref name="tag"/>1, …</summary>
    public static Process Start(string databasePath, string tag, int count)
    {
        var assembly = typeof(StoreWriterProcess).Assembly.Location;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", assembly, Argument, databasePath, tag, count.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start the store writer process");
    }

    public static string ReadyFile(string databasePath, string tag) => $"{databasePath}.ready-{tag}";

    public static string GoFile(string databasePath) => databasePath + ".go";

    public static int Run(string[] args)
    {
        try
        {
            var (path, tag, count) = (args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
            using var store = TuningStore.Open(new TuningStoreOptions(path));
            File.WriteAllText(ReadyFile(path, tag), "");
            var waited = Stopwatch.StartNew();
            while (!File.Exists(GoFile(path)))
            {
                if (waited.Elapsed > Patience)
                {
                    throw new TimeoutException("no go signal");
                }

                Thread.Sleep(5);
            }

            for (var i = 0; i < count; i++)
            {
                store.SaveMeasurement(Samples.Timed(new PluginKey(tag + i.ToString(CultureInfo.InvariantCulture), "1.0.0", "h")));
            }

            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            return 1;
        }
    }
}
