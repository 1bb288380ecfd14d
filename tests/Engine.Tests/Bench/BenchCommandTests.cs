using System.Buffers.Binary;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
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
        Assert.Equal(8, root.GetProperty("regret").GetArrayLength()); // 2 problems × 2 routings × 2 token counts

        var markdown = File.ReadAllText(Path.Combine(outDir, "bench.md"));
        Assert.Matches(new Regex(@"^\| Reference \| 1 \| uniform \| eager \| [0-9.]+ \|", RegexOptions.Multiline), markdown);
        Assert.Matches(new Regex(@"^\| NaiveCpu \| 2 \| zipf\(0\.5\) \| eager \| [0-9.]+ \|", RegexOptions.Multiline), markdown);
        Assert.Matches(new Regex(@"^\| NaiveCpu \| Unsupported \| .* \| bf16 weights only, not nvfp4 \|$", RegexOptions.Multiline), markdown);
        Assert.Matches(new Regex(@"^\| tiny bf16 \| uniform \| 1 \| eager \| (Reference|NaiveCpu) \| [0-9.]+ \|", RegexOptions.Multiline), markdown);
        Assert.Contains("![tiny nvfp4](tiny-nvfp4.png)", markdown, StringComparison.Ordinal);

        foreach (var plot in new[] { "tiny-bf16.png", "tiny-nvfp4.png" })
        {
            var (width, height) = PngSize(File.ReadAllBytes(Path.Combine(outDir, plot)));
            Assert.Equal((960, 600), (width, height));
        }

        Assert.Contains("tiny bf16", stdout, StringComparison.Ordinal);
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

    private (int ExitCode, string Stdout, string Stderr, string OutDir) RunBench(params string[] extra) => RunBenchWith(TinyConfig, extra);

    private (int ExitCode, string Stdout, string Stderr, string OutDir) RunBenchWith(string configJson, params string[] extra)
    {
        var config = _temp.Combine("tiny", "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        File.WriteAllText(config, configJson);
        var plugins = FixturePlugins.CopyTo(_temp.Combine("plugins"));
        var outDir = _temp.Combine("out");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(
            stdout,
            stderr,
            EnvironmentSnapshot.Empty.With(EnvironmentVariables.Plugins, plugins),
            _temp.Combine("app"),
            _ => LoggerFactory.Create(_ => { }),
            interactive: false);
        string[] args = ["bench", "--device", "cpu", "--model", config, "--budget", "6", "--out", outDir, .. extra];
        var exitCode = CliApplication.Invoke(args, context);
        return (exitCode, stdout.ToString(), stderr.ToString(), outDir);
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
