using MoeTune.Abstractions.Backends;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Backends.Reference;
using MoeTune.Engine.Tests.Support;

namespace MoeTune.Engine.Tests.Units;

public sealed class BackendRegistryTests
{
    [Fact]
    public void A_backend_may_repeat_its_own_name_as_an_alias_in_another_case()
    {
        var registry = new BackendRegistry();

        Assert.Null(registry.TryAdd([new Named("Marlin", "MARLIN")], "plugin a"));
        Assert.Equal("Marlin", registry.Find("marlin")!.Name);
        Assert.Equal("Marlin", registry.Find(" MARLIN ")!.Name);
    }

    [Fact]
    public void An_alias_taken_by_another_source_refuses_the_whole_group()
    {
        var registry = new BackendRegistry();
        registry.TryAdd([new Named("Marlin", "MARLIN")], "plugin a");

        var conflict = registry.TryAdd([new Named("Fresh"), new Named("Other", "marlin")], "plugin b");

        Assert.Equal("backend name 'marlin' is already registered by Marlin (plugin a)", conflict);
        Assert.Null(registry.Find("Fresh"));
    }

    [Theory]
    [InlineData("auto", "uses the reserved name 'auto'")]
    [InlineData("", "has an empty name")]
    [InlineData(" padded", "blank or padded name")]
    public void Reserved_blank_or_padded_names_are_refused(string name, string expected)
    {
        var conflict = new BackendRegistry().TryAdd([new Named(name)], "plugin");

        Assert.Contains(expected, conflict, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_backends_of_one_plugin_may_not_share_a_name()
    {
        var conflict = new BackendRegistry().TryAdd([new Named("A"), new Named("B", "a")], "plugin");

        Assert.Contains("registered twice by the same source (A and B)", conflict, StringComparison.Ordinal);
    }

    [Fact]
    public void Priority_order_puts_the_known_kernels_first_third_parties_next_and_the_reference_last()
    {
        var registry = new BackendRegistry();
        registry.TryAdd([new ReferenceBackend()], "built-in");
        registry.TryAdd([new Named("Zeta"), new Named("Marlin"), new Named("alpha"), new Named("TrtLlm"), new Named("FlashInferCutlass")], "plugins");

        var order = BuiltInPriority.Sort(registry.All).Select(b => b.Name);

        Assert.Equal(["TrtLlm", "FlashInferCutlass", "Marlin", "alpha", "Zeta", "Reference"], order);
    }

    private sealed class Named(string name, params string[] aliases) : IMoeBackend
    {
        private readonly TestBackend _inner = new(name);

        public string Name => name;

        public IReadOnlyList<string> Aliases => aliases;

        public string Version => _inner.Version;

        public string KernelSourceHash => _inner.KernelSourceHash;

        public Abstractions.Devices.DeviceKind DeviceKind => _inner.DeviceKind;

        public SupportDecision CheckSupport(Abstractions.Devices.DeviceInfo device, Abstractions.Problems.MoeShape problem) => _inner.CheckSupport(device, problem);

        public IPreparedMoeLayer Prepare(Abstractions.Weights.MoeWeights weights, PrepareContext context) => _inner.Prepare(weights, context);
    }
}
