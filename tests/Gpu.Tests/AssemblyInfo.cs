using MoeTune.Gpu.Tests.Infrastructure;

// One CUDA context for the whole run, and one test at a time on the GPU: timings and sticky faults stay attributable.
[assembly: AssemblyFixture(typeof(GpuFixture))]
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// One preset's weights and layers alive at a time, and every class's cases grouped by preset so each is built once.
[assembly: AssemblyFixture(typeof(LayerCache))]
[assembly: TestCaseOrderer(typeof(PresetOrder))]
