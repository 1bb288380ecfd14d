using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Cuda.Driver;
using MoeTune.Gpu.Tests.Infrastructure;
using MoeTune.Plugins.FlashInferCutlass.Kernels;
using MoeTune.Plugins.FlashInferCutlass.Layout;
using MoeTune.Plugins.FlashInferCutlass.Runtime;
using MoeTune.Reference.Formats;
using MoeTune.Reference.Synthetic;

namespace MoeTune.Gpu.Tests.Backends;

/// <summary>
/// FlashInferCutlass one kernel at a time on a small shape with every kind of padding (H = 208 leaves a K tail,
/// I = 176 a padded intermediate, a hot expert gets a two-block tile while the others get one-block tiles), each
/// against a host computation, so that a failure of the layer tests can be pinned on one stage: routing, gather,
/// GEMM1 with its fused activation, and GEMM2 with its weighted scatter (checked exactly, NVFP4 included, by feeding
/// it one-hot intermediate rows: each output is then one dequantised weight). "Exactly" is as values: a weight of −0
/// (E2M1 code 8) comes out as +0, because the accumulator starts at +0 and +0 + (−0) = +0 in IEEE arithmetic; the
/// sign of a zero is no part of the layer's contract, while the poison (NaN) still never equals anything.
/// Each GEMM test runs every grouped GEMM pipeline that builds a distinct kernel for its case, with the arguments the
/// layer would give that pipeline: its weight layout (the NVFP4 fragments of register-fp4 included), its m-tile height
/// in the routing, and for a GEMM1 that gathers the hidden states in place of the gathered activations.
/// </summary>
[Trait(SuiteTraits.Backend, "FlashInferCutlass")]
public sealed class FlashInferCutlassStageTests(GpuFixture gpu)
{
    private const int Experts = 6;
    private const int TopK = 2;
    private const int Hidden = 208;
    private const int Intermediate = 176;
    private const int Tokens = 150;
    private const int HotTokens = 80;

    /// <summary>GEMM1 cases: format × activation × every pipeline whose GEMM1 build differs for them.</summary>
    public static TheoryData<WeightFormat, Activation, string> FirstGemmCases() =>
    [
        .. from format in new[] { WeightFormat.Bf16, WeightFormat.Nvfp4 }
           from activation in new[] { Activation.SwiGlu, Activation.ReluSquared }
           from pipeline in GemmPipeline.All.DistinctBy(p => GemmVariant.FirstGemm(activation, format, p).BuildName)
           select new TheoryDataRow<WeightFormat, Activation, string>(format, activation, pipeline.Name),
    ];

    /// <summary>GEMM2 cases: format × every pipeline whose GEMM2 build differs for it.</summary>
    public static TheoryData<WeightFormat, string> SecondGemmCases() =>
    [
        .. from format in new[] { WeightFormat.Bf16, WeightFormat.Nvfp4 }
           from pipeline in GemmPipeline.All.DistinctBy(p => GemmVariant.SecondGemm(format, p).BuildName)
           select new TheoryDataRow<WeightFormat, string>(format, pipeline.Name),
    ];

    /// <summary>Routing cuts m-tiles of up to two blocks for the tile forms and up to four for NVFP4 fragments.</summary>
    [Theory]
    [InlineData(WeightFormat.Bf16, "separate-gather")]
    [InlineData(WeightFormat.Nvfp4, "register-fp4")]
    public void Routing_counts_pads_and_lists_every_entry_once(WeightFormat format, string pipeline)
    {
        using var rig = new Rig(gpu, Shape(format, Activation.SwiGlu), GemmPipeline.Parse(pipeline), $"routing {format} {pipeline}");
        rig.RunRouting();

        var counts = new int[Experts];
        foreach (var id in rig.TopKIds) counts[id]++;
        var rowOffsets = rig.RowOffsets.Download<int>()[..(Experts + 1)];
        var tileOffsets = rig.TileOffsets.Download<int>()[..(Experts + 1)];
        var tileExperts = rig.TileExperts.Download<int>();
        var rowSources = rig.RowSources.Download<int>();
        var entryRows = rig.EntryRows.Download<int>();
        for (var e = 0; e < Experts; e++)
        {
            var rows = (counts[e] + 63) / 64 * 64;
            Assert.Equal(rowOffsets[e] + rows, rowOffsets[e + 1]);
            Assert.Equal(tileOffsets[e] + (((rows / 64) + rig.Geometry.TileBlocks - 1) / rig.Geometry.TileBlocks), tileOffsets[e + 1]);
            Assert.All(Enumerable.Range(tileOffsets[e], tileOffsets[e + 1] - tileOffsets[e]), g => Assert.Equal(e, tileExperts[g]));
            var listed = rowSources[rowOffsets[e]..(rowOffsets[e] + counts[e])];
            var entries = Enumerable.Range(0, rig.TopKIds.Length).Where(i => rig.TopKIds[i] == e);
            Assert.Equal(entries, listed.Order());
            Assert.All(rowSources[(rowOffsets[e] + counts[e])..rowOffsets[e + 1]], s => Assert.Equal(-1, s));
        }

        Assert.Equal(0, rowOffsets[0]);
        Assert.All(Enumerable.Range(0, rig.TopKIds.Length), entry => Assert.Equal(entry, rowSources[entryRows[entry]]));
    }

    [Fact]
    public void Gather_writes_each_token_row_swizzled_and_zeros_elsewhere()
    {
        using var rig = new Rig(gpu, Shape(WeightFormat.Bf16, Activation.SwiGlu), GemmPipeline.SeparateGather, "gather");
        rig.RunUntilGather();
        var activations = rig.Activations.Download<byte>();
        var rowSources = rig.RowSources.Download<int>();
        var totalRows = rig.RowOffsets.Download<int>()[Experts];
        var kTiles = rig.Geometry.HiddenKTiles;
        for (var row = 0; row < totalRows; row++)
        {
            var token = rowSources[row] >= 0 ? rowSources[row] / TopK : -1;
            for (var column = 0; column < kTiles * 64; column++)
            {
                var offset = TiledOffset(row, column, kTiles);
                var stored = BitConverter.ToUInt16(activations, offset);
                var expected = token >= 0 && column < Hidden ? rig.HiddenStates[(token * Hidden) + column] : (ushort)0;
                Assert.True(expected == stored, $"row {row} (entry {rowSources[row]}), column {column}: expected 0x{expected:X4}, found 0x{stored:X4}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(FirstGemmCases))]
    public void First_gemm_applies_its_activation_to_every_row(WeightFormat format, Activation activation, string pipeline)
    {
        var what = $"GEMM1 {format} {activation} {pipeline}";
        using var rig = new Rig(gpu, Shape(format, activation), GemmPipeline.Parse(pipeline), what);
        // A GEMM1 that gathers reads the hidden states [T, H] itself, as the layer passes them.
        var tokens = rig.HiddenBuffer.Address;
        if (rig.Kernels.FirstGemmGathers)
        {
            rig.RunRouting();
        }
        else
        {
            rig.RunUntilGather();
            tokens = rig.Activations.Address;
        }

        rig.Kernels.FirstGemm(rig.Stream.Handle, Tokens, rig.Kernels.FirstGemmArguments(
            rig.Routing, tokens, rig.W13.Address, rig.W13Scales.Address, rig.IntermediateTiles.Address));
        StreamWatchdog.Synchronize(rig.Stream, what);

        var tiles = rig.IntermediateTiles.Download<byte>();
        var rowSources = rig.RowSources.Download<int>();
        var totalRows = rig.RowOffsets.Download<int>()[Experts];
        var iKTiles = rig.Geometry.IntermediateKTiles;
        double difference = 0, norm = 0;
        for (var row = 0; row < totalRows; row++)
        {
            var source = rowSources[row];
            var expected = source >= 0 ? rig.ExpectedIntermediate(source / TopK, rig.TopKIds[source]) : new double[Intermediate];
            for (var column = 0; column < iKTiles * 64; column++)
            {
                var offset = TiledOffset(row, column, iKTiles);
                var value = Bf16.ToFloat(BitConverter.ToUInt16(tiles, offset));
                if (column >= Intermediate || source < 0)
                {
                    Assert.True(value == 0, $"row {row} (entry {source}), column {column} should be exactly 0 (padding), found {value}");
                    continue;
                }

                Assert.True(float.IsFinite(value), $"row {row}, column {column} is {value}");
                difference += (value - expected[column]) * (value - expected[column]);
                norm += expected[column] * expected[column];
            }
        }

        var error = Math.Sqrt(difference / norm);
        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: relative Frobenius error {error:E3}");
        Assert.InRange(error, 0, 1e-2);
    }

    [Theory]
    [MemberData(nameof(SecondGemmCases))]
    public void Second_gemm_scatters_exact_weights_for_one_hot_rows(WeightFormat format, string pipeline)
    {
        var what = $"GEMM2 {format} {pipeline}";
        using var rig = new Rig(gpu, Shape(format, Activation.SwiGlu), GemmPipeline.Parse(pipeline), what);
        rig.RunRouting();
        var rowSources = rig.RowSources.Download<int>();
        var totalRows = rig.RowOffsets.Download<int>()[Experts];

        // Row p of entry s carries a single 1.0 at column s mod I; every output is then one weight of W2.
        var iKTiles = rig.Geometry.IntermediateKTiles;
        var tiles = new byte[rig.IntermediateTiles.Bytes];
        for (var row = 0; row < totalRows; row++)
        {
            if (rowSources[row] < 0) continue;
            var column = rowSources[row] % Intermediate;
            var offset = TiledOffset(row, column, iKTiles);
            BitConverter.TryWriteBytes(tiles.AsSpan(offset), Bf16.FromFloat(1f));
        }

        rig.IntermediateTiles.Upload<byte>(tiles);
        rig.RouteWeights.Upload<float>(Enumerable.Repeat(1f, Tokens * TopK).ToArray());
        rig.Partials.Fill(Poison.Bf16);
        rig.Kernels.SecondGemm(rig.Stream.Handle, Tokens, rig.Kernels.SecondGemmArguments(
            rig.Routing, rig.IntermediateTiles.Address, rig.W2.Address, rig.W2Scales.Address, rig.RouteWeights.Address, rig.Partials.Address));
        StreamWatchdog.Synchronize(rig.Stream, what);

        var partials = rig.Partials.Download<ushort>();
        var w2Row = new float[Intermediate];
        for (var entry = 0; entry < Tokens * TopK; entry++)
        {
            var matrix = rig.Weights.Experts[rig.TopKIds[entry]].W2;
            for (var n = 0; n < Hidden; n++)
            {
                WeightCodec.DequantizeRowUnscaled(matrix, n, w2Row);
                var expected = Bf16.FromFloat(w2Row[entry % Intermediate] * matrix.GlobalScale);
                var found = partials[(entry * Hidden) + n];
                Assert.True(
                    Bf16.ToFloat(expected) == Bf16.ToFloat(found),
                    $"{what}: entry {entry} (expert {rig.TopKIds[entry]}), output {n}: expected 0x{expected:X4}, found 0x{found:X4}");
            }
        }
    }

    private static MoeShape Shape(WeightFormat format, Activation activation) => new(Experts, TopK, Hidden, Intermediate, activation, format);

    /// <summary>The byte offset of (row, column) in a tiled activation or intermediate buffer with <paramref name="kTiles"/> 64-column blocks per row block.</summary>
    private static int TiledOffset(int row, int column, int kTiles) =>
        ((((row / 64) * kTiles) + (column / 64)) * TileGeometry.ABlockBytes) + SwizzledTile.ElementOffset(row % 64, column % 64);

    /// <summary>
    /// Weights, inputs and every device buffer of one staged run with one pipeline's kernels, the weights stored in
    /// that pipeline's layout; expert 2 is hot (slot 0 of the first 80 tokens).
    /// </summary>
    private sealed class Rig : IDisposable
    {
        private readonly List<IDisposable> owned = [];

        public Rig(GpuFixture gpu, MoeShape shape, GemmPipeline pipeline, string what)
        {
            var context = gpu.Require();
            var random = TestInputs.NewRandom($"FlashInferCutlass stages {what}");
            Weights = SyntheticWeights.Generate(shape, random.Next());
            HiddenStates = TestInputs.NormalBf16(random, Tokens * Hidden);
            TopKIds = new int[Tokens * TopK];
            for (var t = 0; t < Tokens; t++)
            {
                var chosen = Enumerable.Range(0, Experts).OrderBy(_ => random.Next()).Take(TopK).ToList();
                if (t < HotTokens && !chosen.Contains(2)) chosen[0] = 2;
                chosen.CopyTo(TopKIds, t * TopK);
            }

            Stream = Own(CudaStream.Create(context));
            Kernels = Own(ForwardKernels.Load(gpu.Compiler!, context, gpu.Device!.ToDeviceInfo(), shape, pipeline: pipeline));
            var rows = Geometry.MaxPermutedRows(Tokens);
            Ids = Own(DeviceBuffer.Allocate<int>(context, Tokens * TopK));
            HiddenBuffer = Own(DeviceBuffer.FromHost<ushort>(context, HiddenStates));
            RouteWeights = Own(DeviceBuffer.Allocate<float>(context, Tokens * TopK));
            RowOffsets = Own(DeviceBuffer.Allocate<int>(context, Experts + 1));
            TileOffsets = Own(DeviceBuffer.Allocate<int>(context, Experts + 1));
            TileExperts = Own(DeviceBuffer.Allocate<int>(context, Geometry.MaxMTiles(Tokens)));
            RowSources = Own(DeviceBuffer.Allocate<int>(context, rows));
            EntryRows = Own(DeviceBuffer.Allocate<int>(context, Tokens * TopK));
            Activations = Own(DeviceBuffer.Allocate(context, rows * Geometry.HiddenKTiles * TileGeometry.RowBytes));
            IntermediateTiles = Own(DeviceBuffer.Allocate(context, rows * Geometry.IntermediateKTiles * TileGeometry.RowBytes));
            Partials = Own(DeviceBuffer.Allocate<ushort>(context, (long)Tokens * TopK * Hidden));
            W13 = Own(DeviceBuffer.FromHost<byte>(context, Tile(Geometry.W13BytesPerExpert, (e, span) => ExpertWeightTiler.TileW13(Geometry, Weights.Experts[e], e, span))));
            W2 = Own(DeviceBuffer.FromHost<byte>(context, Tile(Geometry.W2BytesPerExpert, (e, span) => ExpertWeightTiler.TileW2(Geometry, Weights.Experts[e], e, span))));
            W13Scales = Own(DeviceBuffer.FromHost<float>(context, Weights.Experts.Select(e => e.W13.GlobalScale).ToArray()));
            W2Scales = Own(DeviceBuffer.FromHost<float>(context, Weights.Experts.Select(e => e.W2.GlobalScale).ToArray()));
            foreach (var buffer in new[] { RowOffsets, TileOffsets, TileExperts, RowSources, EntryRows }) buffer.Fill(Poison.I32);
            Activations.Fill((byte)0xFF);
            IntermediateTiles.Fill((byte)0xFF);
        }

        /// <summary>The pipeline's geometry: the weight layout its GEMMs read and the m-tile height its routing cuts.</summary>
        public TileGeometry Geometry => Kernels.Geometry;

        public MoeWeights Weights { get; }

        public ushort[] HiddenStates { get; }

        public int[] TopKIds { get; }

        public CudaStream Stream { get; }

        public ForwardKernels Kernels { get; }

        public DeviceBuffer Ids { get; }

        public DeviceBuffer HiddenBuffer { get; }

        public DeviceBuffer RouteWeights { get; }

        public DeviceBuffer RowOffsets { get; }

        public DeviceBuffer TileOffsets { get; }

        public DeviceBuffer TileExperts { get; }

        public DeviceBuffer RowSources { get; }

        public DeviceBuffer EntryRows { get; }

        public DeviceBuffer Activations { get; }

        public DeviceBuffer IntermediateTiles { get; }

        public DeviceBuffer Partials { get; }

        public DeviceBuffer W13 { get; }

        public DeviceBuffer W2 { get; }

        public DeviceBuffer W13Scales { get; }

        public DeviceBuffer W2Scales { get; }

        public RoutingBuffers Routing => new(RowOffsets.Address, TileOffsets.Address, TileExperts.Address, RowSources.Address, EntryRows.Address);

        public void RunRouting()
        {
            Ids.Upload<int>(TopKIds);
            Kernels.Route(Stream.Handle, Ids.Address, Tokens, Routing);
            StreamWatchdog.Synchronize(Stream, "the routing kernel");
        }

        public void RunUntilGather()
        {
            RunRouting();
            Kernels.Gather(Stream.Handle, HiddenBuffer.Address, Tokens, Routing, Activations.Address);
            StreamWatchdog.Synchronize(Stream, "the gather kernel");
        }

        /// <summary>act(W13[expert] · x[token]) in double from the dequantised weights.</summary>
        public double[] ExpectedIntermediate(int token, int expert)
        {
            var w13 = WeightCodec.Dequantize(Weights.Experts[expert].W13);
            var x = HiddenStates.AsSpan(token * Hidden, Hidden).ToArray();
            double Dot(int row)
            {
                double sum = 0;
                for (var k = 0; k < Hidden; k++) sum += w13[(row * Hidden) + k] * (double)Bf16.ToFloat(x[k]);
                return sum;
            }

            var h = new double[Intermediate];
            for (var j = 0; j < Intermediate; j++)
            {
                if (Geometry.Gated)
                {
                    var gate = Dot(j);
                    h[j] = gate / (1 + Math.Exp(-gate)) * Dot(Intermediate + j);
                }
                else
                {
                    var value = Math.Max(Dot(j), 0);
                    h[j] = value * value;
                }
            }

            return h;
        }

        public void Dispose()
        {
            for (var i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
        }

        private T Own<T>(T resource)
            where T : IDisposable
        {
            owned.Add(resource);
            return resource;
        }

        private static byte[] Tile(long bytesPerExpert, Action<int, Span<byte>> tile)
        {
            var bytes = new byte[bytesPerExpert * Experts];
            for (var e = 0; e < Experts; e++) tile(e, bytes.AsSpan((int)(e * bytesPerExpert), (int)bytesPerExpert));
            return bytes;
        }
    }
}
