using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using MoeTune.Abstractions.Devices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Engine.Autotuning;
using MoeTune.Engine.Backends;
using MoeTune.Engine.Devices;
using MoeTune.Engine.Selection;
using MoeTune.Models;
using MoeTune.Tuning;

namespace MoeTune.Host.Cli;

/// <summary>
/// The options of the commands that select a backend (<c>run</c>, <c>explain</c>): model and format, a forced
/// backend, the device, the objective and whether tuning may run; and the selection request they stand for.
/// </summary>
internal sealed class SelectionOptions
{
    private readonly Option<string> _model = CommonOptions.Model();
    private readonly Option<WeightFormat?> _format = CommonOptions.Format();
    private readonly Option<string> _backend = CommonOptions.Backend();
    private readonly Option<string> _device = CommonOptions.Device();
    private readonly Option<TuningObjective> _objective = CommonOptions.Objective();
    private readonly Option<bool> _noTune = CommonOptions.NoTune();

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _model, _format, _backend, _device, _objective, _noTune })
        {
            command.Options.Add(option);
        }
    }

    public ModelSpec Model(ParseResult parse) => ModelArgument.Resolve(parse.GetRequiredValue(_model), parse.GetValue(_format));

    /// <summary>The device to open (see <see cref="DeviceChoice"/>).</summary>
    public DeviceInfo Device(ParseResult parse, IServiceProvider services, CliContext context, ModelSpec model) => DeviceChoice.Resolve(
        services.GetRequiredService<DeviceCatalog>(),
        services.GetRequiredService<BackendCatalog>(),
        parse.GetValue(_device),
        parse.GetValue(_backend),
        context.Environment,
        model.Shape.Format);

    /// <summary>The request for <paramref name="model"/> on <paramref name="device"/>; <paramref name="weights"/> is called only if a tune runs.</summary>
    public SelectionRequest Request(ParseResult parse, IExecutionDevice device, ModelSpec model, Func<MoeWeights> weights) =>
        new(device, model.Shape, weights)
        {
            Backend = parse.GetValue(_backend),
            TuningEnabled = !parse.GetValue(_noTune),
            Settings = new TuneSettings { Objective = parse.GetValue(_objective) },
            Label = model.Name,
        };
}
