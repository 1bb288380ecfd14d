using MoeTune.Tuning.Tests.Store.Support;
using MoeTune.TuningDb;

namespace MoeTune.Tuning.Tests.Store;

/// <summary>Backend names, labels and host hashes: what may be stored and shared.</summary>
public sealed class NamingTests
{
    [Theory]
    [InlineData("Marlin")]
    [InlineData("FlashInferCutlass")]
    [InlineData("FLASHINFER_TRTLLM")]
    [InlineData("vendor.Moe-Kernels2")]
    public void Plain_identifiers_are_backend_names(string name) => Assert.Null(BackendNames.Check(name));

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("a..b")]
    [InlineData("plugins/Marlin")]
    [InlineData("plugins\\Marlin")]
    [InlineData("Marlin.dll ")]
    [InlineData("2fast")]
    [InlineData("Mar\u0000lin")]
    public void Paths_and_odd_text_are_not_backend_names(string name) => Assert.NotNull(BackendNames.Check(name));

    [Fact]
    public void Backend_names_are_bounded() => Assert.NotNull(BackendNames.Check(new string('a', BackendNames.MaxLength + 1)));

    [Fact]
    public void The_host_is_recorded_only_as_a_short_hash_and_only_when_asked()
    {
        Assert.Null(Provenance.Capture(Samples.H100(), "0.1.0", Samples.Noon).HostHash);

        var hash = Provenance.Capture(Samples.H100(), "0.1.0", Samples.Noon, includeHostHash: true).HostHash;
        Assert.NotNull(hash);
        Assert.Matches("^[0-9a-f]{12}$", hash);
        Assert.Equal(Provenance.HashHost(Environment.MachineName), hash);
        Assert.Equal(Provenance.HashHost("GPU-Node-7"), Provenance.HashHost("gpu-node-7"));
    }
}
