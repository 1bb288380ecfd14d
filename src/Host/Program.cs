using MoeTune.Engine;
using MoeTune.Host.Cli;

var context = new CliContext(
    Console.Out,
    Console.Error,
    EnvironmentSnapshot.FromProcess(),
    AppContext.BaseDirectory,
    ConsoleLogging.Create,
    interactive: !Console.IsOutputRedirected);
return CliApplication.Invoke(args, context);
