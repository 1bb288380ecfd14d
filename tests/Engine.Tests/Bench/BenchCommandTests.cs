using System.Buffers.Binary;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using MoeTune.Engine.Bench.Comparison;
using MoeTune.Engine.Tests.Support;
using MoeTune.Host.Cli;

namespace MoeTune.Engine.Tests.Bench;

/// <summary>
/// <c>moetune bench</c> end to end on the CPU, as CI runs it: the Reference backend and the third-party CPU plugin on a
/// tiny Mixtral-style config in two formats at T = 1, 2, through the real command line, checking that the JSON, the
/// Markdown page and the PNG plots exist and parse, and that the backend that cannot run NVFP4 is listed with its reason.
/// </summary>
public sealed class BenchCommandTests : IDisposable
{
    private const string TinyConfig = """
        {"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "hidden_size": 64, "intermediate_size": 128,
         "num_local_experts": 4, "num_experts_per_tok": 2, "num_hidden_layers": 2, "hidden_act": "silu"}
        """;

    private readonly TempDirectory _temp = new();

    /// <summary>The third-party plugin's copy, made by the first run of a test and shared by its later runs.</summary>
    private string? _plugins;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Bench_on_the_cpu_writes_json_markdown_and_plots_that_parse()
    {
        var (exitCode, stdout, stderr, outDir) = RunBench("--tokens", "1,2", "--format", "bf16,nvfp4", "--backends", "reference,naive_cpu");

        Assert.True(exitCode == ExitCodes.Ok, $"exit {exitCode}; stderr:\n{stderr}\nstdout:\n{stdout}");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "bench.json")));
        var root = json.RootElement;
        var environment = root.GetProperty("environment");
        Assert.StartsWith("moetune bench --device cpu", environment.GetProperty("commandLine").GetString(), StringComparison.Ordinal);
        Assert.Equal("cpu", environment.GetProperty("device").GetProperty("kind").GetString());
        Assert.Contains(environment.GetProperty("backends").EnumerateArray(), b => b.GetProperty("name").GetString() == "NaiveCpu");

        var ceilings = root.GetProperty("ceilings").GetProperty("all").EnumerateArray().ToList();
        Assert.Equal(4, ceilings.Count);
        var read = ceilings.Single(c => c.GetProperty("kind").GetString() == "readBandwidth");
        Assert.True(read.GetProperty("perSecond").GetDouble() > 0);
        Assert.StartsWith("CPU:", read.GetProperty("method").GetString(), StringComparison.Ordinal);

        var problems = root.GetProperty("problems").EnumerateArray().ToList();
        Assert.Equal(["tiny bf16", "tiny nvfp4"], problems.Select(p => $"{p.GetProperty("model").GetString()} {p.GetProperty("format").GetString()}"));
        foreach (var problem in problems)
        {
            var reference = Backend(problem, "Reference");
            Assert.Equal("measured", reference.GetProperty("status").GetString());
            var points = reference.GetProperty("points").EnumerateArray().ToList();
            Assert.Equal(4, points.Count); // T = 1, 2 × uniform, zipf × eager
            Assert.All(points, p =>
            {
                Assert.Equal("measured", p.GetProperty("status").GetString());
                Assert.Equal("eager", p.GetProperty("mode").GetString());
                Assert.Equal(1, p.GetProperty("weightCopies").GetInt32()); // the CPU's L2 is unknown: no copies
                Assert.NotEmpty(p.GetProperty("timing").GetProperty("samplesMicroseconds").EnumerateArray());
                Assert.InRange(p.GetProperty("efficiency").GetDouble(), 1e-6, 1e6);
            });
            Assert.Equal(4, problem.GetProperty("floors").GetArrayLength());
        }

        var unsupported = Backend(problems[1], "NaiveCpu");
        Assert.Equal("unsupported", unsupported.GetProperty("status").GetString());
        Assert.Contains("bf16 weights only", unsupported.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("measured", Backend(problems[0], "NaiveCpu").GetProperty("status").GetString());
        var regret = root.GetProperty("regret").EnumerateArray().ToList();
        Assert.Equal(8, regret.Count); // 2 problems × 2 routings × 2 token counts
        Assert.All(regret, r =>
        {
            Assert.Equal(0, r.GetProperty("tuned").GetProperty("extraBytes").GetInt64());
            Assert.InRange(r.GetProperty("hybrid").GetProperty("regret").GetDouble(), 1, r.GetProperty("tuned").GetProperty("regret").GetDouble());
        });

        var markdown = File.ReadAllText(Path.Combine(outDir, "bench.md"));
        Assert.Matches(new Regex(@"^\| Reference \| 1 \| uniform \| eager \| [0-9.]+ \|", RegexOptions.Multiline), markdown);
        Assert.Matches(new Regex(@"^\| NaiveCpu \| 2 \| zipf\(0\.5\) \| eager \| [0-9.]+ \|", RegexOptions.Multiline), markdown);
        Assert.Matches(new Regex(@"^\| NaiveCpu \| Unsupported \| .* \| bf16 weights only, not nvfp4 \|$", RegexOptions.Multiline), markdown);
        Assert.Matches(new Regex(@"^\| tiny bf16 \| uniform \| 1 \| eager \| (Reference|NaiveCpu) \| [0-9.]+ \|", RegexOptions.Multiline), markdown);
        Assert.Contains("![tiny nvfp4](tiny-nvfp4.png)", markdown, StringComparison.Ordinal);
        Assert.Contains("| tuned plan | tuned regret | hybrid plan | hybrid regret | hybrid extra |", markdown, StringComparison.Ordinal);
        Assert.Contains("what `moetune tune --hybrid` chooses", markdown, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"^- tiny bf16, uniform: tuned plan (Reference|NaiveCpu); hybrid plan .+ \(\+[0-9.]+ GiB\)$", RegexOptions.Multiline), markdown);
        Assert.DoesNotContain("## Comparison", markdown, StringComparison.Ordinal);
        Assert.False(root.TryGetProperty("comparison", out var none) && none.ValueKind != JsonValueKind.Null);

        foreach (var plot in new[] { "tiny-bf16.png", "tiny-nvfp4.png" })
        {
            var (width, height) = PngSize(File.ReadAllBytes(Path.Combine(outDir, plot)));
            Assert.Equal((960, 600), (width, height));
        }

        Assert.Contains("tiny bf16", stdout, StringComparison.Ordinal);
        Assert.Contains("hybrid = moetune tune --hybrid", stdout, StringComparison.Ordinal);
        Assert.EndsWith("and 2 plot(s)", stdout.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_backend_is_a_usage_error_listing_the_valid_names()
    {
        var (exitCode, _, stderr, _) = RunBench("--tokens", "1", "--backends", "nosuch");

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("unknown backend 'nosuch'", stderr, StringComparison.Ordinal);
        Assert.Contains("Reference", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Token_count_that_is_not_a_bucket_is_a_usage_error()
    {
        var (exitCode, _, stderr, _) = RunBench("--tokens", "3");

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("3 tokens is not a token bucket", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_the_model_cannot_take_is_a_usage_error_naming_the_sizes()
    {
        // H = 40 is not a whole number of NVFP4's 16-element blocks.
        var (exitCode, _, stderr, _) = RunBenchWith(TinyConfig.Replace("\"hidden_size\": 64", "\"hidden_size\": 40", StringComparison.Ordinal), "--tokens", "1", "--format", "nvfp4");

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("hidden (40)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_against_an_earlier_run_matches_its_points_and_writes_the_comparison_everywhere()
    {
        var first = QuickBench("first");
        Assert.True(first.ExitCode == ExitCodes.Ok, first.Stderr);

        var (exitCode, stdout, stderr, outDir) = QuickBench("second", "--compare", Path.Combine(first.OutDir, "bench.json"));

        Assert.True(exitCode == ExitCodes.Ok, $"exit {exitCode}; stderr:\n{stderr}");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "bench.json")));
        var comparison = json.RootElement.GetProperty("comparison");
        Assert.Equal(JsonValueKind.Null, comparison.GetProperty("refused").ValueKind);
        var points = comparison.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(2, points.Count); // Reference at T = 1 × uniform, zipf
        Assert.All(points, p =>
        {
            Assert.Equal("Reference", p.GetProperty("key").GetProperty("backend").GetString());
            Assert.True(p.GetProperty("ratio").GetDouble() > 0);
            Assert.True(p.GetProperty("tolerance").GetDouble() >= 0.03);
        });
        Assert.Equal((0, 0), (comparison.GetProperty("onlyInPrevious").GetInt32(), comparison.GetProperty("onlyInCurrent").GetInt32()));

        var markdown = File.ReadAllText(Path.Combine(outDir, "bench.md"));
        Assert.Contains("## Comparison with an earlier run", markdown, StringComparison.Ordinal);
        Assert.Contains(NoiseRule.Description, markdown, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"^\| tiny bf16 \| Reference \| 1 \| uniform \| eager \| [0-9.]+ \| [0-9.]+ \| [0-9.]+× \| .+ \| ±[0-9.]+% \| (within|\*\*outside\*\*) \|$", RegexOptions.Multiline), markdown);
        Assert.Matches(new Regex(@"^comparison against .+bench\.json \(.+\): (NOT )?within noise: 2 points in both, median new/old [0-9.]+×", RegexOptions.Multiline), stdout);
    }

    [Fact]
    public void Compare_against_a_run_on_another_gpu_is_refused_and_the_run_is_still_written()
    {
        var first = QuickBench("first");
        Assert.True(first.ExitCode == ExitCodes.Ok, first.Stderr);
        var previous = Path.Combine(first.OutDir, "bench.json");
        var document = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(previous))!;
        document["environment"]!["device"]!["name"] = "NVIDIA H200";
        File.WriteAllText(previous, document.ToJsonString());

        var (exitCode, stdout, stderr, outDir) = QuickBench("second", "--compare", previous);

        Assert.True(exitCode == ExitCodes.Ok, $"exit {exitCode}; stderr:\n{stderr}");
        Assert.Contains("was measured on NVIDIA H200", stderr, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "bench.json")));
        var refused = json.RootElement.GetProperty("comparison").GetProperty("refused").GetString();
        Assert.StartsWith("the previous run was on NVIDIA H200, this one on ", refused, StringComparison.Ordinal);
        Assert.Contains("refused: the previous run was on NVIDIA H200", stdout, StringComparison.Ordinal);
        Assert.Contains("refused: the previous run was on NVIDIA H200", File.ReadAllText(Path.Combine(outDir, "bench.md")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "does not exist")]
    [InlineData("{\"environment\": {}}", "is not a bench.json: $.environment.device is missing")]
    [InlineData("not json", "is not JSON")]
    public void Compare_against_a_missing_or_malformed_file_is_a_usage_error_before_anything_is_measured(string? content, string expected)
    {
        var previous = _temp.Combine("previous", "bench.json");
        if (content is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(previous)!);
            File.WriteAllText(previous, content);
        }

        var (exitCode, _, stderr, outDir) = QuickBench("second", "--compare", previous);

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains($"{previous} {expected}", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir), "nothing may be measured or written before the previous run is checked");
    }

    [Fact]
    public void Help_documents_compare_with_an_example()
    {
        var (exitCode, stdout, _, _) = RunBench("--help");

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Contains("--compare <bench.json>", stdout, StringComparison.Ordinal);
        Assert.Contains("within noise", stdout, StringComparison.Ordinal);
        Assert.Contains("moetune bench --out bench-new --compare docs/benchmarks/h100/bench.json", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Replot_redraws_an_earlier_runs_plots_from_its_json_and_measures_nothing()
    {
        var (exitCode, _, stderr, outDir) = QuickBench("run");
        Assert.True(exitCode == ExitCodes.Ok, stderr);
        var plot = Directory.GetFiles(outDir, "*.png").Single();
        var markdown = File.ReadAllText(Path.Combine(outDir, "bench.md"));
        File.Delete(plot);

        var (replotCode, stdout, replotErrors) = Cli("bench", "--replot", outDir);

        Assert.True(replotCode == ExitCodes.Ok, replotErrors);
        Assert.Contains("redrew 1 plot(s)", stdout, StringComparison.Ordinal);
        Assert.Equal((960, 600), PngSize(File.ReadAllBytes(plot)));
        Assert.Equal(markdown, File.ReadAllText(Path.Combine(outDir, "bench.md")));
    }

    [Theory]
    [InlineData("--model", "qwen3-30b-a3b", "got --model")]
    [InlineData("--out", "elsewhere", "got --out")]
    public void Replot_with_a_measuring_option_is_a_usage_error(string option, string value, string expected)
    {
        var (exitCode, _, stderr) = Cli("bench", "--replot", _temp.Path, option, value);

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Replot_of_a_folder_without_a_bench_json_is_a_usage_error_naming_the_file()
    {
        var (exitCode, _, stderr) = Cli("bench", "--replot", _temp.Path);

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains(Path.Combine(_temp.Path, "bench.json"), stderr, StringComparison.Ordinal);
    }

    private (int ExitCode, string Stdout, string Stderr, string OutDir) RunBench(params string[] extra) => RunBenchWith(TinyConfig, extra);

    /// <summary>The smallest run that still measures: the Reference backend, bf16, T = 1, into <paramref name="outName"/>.</summary>
    private (int ExitCode, string Stdout, string Stderr, string OutDir) QuickBench(string outName, params string[] extra) =>
        Bench(TinyConfig, outName, "2", ["--tokens", "1", "--format", "bf16", "--backends", "reference", .. extra]);

    private (int ExitCode, string Stdout, string Stderr, string OutDir) RunBenchWith(string configJson, params string[] extra) => Bench(configJson, "out", "6", extra);

    private (int ExitCode, string Stdout, string Stderr, string OutDir) Bench(string configJson, string outName, string budget, string[] extra)
    {
        var config = _temp.Combine("tiny", "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        File.WriteAllText(config, configJson);
        var plugins = _plugins ??= FixturePlugins.CopyTo(_temp.Combine("plugins"));
        var outDir = _temp.Combine(outName);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(
            stdout,
            stderr,
            EnvironmentSnapshot.Empty.With(EnvironmentVariables.Plugins, plugins),
            _temp.Combine("app"),
            _ => LoggerFactory.Create(_ => { }),
            interactive: false);
        string[] args = ["bench", "--device", "cpu", "--model", config, "--budget", budget, "--out", outDir, .. extra];
        var exitCode = CliApplication.Invoke(args, context);
        return (exitCode, stdout.ToString(), stderr.ToString(), outDir);
    }

    private (int ExitCode, string Stdout, string Stderr) Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, EnvironmentSnapshot.Empty, _temp.Combine("app"), _ => LoggerFactory.Create(_ => { }), interactive: false);
        return (CliApplication.Invoke(args, context), stdout.ToString(), stderr.ToString());
    }

    private static JsonElement Backend(JsonElement problem, string name) =>
        problem.GetProperty("backends").EnumerateArray().Single(b => b.GetProperty("backend").GetString() == name);

    /// <summary>The width and height of a PNG, after checking its signature and that its first chunk is IHDR.</summary>
    private static (int Width, int Height) PngSize(byte[] png)
    {
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.True(png.Length > 33 && png.AsSpan(0, 8).SequenceEqual(signature), "not a PNG file");
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }
}
