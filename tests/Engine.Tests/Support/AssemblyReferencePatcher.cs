using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace MoeTune.Engine.Tests.Support;

/// <summary>
/// Rewrites the version of one assembly reference in a built DLL, in place. This makes "built against another major
/// version of Abstractions" and "a dependency that is not there" out of the one fixture, without building more.
/// An AssemblyRef row starts with its four version numbers (ECMA-335 II.22.5), so the patch is four ushorts.
/// </summary>
internal static class AssemblyReferencePatcher
{
    public static void SetReferenceVersion(string assemblyPath, string referenceName, Version version)
    {
        var bytes = File.ReadAllBytes(assemblyPath);
        long offset;
        using (var pe = new PEReader(new MemoryStream(bytes)))
        {
            var metadata = pe.GetMetadataReader();
            var handle = metadata.AssemblyReferences.FirstOrDefault(h => metadata.StringComparer.Equals(metadata.GetAssemblyReference(h).Name, referenceName));
            if (handle.IsNil)
            {
                throw new InvalidOperationException($"{assemblyPath} does not reference {referenceName}");
            }

            var row = MetadataTokens.GetRowNumber(handle);
            offset = pe.PEHeaders.MetadataStartOffset
                + metadata.GetTableMetadataOffset(TableIndex.AssemblyRef)
                + ((long)(row - 1) * metadata.GetTableRowSize(TableIndex.AssemblyRef));
        }

        ushort[] parts = [(ushort)version.Major, (ushort)version.Minor, (ushort)Math.Max(0, version.Build), (ushort)Math.Max(0, version.Revision)];
        for (var i = 0; i < parts.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan((int)offset + (2 * i), 2), parts[i]);
        }

        File.WriteAllBytes(assemblyPath, bytes);
    }
}
