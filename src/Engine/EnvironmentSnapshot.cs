using System.Collections;

namespace MoeTune.Engine;

/// <summary>
/// A frozen copy of the environment variables that MoeTune reads. Selection and plugin discovery take a snapshot
/// instead of reading the process environment, so that they are pure functions a test can drive without processes.
/// Names compare case-sensitively, as on Linux.
/// </summary>
public sealed class EnvironmentSnapshot
{
    private readonly Dictionary<string, string> _values;

    public EnvironmentSnapshot(IEnumerable<KeyValuePair<string, string>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = new Dictionary<string, string>(values, StringComparer.Ordinal);
    }

    public static EnvironmentSnapshot Empty { get; } = new([]);

    /// <summary>Every MOETUNE_* variable of the current process.</summary>
    public static EnvironmentSnapshot FromProcess()
    {
        var values = new List<KeyValuePair<string, string>>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && key.StartsWith(EnvironmentVariables.Prefix, StringComparison.Ordinal) && entry.Value is string value)
            {
                values.Add(new(key, value));
            }
        }

        return new EnvironmentSnapshot(values);
    }

    /// <summary>Every variable of the snapshot as it was given (blank values included), for handing on to a child process.</summary>
    public IReadOnlyDictionary<string, string> Variables => _values;

    /// <summary>The variable's value, or null where it is unset or blank (a blank value counts as unset).</summary>
    public string? Get(string name) => _values.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>A copy with <paramref name="name"/> set (or removed where <paramref name="value"/> is null).</summary>
    public EnvironmentSnapshot With(string name, string? value)
    {
        var copy = new Dictionary<string, string>(_values, StringComparer.Ordinal);
        if (value is null)
        {
            copy.Remove(name);
        }
        else
        {
            copy[name] = value;
        }

        return new EnvironmentSnapshot(copy);
    }
}
