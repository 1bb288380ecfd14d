using System.Reflection;
using System.Runtime.InteropServices;

namespace MoeTune.Cuda.Native;

/// <summary>
/// Finds libcuda and libnvrtc for this assembly's <c>[LibraryImport]</c>s and records every place it looked.
/// An override variable (<c>MOETUNE_LIBCUDA</c>, <c>MOETUNE_NVRTC</c>) naming a file or folder is the only place
/// searched when set: a wrong override is an error that says so, never a quiet fall back to another copy.
/// </summary>
internal static class NativeLibraryResolver
{
    private static readonly Lazy<NativeLibraryResolution> DriverLibrary = new(() => Resolve(NativeLibrarySpec.CudaDriver));
    private static readonly Lazy<NativeLibraryResolution> NvrtcLibrary = new(() => Resolve(NativeLibrarySpec.Nvrtc));
    private static int installed;

    /// <summary>The driver library, resolved on first use.</summary>
    public static NativeLibraryResolution Driver => DriverLibrary.Value;

    /// <summary>NVRTC, resolved on first use.</summary>
    public static NativeLibraryResolution Nvrtc => NvrtcLibrary.Value;

    /// <summary>Routes this assembly's imports of <see cref="Interop.Libraries"/> names through the resolver. Idempotent.</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref installed, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, ResolveImport);
        }
    }

    private static nint ResolveImport(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) => libraryName switch
    {
        Interop.Libraries.CudaDriver => Driver.Handle,
        Interop.Libraries.Nvrtc => Nvrtc.Handle,
        Ceilings.CublasLt.CublasLtInterop.LibraryName => Ceilings.CublasLt.CublasLtLibrary.Handle,
        _ => 0,
    };

    private static NativeLibraryResolution Resolve(NativeLibrarySpec spec) =>
        Resolve(spec, Environment.GetEnvironmentVariable, AppContext.BaseDirectory, TryLoad);

    /// <summary>
    /// The search itself, with its effects passed in so that tests can drive it: <paramref name="load"/> returns a handle,
    /// or 0 and why not.
    /// </summary>
    internal static NativeLibraryResolution Resolve(
        NativeLibrarySpec spec,
        Func<string, string?> environment,
        string baseDirectory,
        Func<string, (nint Handle, string? Error)> load)
    {
        var trace = new List<NativeLibraryProbe>();
        foreach (var (candidate, via) in Candidates(spec, environment, baseDirectory, trace))
        {
            var (handle, error) = load(candidate);
            var probe = new NativeLibraryProbe(candidate, via, handle != 0 ? "loaded" : error ?? "not loaded");
            trace.Add(probe);
            if (handle != 0)
            {
                return new NativeLibraryResolution(spec.DisplayName, handle, probe, trace);
            }
        }

        return new NativeLibraryResolution(spec.DisplayName, 0, null, trace);
    }

    private static IEnumerable<(string Candidate, string Via)> Candidates(
        NativeLibrarySpec spec, Func<string, string?> environment, string baseDirectory, List<NativeLibraryProbe> trace)
    {
        var overridePath = environment(spec.OverrideVariable);
        if (!string.IsNullOrWhiteSpace(overridePath))
        {
            if (File.Exists(overridePath))
            {
                yield return (Path.GetFullPath(overridePath), spec.OverrideVariable);
            }
            else if (Directory.Exists(overridePath))
            {
                foreach (var name in spec.FileNames)
                {
                    var path = Path.GetFullPath(Path.Combine(overridePath, name));
                    if (File.Exists(path))
                    {
                        yield return (path, spec.OverrideVariable);
                    }
                    else
                    {
                        trace.Add(new NativeLibraryProbe(path, spec.OverrideVariable, "no such file"));
                    }
                }
            }
            else
            {
                trace.Add(new NativeLibraryProbe(overridePath, spec.OverrideVariable, "no such file or folder"));
            }

            yield break;
        }

        var folders = spec.Folders(environment, baseDirectory).Distinct(StringComparer.Ordinal).ToList();
        foreach (var name in spec.FileNames)
        {
            yield return (name, "loader path");
            foreach (var folder in folders)
            {
                var path = Path.Combine(folder, name);
                if (File.Exists(path))
                {
                    yield return (path, "folder");
                }
            }
        }

        if (folders.Count > 0)
        {
            trace.Add(new NativeLibraryProbe(string.Join(", ", folders), "folders searched", "none of " + string.Join(", ", spec.FileNames) + " there"));
        }
    }

    internal static (nint Handle, string? Error) TryLoad(string candidate)
    {
        try
        {
            return (NativeLibrary.Load(candidate), null);
        }
        catch (DllNotFoundException e)
        {
            // The runtime's message is a generic first line, then the loader's reason for each variant it tried.
            var lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return (0, lines.Length > 1 ? lines[1] : lines.FirstOrDefault() ?? "not loadable");
        }
        catch (BadImageFormatException e)
        {
            return (0, "not a loadable library: " + e.Message);
        }
    }
}
