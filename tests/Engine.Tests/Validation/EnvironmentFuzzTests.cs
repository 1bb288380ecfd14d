using CsCheck;
using MoeTune.Engine.Plugins;
using MoeTune.Engine.Selection;
using MoeTune.Engine.Tests.Support;
using static MoeTune.Engine.Tests.Selection.SelectionFixtures;

namespace MoeTune.Engine.Tests.Validation;

/// <summary>
/// Whatever MOETUNE_BACKEND, MOETUNE_BACKEND_&lt;FORMAT&gt; and MOETUNE_PLUGINS hold, selection and plugin discovery
/// answer (a choice, or an error or a skipped folder that quotes the value) and never throw.
/// </summary>
public sealed class EnvironmentFuzzTests : IDisposable
{
    private static readonly string[] KnownNames = ["Marlin", "MARLIN", "FlashInferCutlass", "FLASHINFER_CUTLASS", "TrtLlm", "auto"];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Arbitrary text, and known names in any case with any padding.</summary>
    private static Gen<string> Values { get; } = Gen.OneOf(
        Gen.String,
        Gen.String[" \t\r\n\u00a0"].SelectMany(pad => Gen.OneOf(KnownNames).SelectMany(name => Gen.Bool.Array[name.Length].Select(upper =>
            pad + new string(name.Select((c, i) => upper[i] ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c)).ToArray()) + pad))));

    [Fact]
    public void Any_backend_override_is_a_choice_an_error_quoting_it_or_no_override()
    {
        Values.SelectMany(value => Gen.Bool.Select(formatLevel => (value, formatLevel))).Sample(sample =>
        {
            var (value, formatLevel) = sample;
            var inputs = formatLevel ? Inputs(formatEnv: value) : Inputs(globalEnv: value);

            var outcome = SelectionPrecedence.Decide(inputs);

            var name = value.Trim();
            var candidate = Candidates.FirstOrDefault(c => c.Answers(name));
            switch (outcome)
            {
                case SelectionOutcome.Tune:
                    Assert.True(name.Length == 0 || name.Equals("auto", StringComparison.OrdinalIgnoreCase), $"'{value}' was ignored");
                    break;
                case SelectionOutcome.Chosen chosen:
                    Assert.Equal(candidate?.Name, chosen.Plan.ToString());
                    break;
                case SelectionOutcome.Rejected { Kind: SelectionErrorKind.Unsupported } rejected:
                    Assert.Contains($"backend {candidate!.Name} (from ", rejected.Message, StringComparison.Ordinal);
                    break;
                case SelectionOutcome.Rejected rejected:
                    Assert.Null(candidate);
                    Assert.Equal(SelectionErrorKind.UnknownBackend, rejected.Kind);
                    Assert.StartsWith($"unknown backend '{name}' (from MOETUNE_BACKEND", rejected.Message, StringComparison.Ordinal);
                    break;
                default:
                    Assert.Fail($"unexpected outcome {outcome}");
                    break;
            }
        });
    }

    [Fact]
    public void Any_plugin_path_list_is_discovered_without_throwing()
    {
        // Within a private folder, so that no listed path can be a real plugin folder of this machine.
        var root = _temp.Path;
        Gen.String.Array[0, 4].Sample(parts =>
        {
            var listed = string.Join(Path.PathSeparator, parts.Select(p => Path.Combine(root, Confined(p))));
            var environment = EnvironmentSnapshot.Empty.With(EnvironmentVariables.Plugins, listed);

            var (folders, failures) = PluginDiscovery.Find(_temp.Combine("app"), environment);

            Assert.Empty(folders);
            Assert.All(failures, f => Assert.Contains(EnvironmentVariables.Plugins, f.Reason, StringComparison.Ordinal));
        });
    }

    /// <summary><paramref name="junk"/> as one name inside the private folder: no separators, no way up.</summary>
    private static string Confined(string junk) =>
        junk.Replace("..", "", StringComparison.Ordinal).Replace('/', '_').Replace('\\', '_').Replace(Path.PathSeparator, '_');

    [Fact]
    public void A_listed_folder_that_cannot_be_read_is_a_failure_not_a_crash()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName == "root")
        {
            Assert.Skip("needs Unix permissions that bind this user (root reads everything)");
            return;
        }

        var locked = _temp.Combine("locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.None);
        try
        {
            var (folders, failures) = PluginDiscovery.Find(_temp.Combine("app"), EnvironmentSnapshot.Empty.With(EnvironmentVariables.Plugins, locked));

            Assert.Empty(folders);
            Assert.Contains("cannot be listed", Assert.Single(failures).Reason, StringComparison.Ordinal);
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
