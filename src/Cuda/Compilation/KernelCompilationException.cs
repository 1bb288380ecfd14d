namespace MoeTune.Cuda.Compilation;

/// <summary>NVRTC rejected a kernel: carries the source name, the target, the options and NVRTC's full log.</summary>
public sealed class KernelCompilationException : Exception
{
    public KernelCompilationException(string sourceName, string arch, IReadOnlyList<string> options, string log)
        : base($"NVRTC could not compile '{sourceName}' for {arch} with options [{string.Join(" ", options)}]:{Environment.NewLine}{log}")
    {
        SourceName = sourceName;
        Arch = arch;
        Options = options;
        Log = log;
    }

    public KernelCompilationException()
        : this("(unknown)", "(unknown)", [], "")
    {
    }

    public KernelCompilationException(string message)
        : base(message)
    {
        SourceName = Arch = Log = "";
        Options = [];
    }

    public KernelCompilationException(string message, Exception innerException)
        : base(message, innerException)
    {
        SourceName = Arch = Log = "";
        Options = [];
    }

    public string SourceName { get; }

    public string Arch { get; }

    public IReadOnlyList<string> Options { get; }

    public string Log { get; }
}
