using MoeTune.Cuda.Driver;

namespace MoeTune.Cuda.Ceilings.CublasLt;

/// <summary>The operand precision of a dense GEMM ceiling; both accumulate in FP32 and write bf16.</summary>
public enum DenseGemmPrecision
{
    /// <summary>bf16 × bf16.</summary>
    Bf16,

    /// <summary>FP8 E4M3 × E4M3 with per-tensor scales of 1 and fast accumulation (Hopper's peak FP8 mode).</summary>
    Fp8,
}

/// <summary>
/// One square GEMM <c>D[m, n] = Aᵀ · B</c> through cuBLASLt, set up once (random operands, descriptors, the heuristic's
/// best algorithm, a workspace) and enqueued as often as a timer asks. The layout is cuBLASLt's column-major "TN": A is
/// stored K×M and transposed, B K×N, D M×N in bf16, the one layout FP8 accepts on Hopper. Operands are seeded random
/// values, never zero, so no multiply is cheapened.
/// </summary>
public sealed unsafe class CublasLtGemm : IDisposable
{
    /// <summary>Workspace offered to the heuristic: 32 MiB covers every Hopper and Blackwell kernel.</summary>
    private const long WorkspaceBytes = 32L << 20;

    private readonly List<DeviceBuffer> buffers = [];
    private readonly List<(nint Handle, Func<nint, CublasStatus> Destroy)> native = [];
    private nint handle;
    private nint operation;
    private nint aLayout;
    private nint bLayout;
    private nint dLayout;
    private DeviceBuffer a = null!;
    private DeviceBuffer b = null!;
    private DeviceBuffer d = null!;
    private DeviceBuffer workspace = null!;
    private MatmulAlgorithm algorithm;

    private CublasLtGemm(DenseGemmPrecision precision, int size)
    {
        Precision = precision;
        Size = size;
    }

    public DenseGemmPrecision Precision { get; }

    /// <summary>M = N = K.</summary>
    public int Size { get; }

    /// <summary>Floating-point operations of one GEMM: 2·M·N·K.</summary>
    public double Flops => 2.0 * Size * Size * Size;

    /// <summary>
    /// Allocates and fills the operands on <paramref name="stream"/> (waiting for the context), then asks cuBLASLt for
    /// its best algorithm. Throws <see cref="CublasLtException"/> naming the step where cuBLASLt refuses (for example FP8
    /// on a GPU without FP8 tensor cores) and <see cref="Native.CudaUnavailableException"/> where cuBLASLt is absent.
    /// </summary>
    public static CublasLtGemm Create(CudaContext context, CeilingModule fills, DenseGemmPrecision precision, int size, nint stream)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(fills);
        if (size <= 0 || size % 16 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "the GEMM size must be a positive multiple of 16 (FP8's alignment rule)");
        }

        if (!CublasLtLibrary.TryLoad(out var reason))
        {
            throw new Native.CudaUnavailableException(reason);
        }

        var gemm = new CublasLtGemm(precision, size);
        try
        {
            gemm.Allocate(context, fills, stream);
            gemm.SetUp();
            return gemm;
        }
        catch
        {
            gemm.Dispose();
            throw;
        }
    }

    /// <summary>Enqueues one GEMM on <paramref name="stream"/>.</summary>
    public void Enqueue(nint stream)
    {
        var alpha = 1f;
        var beta = 0f;
        var algo = algorithm;
        CublasLtException.Check(
            CublasLtInterop.cublasLtMatmul(
                handle, operation, &alpha, a.Address, aLayout, b.Address, bLayout, &beta,
                d.Address, dLayout, d.Address, dLayout, &algo, workspace.Address, (nuint)workspace.Bytes, stream),
            $"running a {Label(Precision)} {Size}³ GEMM");
    }

    public void Dispose()
    {
        for (var i = native.Count - 1; i >= 0; i--)
        {
            native[i].Destroy(native[i].Handle);
        }

        native.Clear();
        buffers.ForEach(buffer => buffer.Dispose());
        buffers.Clear();
    }

    private static string Label(DenseGemmPrecision precision) => precision == DenseGemmPrecision.Fp8 ? "FP8 E4M3" : "bf16";

    private void Allocate(CudaContext context, CeilingModule fills, nint stream)
    {
        var elements = (long)Size * Size;
        var elementBytes = Precision == DenseGemmPrecision.Fp8 ? 1 : 2;
        a = Keep(DeviceBuffer.Allocate(context, elements * elementBytes));
        b = Keep(DeviceBuffer.Allocate(context, elements * elementBytes));
        d = Keep(DeviceBuffer.Allocate(context, elements * sizeof(ushort)));
        workspace = Keep(DeviceBuffer.Allocate(context, WorkspaceBytes));
        if (Precision == DenseGemmPrecision.Fp8)
        {
            fills.FillE4m3(a.Address, elements, 1, stream);
            fills.FillE4m3(b.Address, elements, 2, stream);
        }
        else
        {
            fills.FillBf16(a.Address, elements, 1, stream);
            fills.FillBf16(b.Address, elements, 2, stream);
        }

        context.Synchronize();
    }

    private void SetUp()
    {
        var what = $"setting up a {Label(Precision)} {Size}³ GEMM";
        CublasLtException.Check(CublasLtInterop.cublasLtCreate(out handle), what);
        native.Add((handle, CublasLtInterop.cublasLtDestroy));
        CublasLtException.Check(CublasLtInterop.cublasLtMatmulDescCreate(out operation, CublasComputeType.Compute32F, CudaDataType.R32F), what);
        native.Add((operation, CublasLtInterop.cublasLtMatmulDescDestroy));
        SetAttribute(MatmulDescAttribute.TransA, (int)CublasOperation.Transpose, what);
        SetAttribute(MatmulDescAttribute.TransB, (int)CublasOperation.None, what);
        var operandType = CudaDataType.R16BF;
        if (Precision == DenseGemmPrecision.Fp8)
        {
            operandType = CudaDataType.R8FE4M3;
            var ones = Keep(DeviceBuffer.FromHost<float>(a.Context, [1f, 1f]));
            SetAttribute(MatmulDescAttribute.AScalePointer, ones.Address, what);
            SetAttribute(MatmulDescAttribute.BScalePointer, ones.Address + sizeof(float), what);
            SetAttribute(MatmulDescAttribute.FastAccumulation, (sbyte)1, what);
        }

        aLayout = Layout(operandType, what);
        bLayout = Layout(operandType, what);
        dLayout = Layout(CudaDataType.R16BF, what);
        CublasLtException.Check(CublasLtInterop.cublasLtMatmulPreferenceCreate(out var preference), what);
        native.Add((preference, CublasLtInterop.cublasLtMatmulPreferenceDestroy));
        var workspaceLimit = (ulong)workspace.Bytes;
        CublasLtException.Check(
            CublasLtInterop.cublasLtMatmulPreferenceSetAttribute(preference, MatmulPreferenceAttribute.MaxWorkspaceBytes, &workspaceLimit, sizeof(ulong)),
            what);
        MatmulHeuristicResult result;
        CublasLtException.Check(
            CublasLtInterop.cublasLtMatmulAlgoGetHeuristic(handle, operation, aLayout, bLayout, dLayout, dLayout, preference, 1, &result, out var found),
            what);
        if (found < 1 || result.State != CublasStatus.Success)
        {
            throw new CublasLtException($"cuBLASLt has no algorithm for a {Label(Precision)} {Size}³ TN GEMM on this GPU (heuristic returned {found}, state {result.State})");
        }

        algorithm = result.Algorithm;
    }

    private nint Layout(CudaDataType type, string what)
    {
        // Column-major: A is K×M, B is K×N, D is M×N; all square here, so every leading dimension is Size.
        CublasLtException.Check(CublasLtInterop.cublasLtMatrixLayoutCreate(out var layout, type, (ulong)Size, (ulong)Size, Size), what);
        native.Add((layout, CublasLtInterop.cublasLtMatrixLayoutDestroy));
        return layout;
    }

    private void SetAttribute<T>(MatmulDescAttribute attribute, T value, string what)
        where T : unmanaged => CublasLtException.Check(
            CublasLtInterop.cublasLtMatmulDescSetAttribute(operation, attribute, &value, (nuint)sizeof(T)),
            $"{what} (attribute {attribute})");

    private DeviceBuffer Keep(DeviceBuffer buffer)
    {
        buffers.Add(buffer);
        return buffer;
    }
}
