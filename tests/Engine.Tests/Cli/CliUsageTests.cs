using MoeTune.Engine.Tests.Support;
using MoeTune.Host.Cli;
using MoeTune.Models.Presets;

namespace MoeTune.Engine.Tests.Cli;

/// <summary>Help, usage errors and the read-only listing commands.</summary>
public sealed class CliUsageTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Root_help_documents_precedence_variables_exit_codes_and_examples()
    {
        var help = _cli.Run("--help");

        Assert.Equal(ExitCodes.Ok, help.ExitCode);
        foreach (var expected in new[] { "How a backend is chosen", "MOETUNE_BACKEND_<FORMAT>", "MOETUNE_DB", "MOETUNE_PLUGINS", "Exit codes:", "  4  correctness failure", "Examples:", "moetune tune --model" })
        {
            Assert.Contains(expected, help.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Command_help_ends_with_its_examples()
    {
        var help = _cli.Run("run", "--help");

        Assert.Equal(ExitCodes.Ok, help.ExitCode);
        Assert.Contains("moetune run --model qwen3-30b-a3b --format nvfp4 --tokens 64 --backend reference", help.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run", "--model", "qwen3-30b-a3b", "--frobnicate")]
    [InlineData("run", "--tokens", "4")]
    [InlineData("tune", "--model", "qwen3-30b-a3b", "--tokens", "3")]
    [InlineData("run", "--model", "qwen3-30b-a3b", "--format", "int3", "--tokens", "1")]
    [InlineData("nonsense")]
    [InlineData("db")]
    public void Malformed_command_lines_exit_2_with_a_message(params string[] args)
    {
        var run = _cli.Run(args);

        Assert.True(run.ExitCode == ExitCodes.UsageError, run.ToString());
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_model_exits_2_listing_the_presets()
    {
        var run = _cli.Run("explain", "--model", "no-such-model");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("qwen3-30b-a3b", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_whose_sizes_the_format_cannot_take_exits_2_naming_them()
    {
        var config = File.ReadAllText(_cli.ModelPath).Replace("\"hidden_size\": 64", "\"hidden_size\": 40", StringComparison.Ordinal);
        var path = _cli.TempPath("h40.json");
        File.WriteAllText(path, config);

        var run = _cli.Run("explain", "--model", path, "--format", "nvfp4");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("hidden (40)", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Presets_lists_every_preset_with_its_signature_hash()
    {
        var run = _cli.Run("presets");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        foreach (var preset in ModelPresets.All)
        {
            Assert.Contains(preset.Name, run.Output, StringComparison.Ordinal);
            Assert.Contains(preset.Shape.Hash, run.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Devices_lists_the_cpu_and_the_cuda_state()
    {
        var run = _cli.Run("devices");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Matches(@"│ cpu\s+│", run.Output);
        Assert.Contains("CUDA: ", run.Output, StringComparison.Ordinal);
    }
}
