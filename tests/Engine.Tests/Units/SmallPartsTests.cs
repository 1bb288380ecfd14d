using MoeTune.Abstractions.Devices;
using MoeTune.Engine.Accuracy;
using MoeTune.Engine.Autotuning;
using MoeTune.Engine.Devices;
using MoeTune.Engine.Selection;
using MoeTune.Host.Cli;
using MoeTune.Reference.Formats;

namespace MoeTune.Engine.Tests.Units;

public sealed class SmallPartsTests
{
    [Theory]
    [InlineData(1_000L, 0L, 16)]
    [InlineData(64L << 20, 0L, 4)]
    [InlineData(1L << 30, 50L << 20, 2)]
    [InlineData(20L << 20, 50L << 20, 10)]
    public void Rotation_covers_four_caches_within_two_to_sixteen_sets(long setBytes, long cacheBytes, int expected) =>
        Assert.Equal(expected, InputRotation.SetCount(setBytes, cacheBytes));

    [Fact]
    public void Relative_error_is_zero_for_an_exact_output_and_infinite_for_nan()
    {
        double[] reference = [1.5, -2, 0.25];
        ushort[] exact = [.. reference.Select(v => Bf16.FromDouble(v))];
        ushort[] poisoned = [exact[0], ForwardTensors.Bf16NaN, exact[2]];

        Assert.Equal(0, RelativeError.Frobenius(exact, reference));
        Assert.Equal(double.PositiveInfinity, RelativeError.Frobenius(poisoned, reference));
        Assert.Equal(1, RelativeError.Frobenius([0, 0, 0], reference), 12);
    }

    [Fact]
    public void Where_the_reference_is_not_finite_the_output_must_match_it_and_is_left_out_of_the_norms()
    {
        double[] reference = [1.5, double.NaN, double.PositiveInfinity, -2];
        ushort[] same = [Bf16.FromDouble(1.5), ForwardTensors.Bf16NaN, Bf16.FromFloat(float.PositiveInfinity), Bf16.FromDouble(-2)];

        Assert.Equal(0, RelativeError.Frobenius(same, reference));
        Assert.Equal(double.PositiveInfinity, RelativeError.Frobenius([same[0], Bf16.FromDouble(7), same[2], same[3]], reference));
        Assert.Equal(double.PositiveInfinity, RelativeError.Frobenius([same[0], same[1], Bf16.FromFloat(float.NegativeInfinity), same[3]], reference));
        Assert.Equal(double.PositiveInfinity, RelativeError.Frobenius([same[0], same[1], ForwardTensors.Bf16NaN, same[3]], reference));
    }

    [Fact]
    public void Relative_error_against_a_zero_reference_is_the_output_norm()
    {
        Assert.Equal(0, RelativeError.Frobenius([0, 0], [0, 0]));
        Assert.Equal(2, RelativeError.Frobenius([Bf16.FromFloat(2), 0], [0, 0]), 12);
    }

    [Fact]
    public void Device_names_resolve_and_an_unknown_one_lists_the_valid_ones()
    {
        var catalog = new DeviceCatalog();

        Assert.Equal(DeviceKind.Cpu, catalog.Resolve("CPU").Kind);
        Assert.Equal(catalog.Default, catalog.Resolve("auto"));
        Assert.Equal(catalog.Default, catalog.Resolve(null));
        var error = Assert.Throws<ArgumentException>(() => catalog.Resolve("cuda:99"));
        Assert.Contains("valid: auto, cpu", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Blank_variables_count_as_unset()
    {
        var environment = EnvironmentSnapshot.Empty.With("MOETUNE_BACKEND", "  ").With("MOETUNE_DB", " /x ");

        Assert.Null(environment.Get("MOETUNE_BACKEND"));
        Assert.Equal("/x", environment.Get("MOETUNE_DB"));
        Assert.Equal("MOETUNE_BACKEND_MXFP4", EnvironmentVariables.BackendFor(Abstractions.Problems.WeightFormat.Mxfp4));
    }

    [Fact]
    public void Tuning_failures_map_to_their_exit_codes()
    {
        var incorrect = new TuningFailedException("all wrong", [CandidateStatus.Failed("A", "incorrect: x")], correctnessFailure: true);
        var unsupported = new TuningFailedException("none", [CandidateStatus.Unsupported("A", "no")], correctnessFailure: false);
        var crashed = new TuningFailedException("crash", [CandidateStatus.Failed("A", "prepare: boom")], correctnessFailure: false);

        Assert.Equal(ExitCodes.CorrectnessFailure, CliErrors.Classify(incorrect).ExitCode);
        Assert.Equal(ExitCodes.BackendUnavailable, CliErrors.Classify(unsupported).ExitCode);
        Assert.Equal(ExitCodes.RuntimeFailure, CliErrors.Classify(crashed).ExitCode);
        Assert.Equal(ExitCodes.BackendUnavailable, CliErrors.Classify(new BackendSelectionException(SelectionErrorKind.UnknownBackend, "x")).ExitCode);
    }
}
