using Xunit.Sdk;
using Xunit.v3;

namespace MoeTune.Gpu.Tests.Infrastructure;

/// <summary>
/// Runs a class's test cases grouped by their <see cref="SuiteTraits.Preset"/> and <see cref="SuiteTraits.Format"/>
/// traits, keeping the discovery order (the theory data's order) inside a group, so that <see cref="LayerCache"/>
/// draws and prepares each (preset, format) once. xunit then runs the cases method by method, in the order of each
/// method's first case. Cases without the traits keep their discovery order, first. This needs pre-enumerated
/// theories (xunit.runner.json), which make each theory row a case of its own.
/// </summary>
public sealed class PresetOrder : ITestCaseOrderer
{
    public IReadOnlyCollection<TTestCase> OrderTestCases<TTestCase>(IReadOnlyCollection<TTestCase> testCases)
        where TTestCase : notnull, ITestCase =>
        [.. testCases.OrderBy(t => Trait(t, SuiteTraits.Preset), StringComparer.Ordinal).ThenBy(t => Trait(t, SuiteTraits.Format), StringComparer.Ordinal)];

    private static string Trait(ITestCase testCase, string name) =>
        testCase.Traits.TryGetValue(name, out var values) ? string.Join(",", values) : "";
}
