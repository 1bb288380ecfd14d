namespace MoeTune.Cuda.Native;

/// <summary>One place the resolver looked for a library, and what happened there.</summary>
/// <param name="Candidate">A file name for the system loader, or a full path.</param>
/// <param name="Via">How it was found: "MOETUNE_NVRTC", "loader path" or "folder".</param>
/// <param name="Outcome">"loaded", or why not.</param>
public sealed record NativeLibraryProbe(string Candidate, string Via, string Outcome)
{
    public override string ToString() => $"{Candidate} ({Via}): {Outcome}";
}

/// <summary>The outcome of resolving one native library: its handle (0 where none loaded), the probe that loaded it, and every probe made.</summary>
public sealed record NativeLibraryResolution(string DisplayName, nint Handle, NativeLibraryProbe? Loaded, IReadOnlyList<NativeLibraryProbe> Trace)
{
    public bool IsLoaded => Handle != 0;

    /// <summary>Where it was loaded from: a full path, or a file name the system loader resolved.</summary>
    public string? LoadedFrom => Loaded is null ? null : $"{Loaded.Candidate} ({Loaded.Via})";

    /// <summary>A multi-line account of the search, for error messages.</summary>
    public string Describe() => IsLoaded
        ? $"{DisplayName} loaded from {LoadedFrom}"
        : $"{DisplayName} not found; tried:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", Trace);
}
