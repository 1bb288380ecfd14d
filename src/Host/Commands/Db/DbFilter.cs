using System.CommandLine;
using MoeTune.Abstractions.Problems;
using MoeTune.Host.Cli;
using MoeTune.Models;
using MoeTune.Tuning;
using MoeTune.TuningDb;

namespace MoeTune.Host.Commands.Db;

/// <summary>The record filters <c>db show</c> and <c>db forget</c> share: model (and format), GPU class, objective.</summary>
internal sealed class DbFilter
{
    private readonly Option<string> _model = CommonOptions.Model(required: false);
    private readonly Option<WeightFormat?> _format = CommonOptions.Format();
    private readonly Option<string?> _gpu = new("--gpu") { Description = "A GPU class key, as 'moetune db list' or 'moetune devices' prints it." };
    private readonly Option<TuningObjective?> _objective = new("--objective")
    {
        Description = "Only this objective's decision (latency, throughput, memory).",
        HelpName = "latency|throughput|memory",
        CustomParser = CommonOptions.ParseObjective,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_model);
        command.Options.Add(_format);
        command.Options.Add(_gpu);
        command.Options.Add(_objective);
    }

    /// <summary>The chosen filters; the problem is the model's shape in the given format.</summary>
    public (MoeShape? Problem, string? Gpu, TuningObjective? Objective) Read(ParseResult parse)
    {
        var model = parse.GetValue(_model);
        var format = parse.GetValue(_format);
        if (model is null && format is not null)
        {
            throw CliException.Usage("--format needs --model");
        }

        return (model is null ? null : ModelArgument.Resolve(model, format).Shape, parse.GetValue(_gpu), parse.GetValue(_objective));
    }

    public static bool Matches(TuningDecision decision, MoeShape? problem, string? gpu, TuningObjective? objective) =>
        (problem is null || decision.Problem == problem)
        && (gpu is null || decision.Gpu.Key == gpu)
        && (objective is null || decision.Objective == objective);
}
