namespace MoeTune.TuningDb;

/// <summary>
/// A tuning store failure a user can act on: an unwritable location, a lock held too long, a database from a newer
/// MoeTune, an invalid stored record or a rejected import. The message names the file and, where there is one, the record.
/// </summary>
public sealed class TuningStoreException : Exception
{
    public TuningStoreException()
    {
    }

    public TuningStoreException(string message)
        : base(message)
    {
    }

    public TuningStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
