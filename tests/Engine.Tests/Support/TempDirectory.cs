namespace MoeTune.Engine.Tests.Support;

/// <summary>A private temporary folder (mode 700 on Unix), deleted with its contents on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("moetune-test-").FullName;

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A plugin assembly still mapped by a load context can keep a file busy on some systems; the OS cleans temp.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
