using System.Diagnostics;
using System.Globalization;
using MoeTune.Cuda.Compilation;
using MoeTune.Cuda.Driver;
using MoeTune.Cuda.Primitives;

namespace MoeTune.Gpu.Tests.Startup;

/// <summary>
/// The child process of <see cref="StartupTests"/>: what a MoeTune process does at start-up for the shared primitives
/// (initialise CUDA, compile or fetch every build, load every kernel), reported as one line
/// "compiled diskHits milliseconds" in the file it is given.
/// </summary>
internal static class StartupProbe
{
    public const string Argument = "--startup-probe";

    public static int Run(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine($"usage: {Argument} CACHE_DIRECTORY RESULT_FILE");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        if (!CudaRuntime.TryGetDevices(out var devices, out var reason))
        {
            Console.Error.WriteLine(reason);
            return 3;
        }

        using var context = devices[0].RetainPrimaryContext();
        var compiler = new KernelCompiler(new KernelDiskCache(args[0]));
        int compiled = 0, diskHits = 0;
        foreach (var build in new PrimitiveKernels().Builds)
        {
            var kernel = compiler.Compile(build, devices[0].ToDeviceInfo());
            compiled += kernel.Origin == KernelOrigin.Compiled ? 1 : 0;
            diskHits += kernel.Origin == KernelOrigin.DiskCache ? 1 : 0;
            using var module = CudaModule.Load(context, kernel);
            foreach (var name in build.KernelNames)
            {
                module.GetFunction(name);
            }
        }

        File.WriteAllText(args[1], string.Create(CultureInfo.InvariantCulture, $"{compiled} {diskHits} {clock.Elapsed.TotalMilliseconds:F1}"));
        return 0;
    }
}
