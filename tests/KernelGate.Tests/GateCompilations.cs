using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Native;

namespace MoeTune.KernelGate.Tests;

/// <summary>
/// Starts every compile the gate needs on first use, as many at a time as there are cores (NVRTC is thread-safe), so
/// that the rows, which xunit runs one after another, mostly wait on work already done. No disk cache: every row
/// really compiles. Each build is compiled with ptxas's verbose report (<see cref="VerbosePtxas"/>), which changes no
/// code but puts ptxas's notes, "Potential Performance Loss" among them, into the log.
/// </summary>
internal static class GateCompilations
{
    public const string VerbosePtxas = "--ptxas-options=-v";

    private static readonly KernelCompiler Compiler = new(diskCache: null);
    private static readonly Lazy<IReadOnlyDictionary<string, Task<CompiledKernel>>> Started = new(StartAll);

    public static Task<CompiledKernel> For(string catalog, string build, string arch) => Started.Value[Key(catalog, build, arch)];

    private static string Key(string catalog, string build, string arch) => $"{catalog}|{build}|{arch}";

    private static Dictionary<string, Task<CompiledKernel>> StartAll()
    {
        var slots = new SemaphoreSlim(Environment.ProcessorCount);
        var tasks = new Dictionary<string, Task<CompiledKernel>>(StringComparer.Ordinal);
        foreach (var catalog in KernelCatalogDiscovery.Catalogs)
        {
            foreach (var (build, arch) in catalog.CompileTargets().Where(t => NvrtcLibrary.SupportedArchitectures.Contains(t.Arch.Capability)))
            {
                tasks[Key(KernelCatalogDiscovery.NameOf(catalog), build.Name, arch.ToString())] = Task.Run(async () =>
                {
                    await slots.WaitAsync().ConfigureAwait(false);
                    try
                    {
                        return Compiler.Compile(build with { Options = [.. build.Options, VerbosePtxas] }, arch);
                    }
                    finally
                    {
                        slots.Release();
                    }
                });
            }
        }

        return tasks;
    }
}
