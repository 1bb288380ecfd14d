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

    /// <summary>Algorithms asked of the heuristic per set-up and tried in turn.</summary>
    private const int AlgorithmsTried = 8;

    private readonly List<DeviceBuffer> buffers = [];
    // The current set-up's descriptors and layouts (replaced for each set-up tried); the library handle lives as long as
    // the GEMM.
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
    private DeviceBuffer aScale = null!;
    private DeviceBuffer bScale = null!;
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
            CublasLtException.Check(CublasLtInterop.cublasLtCreate(out gemm.handle), $"creating a cuBLASLt handle for a {Label(precision)} {size}³ GEMM");
            gemm.SetUp(stream);
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
        CublasLtException.Check(Matmul(stream), $"running a {Description} {Size}³ GEMM", "cublasLtMatmul");
    }

    public void Dispose()
    {
        DestroyDescriptors();
        if (handle != 0)
        {
            CublasLtInterop.cublasLtDestroy(handle);
            handle = 0;
        }

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
        d = Keep(DeviceBuffer.Allocate(context, elements * sizeof(float)));
        workspace = Keep(DeviceBuffer.Allocate(context, WorkspaceBytes));
        if (Precision == DenseGemmPrecision.Fp8)
        {
            fills.FillE4m3(a.Address, elements, 1, stream);
            fills.FillE4m3(b.Address, elements, 2, stream);
            aScale = Keep(DeviceBuffer.FromHost<float>(context, [1f]));
            bScale = Keep(DeviceBuffer.FromHost<float>(context, [1f]));
        }
        else
        {
            fills.FillBf16(a.Address, elements, 1, stream);
            fills.FillBf16(b.Address, elements, 2, stream);
        }

        context.Synchronize();
    }

    /// <summary>
    /// Describes the set-up that ran, for example "FP8 E4M3 (fast accumulation), bf16 output": the method text of the
    /// ceiling it measures.
    /// </summary>
    public string Description { get; private set; } = "";

    /// <summary>
    /// Tries each set-up this precision allows, in order of speed, and each algorithm the heuristic offers for it
    /// (up to <see cref="AlgorithmsTried"/>), running one GEMM synchronously, and keeps the first that runs. cuBLASLt's
    /// heuristic can offer an algorithm that <c>cublasLtMatmul</c> then refuses (seen: FP8 on an H100 with cuBLASLt
    /// 13.1 answered NOT_SUPPORTED), so an offer is not taken as proof; every refusal is kept for the error.
    /// </summary>
    private void SetUp(nint stream)
    {
        var refusals = new List<string>();
        foreach (var setUp in SetUps(Precision))
        {
            var what = $"setting up a {setUp.Label} {Size}³ GEMM";
            try
            {
                Describe(setUp, what);
                var algorithms = Algorithms(what);
                for (var offered = 0; offered < algorithms.Length; offered++)
                {
                    algorithm = algorithms[offered];
                    var status = Run(stream);
                    if (status == CublasStatus.Success)
                    {
                        Description = setUp.Label;
                        return;
                    }

                    refusals.Add($"{setUp.Label}: cublasLtMatmul answered {CublasLtException.Name(status)} for the heuristic's algorithm {offered + 1}");
                }
            }
            catch (CublasLtException ex)
            {
                refusals.Add($"{setUp.Label}: {ex.Message}");
            }
        }

        throw new CublasLtException($"cuBLASLt ran no {Label(Precision)} {Size}³ TN GEMM on this GPU; tried: {string.Join("; ", refusals)}");
    }

    /// <summary>Creates the descriptors of one set-up, replacing those of the last.</summary>
    private void Describe(GemmSetUp setUp, string what)
    {
        DestroyDescriptors();
        CublasLtException.Check(CublasLtInterop.cublasLtMatmulDescCreate(out operation, CublasComputeType.Compute32F, CudaDataType.R32F), what);
        native.Add((operation, CublasLtInterop.cublasLtMatmulDescDestroy));
        SetAttribute(MatmulDescAttribute.TransA, (int)CublasOperation.Transpose, what);
        SetAttribute(MatmulDescAttribute.TransB, (int)CublasOperation.None, what);
        if (setUp.Operand == CudaDataType.R8FE4M3)
        {
            // Scales of 1, each in an allocation of its own (aligned as cuBLASLt's own examples have them).
            SetAttribute(MatmulDescAttribute.AScalePointer, aScale.Address, what);
            SetAttribute(MatmulDescAttribute.BScalePointer, bScale.Address, what);
            SetAttribute(MatmulDescAttribute.FastAccumulation, setUp.FastAccumulation ? (sbyte)1 : (sbyte)0, what);
        }

        aLayout = Layout(setUp.Operand, what);
        bLayout = Layout(setUp.Operand, what);
        dLayout = Layout(setUp.Output, what);
    }

    /// <summary>The heuristic's algorithms for the current descriptors, best first.</summary>
    private MatmulAlgorithm[] Algorithms(string what)
    {
        CublasLtException.Check(CublasLtInterop.cublasLtMatmulPreferenceCreate(out var preference), what);
        native.Add((preference, CublasLtInterop.cublasLtMatmulPreferenceDestroy));
        var workspaceLimit = (ulong)workspace.Bytes;
        CublasLtException.Check(
            CublasLtInterop.cublasLtMatmulPreferenceSetAttribute(preference, MatmulPreferenceAttribute.MaxWorkspaceBytes, &workspaceLimit, sizeof(ulong)),
            what);
        var results = stackalloc MatmulHeuristicResult[AlgorithmsTried];
        CublasLtException.Check(
            CublasLtInterop.cublasLtMatmulAlgoGetHeuristic(handle, operation, aLayout, bLayout, dLayout, dLayout, preference, AlgorithmsTried, results, out var found),
            what);
        var offered = new List<MatmulAlgorithm>();
        for (var i = 0; i < found; i++)
        {
            if (results[i].State == CublasStatus.Success)
            {
                offered.Add(results[i].Algorithm);
            }
        }

        return offered.Count > 0
            ? [.. offered]
            : throw new CublasLtException($"the heuristic offered no algorithm ({found} returned)");
    }

    /// <summary>Runs one GEMM with the current algorithm and waits for it: cuBLASLt's answer.</summary>
    private CublasStatus Run(nint stream)
    {
        var status = Matmul(stream);
        if (status == CublasStatus.Success)
        {
            a.Context.Synchronize();
        }

        return status;
    }

    private CublasStatus Matmul(nint stream)
    {
        var alpha = 1f;
        var beta = 0f;
        var algo = algorithm;
        return CublasLtInterop.cublasLtMatmul(
            handle, operation, &alpha, a.Address, aLayout, b.Address, bLayout, &beta,
            d.Address, dLayout, d.Address, dLayout, &algo, workspace.Address, (nuint)workspace.Bytes, stream);
    }

    /// <summary>Set-ups in order of expected speed: FP8 tries fast accumulation first, then Hopper's promoted accumulation, then FP32 output.</summary>
    private static IEnumerable<GemmSetUp> SetUps(DenseGemmPrecision precision) => precision == DenseGemmPrecision.Fp8
        ?
        [
            new(CudaDataType.R8FE4M3, CudaDataType.R16BF, true, "FP8 E4M3 (fast accumulation), bf16 output"),
            new(CudaDataType.R8FE4M3, CudaDataType.R16BF, false, "FP8 E4M3, bf16 output"),
            new(CudaDataType.R8FE4M3, CudaDataType.R32F, true, "FP8 E4M3 (fast accumulation), FP32 output"),
        ]
        : [new(CudaDataType.R16BF, CudaDataType.R16BF, false, "bf16")];

    private void DestroyDescriptors()
    {
        for (var i = native.Count - 1; i >= 0; i--)
        {
            native[i].Destroy(native[i].Handle);
        }

        native.Clear();
    }

    private readonly record struct GemmSetUp(CudaDataType Operand, CudaDataType Output, bool FastAccumulation, string Label);

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
