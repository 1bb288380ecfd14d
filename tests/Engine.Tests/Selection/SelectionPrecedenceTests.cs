using MoeTune.Abstractions.Backends;
using MoeTune.Abstractions.Problems;
using MoeTune.Engine.Selection;
using MoeTune.Tuning;
using MoeTune.TuningDb;
using static MoeTune.Engine.Tests.Selection.SelectionFixtures;

namespace MoeTune.Engine.Tests.Selection;

public sealed class SelectionPrecedenceTests
{
    [Fact]
    public void Command_line_beats_both_environment_variables_and_the_store()
    {
        var outcome = SelectionPrecedence.Decide(Inputs(cli: "Marlin", formatEnv: "FlashInferCutlass", globalEnv: "FlashInferCutlass", stored: StoredMarlin()));

        var chosen = Assert.IsType<SelectionOutcome.Chosen>(outcome);
        Assert.Equal(SelectionSource.CommandLine, chosen.Source);
        Assert.Equal("Marlin", chosen.Plan.ToString());
    }

    [Fact]
    public void Format_variable_beats_the_global_variable()
    {
        var chosen = Assert.IsType<SelectionOutcome.Chosen>(SelectionPrecedence.Decide(Inputs(formatEnv: "Marlin", globalEnv: "FlashInferCutlass")));

        Assert.Equal(SelectionSource.FormatEnvironment, chosen.Source);
        Assert.Equal("Marlin", chosen.Plan.ToString());
    }

    [Fact]
    public void Format_variable_applies_only_to_its_format()
    {
        var inputs = Inputs(formatEnv: "Marlin", globalEnv: "FlashInferCutlass", format: WeightFormat.Nvfp4) with { Format = WeightFormat.Mxfp4 };

        var chosen = Assert.IsType<SelectionOutcome.Chosen>(SelectionPrecedence.Decide(inputs));

        Assert.Equal(SelectionSource.Environment, chosen.Source);
        Assert.Equal("FlashInferCutlass", chosen.Plan.ToString());
    }

    [Fact]
    public void Global_variable_beats_the_stored_decision()
    {
        var chosen = Assert.IsType<SelectionOutcome.Chosen>(SelectionPrecedence.Decide(Inputs(globalEnv: "FlashInferCutlass", stored: StoredMarlin())));

        Assert.Equal(SelectionSource.Environment, chosen.Source);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("AUTO")]
    [InlineData("  ")]
    public void Auto_or_blank_means_no_override_at_that_level(string value)
    {
        var chosen = Assert.IsType<SelectionOutcome.Chosen>(SelectionPrecedence.Decide(Inputs(cli: value, formatEnv: value, globalEnv: "Marlin")));

        Assert.Equal(SelectionSource.Environment, chosen.Source);
    }

    [Theory]
    [InlineData("marlin")]
    [InlineData("MARLIN")]
    [InlineData("Marlin")]
    [InlineData("mArLiN")]
    public void Names_and_aliases_match_in_any_case_and_resolve_to_the_canonical_name(string name)
    {
        var chosen = Assert.IsType<SelectionOutcome.Chosen>(SelectionPrecedence.Decide(Inputs(cli: name)));

        Assert.Equal("Marlin", chosen.Plan.ToString());
    }

    [Fact]
    public void Upper_case_engine_alias_selects_its_backend()
    {
        var chosen = Assert.IsType<SelectionOutcome.Chosen>(SelectionPrecedence.Decide(Inputs(formatEnv: "flashinfer_cutlass")));

        Assert.Equal("FlashInferCutlass", chosen.Plan.ToString());
    }

    [Fact]
    public void Unknown_forced_name_is_an_error_listing_the_valid_names_and_its_source()
    {
        var rejected = Assert.IsType<SelectionOutcome.Rejected>(SelectionPrecedence.Decide(Inputs(formatEnv: "Bogus", stored: StoredMarlin())));

        Assert.Equal(SelectionErrorKind.UnknownBackend, rejected.Kind);
        Assert.Contains("'Bogus'", rejected.Message, StringComparison.Ordinal);
        Assert.Contains("MOETUNE_BACKEND_NVFP4", rejected.Message, StringComparison.Ordinal);
        foreach (var name in new[] { "Marlin", "MARLIN", "TrtLlm", "FLASHINFER_TRTLLM", "FlashInferCutlass", "FLASHINFER_CUTLASS", "auto" })
        {
            Assert.Contains(name, rejected.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Forced_backend_that_cannot_run_here_is_an_error_with_its_reason_not_a_fallback()
    {
        var rejected = Assert.IsType<SelectionOutcome.Rejected>(SelectionPrecedence.Decide(Inputs(cli: "flashinfer_trtllm", globalEnv: "Marlin")));

        Assert.Equal(SelectionErrorKind.Unsupported, rejected.Kind);
        Assert.Contains("TrtLlm (from --backend)", rejected.Message, StringComparison.Ordinal);
        Assert.Contains("needs SM100 or newer", rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_stored_decision_is_used_without_notes()
    {
        var chosen = Assert.IsType<SelectionOutcome.Chosen>(SelectionPrecedence.Decide(Inputs(stored: StoredMarlin())));

        Assert.Equal(SelectionSource.StoredDecision, chosen.Source);
        Assert.Empty(chosen.Notes);
    }

    [Fact]
    public void Decision_stale_by_driver_is_used_with_a_warning()
    {
        var chosen = Assert.IsType<SelectionOutcome.Chosen>(SelectionPrecedence.Decide(Inputs(stored: StoredMarlin("tuned with driver 12.4, now 13.0"))));

        Assert.Equal(SelectionSource.StoredDecision, chosen.Source);
        var note = Assert.Single(chosen.Notes);
        Assert.Contains("driver 12.4, now 13.0", note, StringComparison.Ordinal);
        Assert.Contains("moetune tune --force", note, StringComparison.Ordinal);
    }

    [Fact]
    public void Decision_the_store_found_invalid_is_not_used_and_tuning_runs_again()
    {
        var tune = Assert.IsType<SelectionOutcome.Tune>(SelectionPrecedence.Decide(Inputs(stored: StoredMarlin(invalidReason: "Marlin changed from 1.0 (a) to 2.0 (b)"))));

        var note = Assert.Single(tune.Notes);
        Assert.Contains("no longer valid: Marlin changed from 1.0 (a) to 2.0 (b)", note, StringComparison.Ordinal);
    }

    [Fact]
    public void Decision_naming_a_backend_that_is_gone_or_now_unsupported_is_not_used()
    {
        var gone = SelectionPrecedence.Decide(Inputs(stored: StoredMarlin(), candidates: [TrtLlm, Cutlass]));
        var nowUnsupported = SelectionPrecedence.Decide(Inputs(stored: StoredMarlin(), candidates: [Marlin with { Support = SupportDecision.No("removed SM80") }, Cutlass]));

        Assert.Contains("Marlin is not loaded", Assert.IsType<SelectionOutcome.Tune>(gone).Notes[0], StringComparison.Ordinal);
        Assert.Contains("removed SM80", Assert.IsType<SelectionOutcome.Tune>(nowUnsupported).Notes[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Hybrid_stored_plan_is_used_with_its_steps_only_when_every_backend_in_it_can_run()
    {
        var plan = new Plan([new PlanStep(16, "Marlin"), new PlanStep(int.MaxValue, "FlashInferCutlass")]);

        var chosen = Assert.IsType<SelectionOutcome.Chosen>(SelectionPrecedence.Decide(Inputs(stored: Stored(plan))));
        var cutlassGone = SelectionPrecedence.Decide(Inputs(stored: Stored(plan), candidates: [Marlin]));

        Assert.Equal("Marlin", chosen.Plan.BackendFor(16));
        Assert.Equal("FlashInferCutlass", chosen.Plan.BackendFor(17));
        Assert.IsType<SelectionOutcome.Tune>(cutlassGone);
    }

    [Fact]
    public void Without_a_decision_tuning_runs_when_enabled()
    {
        Assert.IsType<SelectionOutcome.Tune>(SelectionPrecedence.Decide(Inputs()));
    }

    [Fact]
    public void Without_a_decision_and_with_tuning_off_the_first_supported_in_priority_order_wins()
    {
        var chosen = Assert.IsType<SelectionOutcome.Chosen>(SelectionPrecedence.Decide(Inputs(tuning: false)));

        Assert.Equal(SelectionSource.PriorityOrder, chosen.Source);
        Assert.Equal("FlashInferCutlass", chosen.Plan.ToString());
    }

    [Fact]
    public void No_supported_candidate_is_an_error_listing_every_reason()
    {
        var rejected = Assert.IsType<SelectionOutcome.Rejected>(SelectionPrecedence.Decide(Inputs(candidates: [TrtLlm])));

        Assert.Equal(SelectionErrorKind.NoSupportedBackend, rejected.Kind);
        Assert.Contains("TrtLlm: needs SM100 or newer", rejected.Message, StringComparison.Ordinal);
    }

    private static readonly StoredDecision?[] StoredCases =
    [
        null,
        StoredMarlin(),
        StoredMarlin(staleReason: "driver changed"),
        StoredMarlin(invalidReason: "Marlin changed from 0.9 to 1.0"),
        Stored(Plan.OneBackend("TrtLlm")),
    ];

    /// <summary>
    /// Every combination of the three override levels (six values each), five kinds of stored decision and tuning on/off
    /// (2160 cases), against the rule as DESIGN.md words it: the highest level that names something other than auto
    /// decides alone (its backend, or an error naming it); otherwise a usable stored decision; otherwise tune, or the
    /// priority order. One test, so that a regression reads as the first failing combination.
    /// </summary>
    [Fact]
    public void Precedence_holds_for_every_combination()
    {
        string?[] names = [null, "auto", "marlin", "FLASHINFER_CUTLASS", "flashinfer_trtllm", "Bogus"];
        var cases = 0;
        foreach (var cli in names)
        {
            foreach (var formatEnv in names)
            {
                foreach (var globalEnv in names)
                {
                    for (var stored = 0; stored < StoredCases.Length; stored++)
                    {
                        foreach (var tuning in new[] { true, false })
                        {
                            var context = $"cli={cli ?? "-"} fmt={formatEnv ?? "-"} env={globalEnv ?? "-"} stored#{stored} tuning={tuning}";
                            var failure = Record.Exception(() => CheckCombination(cli, formatEnv, globalEnv, stored, tuning));
                            Assert.True(failure is null, $"{context}: {failure?.Message}");
                            cases++;
                        }
                    }
                }
            }
        }

        Assert.Equal(2160, cases);
    }

    private static void CheckCombination(string? cli, string? formatEnv, string? globalEnv, int storedCase, bool tuning)
    {
        var stored = StoredCases[storedCase];
        var outcome = SelectionPrecedence.Decide(Inputs(cli, formatEnv, globalEnv, stored, tuning));

        var levels = new[] { (cli, "--backend", SelectionSource.CommandLine), (formatEnv, "MOETUNE_BACKEND_NVFP4", SelectionSource.FormatEnvironment), (globalEnv, "MOETUNE_BACKEND", SelectionSource.Environment) };
        var deciding = levels.FirstOrDefault(l => l.Item1 is not null && l.Item1 != "auto");
        if (deciding.Item1 is { } name)
        {
            switch (name)
            {
                case "Bogus":
                    Assert.Equal(SelectionErrorKind.UnknownBackend, Assert.IsType<SelectionOutcome.Rejected>(outcome).Kind);
                    Assert.Contains(deciding.Item2, ((SelectionOutcome.Rejected)outcome).Message, StringComparison.Ordinal);
                    break;
                case "flashinfer_trtllm":
                    Assert.Equal(SelectionErrorKind.Unsupported, Assert.IsType<SelectionOutcome.Rejected>(outcome).Kind);
                    Assert.Contains(deciding.Item2, ((SelectionOutcome.Rejected)outcome).Message, StringComparison.Ordinal);
                    break;
                default:
                    var chosen = Assert.IsType<SelectionOutcome.Chosen>(outcome);
                    Assert.Equal(deciding.Item3, chosen.Source);
                    Assert.Equal(name == "marlin" ? "Marlin" : "FlashInferCutlass", chosen.Plan.ToString());
                    break;
            }

            return;
        }

        var storedUsable = storedCase is 1 or 2;
        if (storedUsable)
        {
            var chosen = Assert.IsType<SelectionOutcome.Chosen>(outcome);
            Assert.Equal(SelectionSource.StoredDecision, chosen.Source);
            Assert.Equal(storedCase == 2 ? 1 : 0, chosen.Notes.Count);
        }
        else if (tuning)
        {
            Assert.Equal(stored is null ? 0 : 1, Assert.IsType<SelectionOutcome.Tune>(outcome).Notes.Count);
        }
        else
        {
            var chosen = Assert.IsType<SelectionOutcome.Chosen>(outcome);
            Assert.Equal(SelectionSource.PriorityOrder, chosen.Source);
            Assert.Equal("FlashInferCutlass", chosen.Plan.ToString());
        }
    }
}
