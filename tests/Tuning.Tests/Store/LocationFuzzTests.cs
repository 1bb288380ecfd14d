using CsCheck;
using MoeTune.Fixtures.Fuzzing;
using MoeTune.Tuning.Tests.Store.Support;
using MoeTune.TuningDb;

namespace MoeTune.Tuning.Tests.Store;

/// <summary>
/// Property: whatever MOETUNE_DB holds (control characters, NUL, names too long for the file system, a file where a
/// folder belongs), the store opens there or fails with a <see cref="TuningStoreException"/> that names the variable.
/// The junk is confined to a private folder (no separators, no way up), so that nothing lands elsewhere.
/// </summary>
public sealed class LocationFuzzTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Any_moetune_db_opens_or_fails_naming_the_variable()
    {
        File.WriteAllText(_folder.File("a-file"), "");
        var names = Gen.OneOf(
            JsonMutation.Text,
            Gen.Int[200, 400].Select(n => new string('x', n)),
            Gen.Const("a-file/tuning.db"),
            Gen.Const("nul\0inside"));

        names.Sample(junk =>
        {
            var confined = junk.Replace("..", "", StringComparison.Ordinal).Replace('\\', '_');
            confined = confined == "a-file/tuning.db" ? confined : confined.Replace('/', '_');
            TuningStore? store = null;
            try
            {
                store = TuningStore.Open(TuningStoreOptions.For(TuningStoreLocation.Resolve(
                    name => name == TuningStoreLocation.EnvironmentVariable ? Path.Combine(_folder.Path, confined) : null)));
            }
            catch (TuningStoreException e)
            {
                Assert.Contains(TuningStoreLocation.EnvironmentVariable, e.Message, StringComparison.Ordinal);
            }
            finally
            {
                store?.Dispose();
            }
        }, threads: 1, iter: 150);
    }
}
