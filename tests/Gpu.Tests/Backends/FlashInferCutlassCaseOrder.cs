using Xunit.Sdk;
using Xunit.v3;

namespace MoeTune.Gpu.Tests.Backends;

/// <summary>
/// Runs a class's test cases in display-name order, so that theory rows naming the same preset and format run one
/// after another and each layer is built once (xunit's default order is stable but scattered).
/// </summary>
public sealed class FlashInferCutlassCaseOrder : ITestCaseOrderer
{
    public IReadOnlyCollection<TTestCase> OrderTestCases<TTestCase>(IReadOnlyCollection<TTestCase> testCases)
        where TTestCase : notnull, ITestCase =>
        [.. testCases.OrderBy(t => t.TestCaseDisplayName, StringComparer.Ordinal)];
}
