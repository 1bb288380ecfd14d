namespace MoeTune.Engine.Selection;

/// <summary>Selection refused: a forced name is unknown or cannot run here, or no backend can run the problem here.</summary>
public sealed class BackendSelectionException : Exception
{
    public BackendSelectionException()
        : this(SelectionErrorKind.NoSupportedBackend, "no backend selected")
    {
    }

    public BackendSelectionException(string message)
        : this(SelectionErrorKind.NoSupportedBackend, message)
    {
    }

    public BackendSelectionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = SelectionErrorKind.NoSupportedBackend;
    }

    public BackendSelectionException(SelectionErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    public SelectionErrorKind Kind { get; }
}
