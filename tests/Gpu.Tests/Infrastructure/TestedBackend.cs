using MoeTune.Abstractions.Backends;
using MoeTune.Cuda.Compilation;

namespace MoeTune.Gpu.Tests.Infrastructure;

/// <summary>A backend as the suite tests it: its name, how to create it, and the token count its layers are prepared for.</summary>
public sealed record TestedBackend(string Name, int MaxTokens, Func<KernelCompiler, IMoeBackend> Create);
