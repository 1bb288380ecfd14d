using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using MoeTune.Abstractions.Backends;

namespace MoeTune.Engine.Plugins;

/// <summary>
/// Checks, before anything is loaded, that a plugin assembly was built against this host's major version of
/// MoeTune.Abstractions. The runtime would bind an older reference to our newer assembly silently, and fail on a
/// newer one with an obscure load error; reading the reference from metadata turns both into a clear message.
/// </summary>
public static class AbstractionsCompatibility
{
    public static string AssemblyName { get; } = typeof(IMoeBackend).Assembly.GetName().Name!;

    public static Version HostVersion { get; } = typeof(IMoeBackend).Assembly.GetName().Version!;

    /// <summary>Null where <paramref name="assemblyPath"/> may be loaded, else why not.</summary>
    public static string? Check(string assemblyPath)
    {
        ArgumentNullException.ThrowIfNull(assemblyPath);
        Version? referenced;
        try
        {
            referenced = ReferencedVersion(assemblyPath);
        }
        catch (BadImageFormatException ex)
        {
            return $"'{Path.GetFileName(assemblyPath)}' is not a .NET assembly ({ex.Message})";
        }
        catch (InvalidOperationException ex)
        {
            return $"'{Path.GetFileName(assemblyPath)}' is not a .NET assembly ({ex.Message})";
        }

        return Check(referenced);
    }

    /// <summary>The rule itself: the plugin's Abstractions reference must exist and share the host's major version.</summary>
    public static string? Check(Version? referenced)
    {
        if (referenced is null)
        {
            return $"not a MoeTune plugin: it does not reference {AssemblyName}";
        }

        return referenced.Major == HostVersion.Major
            ? null
            : $"built against {AssemblyName} {referenced.Major}.x, but this host has {HostVersion.Major}.x; rebuild the plugin against {HostVersion.Major}.x";
    }

    /// <summary>The version of MoeTune.Abstractions that the assembly references, or null where it references none.</summary>
    public static Version? ReferencedVersion(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata)
        {
            throw new BadImageFormatException("no CLI metadata");
        }

        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.AssemblyReferences)
        {
            var reference = metadata.GetAssemblyReference(handle);
            if (metadata.StringComparer.Equals(reference.Name, AssemblyName))
            {
                return reference.Version;
            }
        }

        return null;
    }
}
