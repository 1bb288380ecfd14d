using MoeTune.Gpu.Tests.Infrastructure;

// One CUDA context for the whole run, and one test at a time on the GPU: timings and sticky faults stay attributable.
[assembly: AssemblyFixture(typeof(GpuFixture))]
[assembly: CollectionBehavior(DisableTestParallelization = true)]
