namespace MoeTune.Cuda.Driver;

/// <summary>A grid, block or cluster extent.</summary>
public readonly record struct Dim3(int X, int Y = 1, int Z = 1)
{
    public long Volume => (long)X * Y * Z;

    public static implicit operator Dim3(int x) => new(x);

    public override string ToString() => $"({X}, {Y}, {Z})";

    internal void Validate(string what)
    {
        if (X <= 0 || Y <= 0 || Z <= 0)
        {
            throw new ArgumentOutOfRangeException(what, $"{what} {this} must be positive in every dimension");
        }
    }
}

/// <summary>
/// How to launch a kernel: grid and block extents, dynamic shared memory in bytes, and optionally a thread-block
/// cluster (SM 9.0+, launched through cuLaunchKernelEx).
/// </summary>
public readonly record struct LaunchConfig(Dim3 Grid, Dim3 Block, int SharedMemoryBytes = 0, Dim3? Cluster = null)
{
    internal void Validate()
    {
        Grid.Validate("grid");
        Block.Validate("block");
        Cluster?.Validate("cluster");
        ArgumentOutOfRangeException.ThrowIfNegative(SharedMemoryBytes);
        if (Cluster is { } c && (Grid.X % c.X != 0 || Grid.Y % c.Y != 0 || Grid.Z % c.Z != 0))
        {
            throw new ArgumentException($"grid {Grid} is not a whole number of clusters {c}");
        }
    }
}
