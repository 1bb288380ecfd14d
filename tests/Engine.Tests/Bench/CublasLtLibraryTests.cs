using System.Text.RegularExpressions;
using MoeTune.Cuda.Ceilings.CublasLt;
using MoeTune.Cuda.Native;

namespace MoeTune.Engine.Tests.Bench;

/// <summary>cuBLASLt ships with CUDA toolkits, not with the driver: its absence is an answer with the search trace, never a crash.</summary>
public sealed class CublasLtLibraryTests
{
    [Fact]
    public void Loads_with_a_version_or_says_where_it_looked()
    {
        if (CublasLtLibrary.TryLoad(out var reason))
        {
            Assert.Matches(new Regex(@"^1[2-9]\.\d+\.\d+$"), CublasLtLibrary.Version);
            Assert.Contains("loaded from", reason, StringComparison.Ordinal);
            return;
        }

        Assert.Contains("libcublasLt.so.12", reason, StringComparison.Ordinal);
        Assert.Contains("/usr/local/cuda/lib64", reason, StringComparison.Ordinal);
        var error = Assert.Throws<CudaUnavailableException>(() => CublasLtLibrary.Version);
        Assert.Contains("cuBLASLt (libcublasLt) not found", error.Message, StringComparison.Ordinal);
    }
}
