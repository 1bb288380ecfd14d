using System.CommandLine;
using System.Globalization;
using MoeTune.Abstractions.Devices;
using MoeTune.Engine.Devices;
using MoeTune.Host.Cli;
using Spectre.Console;

namespace MoeTune.Host.Commands;

/// <summary><c>moetune devices</c>: the GPUs the CUDA driver reports (or why none), and the CPU.</summary>
internal sealed class DevicesCommand : ICliCommand
{
    public IReadOnlyList<string> Examples { get; } = ["moetune devices"];

    public Command Build(CliContext context)
    {
        var command = new Command("devices", "List the devices MoeTune can run on: each CUDA GPU, then the CPU.");
        CommandAction.Set(command, context, _ =>
        {
            var catalog = new DeviceCatalog();
            var c = CultureInfo.InvariantCulture;
            var table = new Table().AddColumns("device", "name", "arch", "SMs / threads", "memory", "L2", "driver", "GPU class (tuning key)");
            foreach (var device in catalog.Devices)
            {
                var gpu = device.Kind == DeviceKind.Cuda;
                table.AddRow(
                    gpu ? $"cuda:{device.Ordinal}" : DeviceCatalog.Cpu,
                    Markup.Escape(device.Name),
                    gpu ? device.Arch : "-",
                    device.MultiprocessorCount.ToString(c),
                    string.Create(c, $"{device.TotalMemoryBytes / (double)(1L << 30):0.#} GiB"),
                    device.L2CacheBytes > 0 ? string.Create(c, $"{device.L2CacheBytes >> 20} MiB") : "-",
                    gpu ? device.DriverVersion : "-",
                    Markup.Escape(device.ClassKey));
            }

            context.Console.Write(table);
            context.Output.WriteLine($"CUDA: {catalog.CudaStatus}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
