using System.Globalization;
using System.Text;
using MoeTune.Engine;

namespace MoeTune.Host.Cli;

/// <summary>The root help's closing sections: precedence, environment variables, exit codes, examples.</summary>
internal static class HelpText
{
    public static string RootEpilog(IEnumerable<string> examples)
    {
        var text = new StringBuilder();
        text.AppendLine("How a backend is chosen (highest first; each choice is logged with its source):");
        text.AppendLine("  1. --backend NAME (or the library option)");
        text.AppendLine("  2. MOETUNE_BACKEND_<FORMAT> (for example MOETUNE_BACKEND_NVFP4=Marlin), then MOETUNE_BACKEND");
        text.AppendLine("  3. the stored decision for this GPU class and problem, if still valid (a driver change: used, with a warning)");
        text.AppendLine("  4. an autotune on first use, stored for next time");
        text.AppendLine("  5. the built-in priority order, with --no-tune");
        text.AppendLine("  Names and aliases match in any case; 'auto' means no override. An unknown name or a backend that");
        text.AppendLine("  cannot run the problem here is an error (exit 3), never a silent fallback.");
        text.AppendLine();
        text.AppendLine("Environment variables:");
        text.AppendLine($"  {EnvironmentVariables.Backend}_<FORMAT>  force a backend for one weight format (BF16, FP8, NVFP4, MXFP4)");
        text.AppendLine($"  {EnvironmentVariables.Backend}           force a backend for every format");
        text.AppendLine($"  {EnvironmentVariables.Database}                the tuning database file (default: ~/.cache/moetune/tuning.db)");
        text.AppendLine($"  {EnvironmentVariables.Plugins}           extra plugin folders, separated by '{Path.PathSeparator}'");
        text.AppendLine("  MOETUNE_KERNEL_CACHE      where compiled kernels are cached");
        text.AppendLine();
        text.AppendLine("Exit codes:");
        foreach (var (code, meaning) in ExitCodes.Table)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  {code}  {meaning}"));
        }

        text.AppendLine();
        text.AppendLine("Examples:");
        foreach (var example in examples)
        {
            text.AppendLine("  " + example);
        }

        return text.ToString();
    }

    public static string CommandEpilog(IReadOnlyList<string> examples) =>
        examples.Count == 0 ? "" : "Examples:" + Environment.NewLine + string.Concat(examples.Select(e => "  " + e + Environment.NewLine));
}
