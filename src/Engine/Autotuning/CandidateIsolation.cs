using MoeTune.Abstractions.Devices;
using MoeTune.Engine.Backends;

namespace MoeTune.Engine.Autotuning;

/// <summary>
/// Which candidates the tuner measures in a child process (<c>moetune probe</c>) rather than in its own. A CUDA
/// backend that hits a sticky error (an illegal address) poisons the context it ran in, and a native crash takes its
/// process down (DESIGN.md "Kernels"): in a child, either becomes one failed candidate and the tune goes on. Only
/// plugins can be probed, since the child finds a backend by loading the plugins again; the built-in Reference
/// backend and backends the application registered in its container always run in-process.
/// </summary>
public enum CandidateIsolation
{
    /// <summary>Every candidate in-process: the fastest, and one crashing or hanging plugin ends the tune.</summary>
    None,

    /// <summary>Plugins whose backends run on CUDA in a child process; CPU plugins in-process. The default.</summary>
    CudaPlugins,

    /// <summary>Every plugin in a child process, CPU ones included.</summary>
    AllPlugins,
}

public static class CandidateIsolations
{
    /// <summary>The names the command line takes, in declaration order.</summary>
    public static IReadOnlyList<(CandidateIsolation Isolation, string Name)> Names { get; } =
        [(CandidateIsolation.None, "none"), (CandidateIsolation.CudaPlugins, "cuda-plugins"), (CandidateIsolation.AllPlugins, "all-plugins")];

    public static string ToName(this CandidateIsolation isolation) =>
        Names.Where(n => n.Isolation == isolation).Select(n => n.Name).FirstOrDefault()
        ?? throw new ArgumentOutOfRangeException(nameof(isolation), isolation, "unknown candidate isolation");

    public static bool TryParse(string? text, out CandidateIsolation isolation)
    {
        foreach (var (value, name) in Names)
        {
            if (string.Equals(name, text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                isolation = value;
                return true;
            }
        }

        isolation = default;
        return false;
    }

    /// <summary>Whether <paramref name="candidate"/> is probed in a child process under <paramref name="isolation"/>.</summary>
    public static bool Covers(this CandidateIsolation isolation, RegisteredBackend candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return candidate.Folder is not null && isolation switch
        {
            CandidateIsolation.None => false,
            CandidateIsolation.CudaPlugins => candidate.Backend.DeviceKind == DeviceKind.Cuda,
            CandidateIsolation.AllPlugins => true,
            _ => throw new ArgumentOutOfRangeException(nameof(isolation), isolation, "unknown candidate isolation"),
        };
    }
}
