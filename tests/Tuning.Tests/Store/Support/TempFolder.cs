namespace MoeTune.Tuning.Tests.Store.Support;

/// <summary>A fresh folder under the system temp folder, removed on dispose: store tests never touch the user's cache folder.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "moetune-tests-" + Guid.NewGuid().ToString("N"));

    public string DatabasePath => File("tuning.db");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
