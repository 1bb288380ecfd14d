using System.Runtime.InteropServices;

namespace MoeTune.Plugins.Marlin.KernelInterface;

/// <summary>
/// The C# twin of <c>struct MarlinParams</c> (kernels/marlin_params.cuh), passed by value to every Marlin kernel:
/// same fields, same order, natural alignment (14 pointers, then 14 ints; 168 bytes). The tests compare the two field
/// lists, so a change on one side only fails there.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MarlinKernelParams
{
    public nint Hidden;
    public nint TopKIds;
    public nint TopKWeights;
    public nint Output;
    public nint W13;
    public nint W2;
    public nint Epilogue13;
    public nint Epilogue2;
    public nint Bias13;
    public nint Bias2;
    public nint Intermediate;
    public nint Partials;
    public nint Counters;
    public nint Routing;
    public int Tokens;
    public int Experts;
    public int TopK;
    public int HiddenSize;
    public int InterSize;
    public int Format;
    public int Activation;
    public int W13Tiles;
    public int W2Tiles;
    public int Chunks13;
    public int Chunks2;
    public int RecordBytes;
    public int Splits2;
    public int MaxTiles;
}
