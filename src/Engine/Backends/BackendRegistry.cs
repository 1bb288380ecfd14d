using MoeTune.Abstractions.Backends;

namespace MoeTune.Engine.Backends;

/// <summary>
/// Every backend the host knows, addressable by name or alias in any case. A name (or alias) belongs to one backend:
/// a plugin that would register a taken name is refused as a whole, so that a forced name always means one thing.
/// </summary>
public sealed class BackendRegistry
{
    /// <summary>The word that means "no override" wherever a backend is named.</summary>
    public const string Auto = "auto";

    private readonly List<RegisteredBackend> _backends = [];
    private readonly Dictionary<string, RegisteredBackend> _byName = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>In registration order: built-in first, then plugins in load order.</summary>
    public IReadOnlyList<RegisteredBackend> All => _backends;

    /// <summary>Every accepted name, canonical names first, for "valid names are ..." messages.</summary>
    public IReadOnlyList<string> ValidNames =>
        [.. _backends.Select(b => b.Name), .. _backends.SelectMany(b => b.Backend.Aliases)];

    /// <summary>Adds a group of backends (one plugin's) all or none; returns null on success, else why not.</summary>
    /// <param name="backends">The group.</param>
    /// <param name="source">Where it comes from, in a few words (see <see cref="RegisteredBackend.Source"/>).</param>
    /// <param name="folder">The plugin folder, for a plugin's group.</param>
    public string? TryAdd(IReadOnlyList<IMoeBackend> backends, string source, string? folder = null)
    {
        ArgumentNullException.ThrowIfNull(backends);
        var claimed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var backend in backends)
        {
            if (string.IsNullOrWhiteSpace(backend.Name))
            {
                return $"a backend of type {backend.GetType().FullName} has an empty name";
            }

            // A backend may list its own name again in another case (Marlin / MARLIN): that is one name, not a clash.
            var names = new[] { backend.Name }.Concat(backend.Aliases ?? []).Distinct(StringComparer.OrdinalIgnoreCase);
            foreach (var name in names)
            {
                if (string.IsNullOrWhiteSpace(name) || name.Trim() != name)
                {
                    return $"backend '{backend.Name}' has a blank or padded name or alias ('{name}')";
                }

                if (string.Equals(name, Auto, StringComparison.OrdinalIgnoreCase))
                {
                    return $"backend '{backend.Name}' uses the reserved name '{Auto}'";
                }

                if (_byName.TryGetValue(name, out var taken))
                {
                    return $"backend name '{name}' is already registered by {taken.Name} ({taken.Source}{(taken.Folder is { } f ? " in " + f : "")})";
                }

                if (!claimed.TryAdd(name, backend.Name))
                {
                    return $"backend name '{name}' is registered twice by the same source ({claimed[name]} and {backend.Name})";
                }
            }
        }

        foreach (var backend in backends)
        {
            var registered = new RegisteredBackend(backend, source, folder);
            _backends.Add(registered);
            foreach (var name in registered.AllNames)
            {
                _byName[name] = registered;
            }
        }

        return null;
    }

    /// <summary>The backend with this name or alias (any case), or null.</summary>
    public RegisteredBackend? Find(string name) => _byName.GetValueOrDefault(name.Trim());
}
