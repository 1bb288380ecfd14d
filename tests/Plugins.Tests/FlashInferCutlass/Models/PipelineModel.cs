using System.Buffers.Binary;
using System.Runtime.InteropServices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Plugins.FlashInferCutlass.Kernels;
using MoeTune.Plugins.FlashInferCutlass.Layout;
using MoeTune.Reference.Formats;

namespace MoeTune.Plugins.Tests.FlashInferCutlass.Models;

/// <summary>
/// The forward pass of one grouped GEMM pipeline emulated in C# on the exact device byte layouts: the plugin's own
/// weight tilers feed it, and every address is computed the way the kernels compute it (swizzled offsets, tile and block
/// indices, the work-list decode for the pipeline's m-tile height, the producer's row gather, the gate/up pairing, the
/// epilogues' accumulator-to-output order, the NVFP4 conversions and the register-fragment form's thread mapping and
/// transposed stores). Accumulation is in double rather than the tensor cores' f32, and silu is exact rather than the
/// kernel's tanh.approx form; both differences are far inside the tolerance the comparisons use.
/// </summary>
internal sealed class PipelineModel
{
    private readonly GemmPipeline pipeline;
    private readonly TileGeometry geometry;
    private readonly byte[] w13;
    private readonly byte[] w2;
    private readonly float[] w13Scales;
    private readonly float[] w2Scales;

    public PipelineModel(MoeWeights weights, GemmPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(weights);
        this.pipeline = pipeline;
        geometry = new TileGeometry(weights.Shape, pipeline.LayoutFor(weights.Shape.Format));
        var experts = weights.Experts.Count;
        w13 = new byte[geometry.W13BytesPerExpert * experts];
        w2 = new byte[geometry.W2BytesPerExpert * experts];
        for (var e = 0; e < experts; e++)
        {
            ExpertWeightTiler.TileW13(geometry, weights.Experts[e], e, w13.AsSpan((int)(e * geometry.W13BytesPerExpert), (int)geometry.W13BytesPerExpert));
            ExpertWeightTiler.TileW2(geometry, weights.Experts[e], e, w2.AsSpan((int)(e * geometry.W2BytesPerExpert), (int)geometry.W2BytesPerExpert));
        }

        w13Scales = [.. weights.Experts.Select(e => e.W13.GlobalScale)];
        w2Scales = [.. weights.Experts.Select(e => e.W2.GlobalScale)];
    }

    private MoeShape Shape => geometry.Shape;

    private float Compensation => Shape.Format == WeightFormat.Nvfp4 ? 256f : 1f;

    private int TileTokenBytes => geometry.TileBlocks * TileGeometry.ABlockBytes;

    /// <summary>The layer's bf16 output [T, H]; <paramref name="partials"/> receives the bf16 partials [T · k, H] (NaN where unwritten).</summary>
    public ushort[] Forward(ushort[] hidden, int[] ids, float[] routeWeights, int tokens, out ushort[] partials)
    {
        var routing = RoutingModel.Build(ids, Shape.Experts, geometry.TileBlocks);
        var intermediate = new byte[routing.TotalRows * geometry.IntermediateKTiles * TileGeometry.RowBytes];
        partials = new ushort[tokens * Shape.TopK * Shape.Hidden];
        partials.AsSpan().Fill(0x7FC0);
        var partialsLocal = partials;

        Func<WorkTile, int, byte[]> firstTokens;
        if (pipeline.Gather == TokenGather.InFirstGemm)
        {
            firstTokens = (tile, kb) => GatherStage(routing, hidden, tile, kb);
        }
        else
        {
            var activations = Gather(routing, hidden);
            firstTokens = (tile, kb) => CopyStage(activations, geometry.HiddenKTiles, tile, kb);
        }

        Func<WorkTile, int, byte[]> secondTokens = (tile, kb) => CopyStage(intermediate, geometry.IntermediateKTiles, tile, kb);
        if (geometry.Layout == WeightLayout.Fragments)
        {
            RunFragments(routing, firstTokens, geometry.HiddenKTiles, w13, geometry.W13NTiles,
                (tile, acc) => StoreFragmentIntermediate(tile, acc, intermediate));
            RunFragments(routing, secondTokens, geometry.IntermediateKTiles, w2, geometry.W2NTiles,
                (tile, acc) => StoreFragmentWeighted(routing, tile, acc, routeWeights, partialsLocal));
        }
        else
        {
            RunTiles(routing, firstTokens, geometry.HiddenKTiles, w13, geometry.W13NTiles, (tile, block, acc) => StoreIntermediate(tile, block, acc, intermediate));
            RunTiles(routing, secondTokens, geometry.IntermediateKTiles, w2, geometry.W2NTiles, (tile, block, acc) => StoreWeighted(routing, tile, block, acc, routeWeights, partialsLocal));
        }

        return Combine(partials, ids, tokens);
    }

    // fic_gather: every permuted row's token into the tiled activations (Xp).
    private byte[] Gather(RoutingModel routing, ushort[] hidden)
    {
        var kTiles = geometry.HiddenKTiles;
        var result = new byte[routing.TotalRows * kTiles * TileGeometry.RowBytes];
        var hiddenBytes = MemoryMarshal.AsBytes(hidden.AsSpan());
        for (var row = 0; row < routing.TotalRows; row++)
        {
            var source = routing.RowSources[row];
            var token = source >= 0 ? source / Shape.TopK : -1;
            for (var chunk = 0; chunk < kTiles * 8; chunk++)
            {
                var target = result.AsSpan((((row / TileGeometry.BlockRows) * kTiles) + (chunk / 8)) * TileGeometry.ABlockBytes
                    + SwizzledTile.ChunkOffset(row % TileGeometry.BlockRows, chunk % 8), SwizzledTile.ChunkBytes);
                if (token >= 0 && chunk * 8 < Shape.Hidden)
                {
                    hiddenBytes.Slice(((token * Shape.Hidden) + (chunk * 8)) * 2, 16).CopyTo(target);
                }
            }
        }

        return result;
    }

    // produce_gather: thread t copies chunk t % 8 of rows t / 8 + 16 i of the tile, zero for padding and past H.
    private byte[] GatherStage(RoutingModel routing, ushort[] hidden, WorkTile tile, int kb)
    {
        var stage = new byte[TileTokenBytes];
        var hiddenBytes = MemoryMarshal.AsBytes(hidden.AsSpan());
        var rows = tile.Blocks * TileGeometry.BlockRows;
        for (var t = 0; t < 128; t++)
        {
            var chunk = t % 8;
            for (var row = t / 8; row < geometry.TileBlocks * TileGeometry.BlockRows; row += 16)
            {
                if (row >= rows) continue;
                var source = routing.RowSources[(tile.FirstBlock * TileGeometry.BlockRows) + row];
                var token = source >= 0 ? source / Shape.TopK : -1;
                var column = (kb * TileGeometry.TileK) + (chunk * 8);
                if (token < 0 || column >= Shape.Hidden) continue;  // zero-filled
                hiddenBytes.Slice(((token * Shape.Hidden) + column) * 2, 16).CopyTo(
                    stage.AsSpan(((row / TileGeometry.BlockRows) * TileGeometry.ABlockBytes) + SwizzledTile.ChunkOffset(row % TileGeometry.BlockRows, chunk)));
            }
        }

        return stage;
    }

    // produce_bulk: block b of the tile's tokens at stage offset b * 8 KiB.
    private byte[] CopyStage(byte[] tiled, int kTiles, WorkTile tile, int kb)
    {
        var stage = new byte[TileTokenBytes];
        for (var b = 0; b < tile.Blocks; b++)
        {
            tiled.AsSpan((((tile.FirstBlock + b) * kTiles) + kb) * TileGeometry.ABlockBytes, TileGeometry.ABlockBytes)
                .CopyTo(stage.AsSpan(b * TileGeometry.ABlockBytes));
        }

        return stage;
    }

    private ReadOnlySpan<byte> WeightTile(byte[] weights, WorkTile tile, int nTiles, int kTiles, int kb) =>
        weights.AsSpan((int)((((((long)tile.Expert * nTiles) + tile.NTile) * kTiles) + kb) * geometry.WeightTileBytes), geometry.WeightTileBytes);

    // Tile forms: consumer c multiplies token block c (if the tile has it) by the 256-row bf16 tile.
    private void RunTiles(RoutingModel routing, Func<WorkTile, int, byte[]> tokens, int kTiles, byte[] weights, int nTiles, Action<WorkTile, int, float[,]> epilogue)
    {
        for (var item = 0; item < WorkScheduleModel.TotalWork(routing, nTiles); item++)
        {
            var tile = WorkScheduleModel.Decode(item, nTiles, routing);
            var acc = new double[tile.Blocks, TileGeometry.BlockRows, TileGeometry.TileCols];
            for (var kb = 0; kb < kTiles; kb++)
            {
                var stage = tokens(tile, kb);
                var stored = WeightTile(weights, tile, nTiles, kTiles, kb);
                var bTile = ReadTile(Shape.Format == WeightFormat.Nvfp4 ? Fp4ConversionModel.DequantTile(stored) : stored, TileGeometry.TileCols);
                for (var consumer = 0; consumer < tile.Blocks; consumer++)
                {
                    var aBlock = ReadTile(stage.AsSpan(consumer * TileGeometry.ABlockBytes, TileGeometry.ABlockBytes), TileGeometry.BlockRows);
                    Accumulate(acc, consumer, aBlock, bTile, TileGeometry.BlockRows, TileGeometry.TileCols);
                }
            }

            for (var consumer = 0; consumer < tile.Blocks; consumer++)
            {
                var single = new float[TileGeometry.BlockRows, TileGeometry.TileCols];
                for (var r = 0; r < TileGeometry.BlockRows; r++)
                {
                    for (var c = 0; c < TileGeometry.TileCols; c++) single[r, c] = (float)acc[consumer, r, c];
                }

                epilogue(tile, tile.FirstBlock + consumer, single);
            }
        }
    }

    // Fragments form: acc[weight row, token] of the 128-row weight tile (as the threads' A registers hold it) times the
    // tile's 64 x blocks tokens.
    private void RunFragments(RoutingModel routing, Func<WorkTile, int, byte[]> tokens, int kTiles, byte[] weights, int nTiles, Action<WorkTile, float[,]> epilogue)
    {
        for (var item = 0; item < WorkScheduleModel.TotalWork(routing, nTiles); item++)
        {
            var tile = WorkScheduleModel.Decode(item, nTiles, routing);
            var tokenRows = tile.Blocks * TileGeometry.BlockRows;
            var acc = new double[1, TileGeometry.FragTileRows, tokenRows];
            for (var kb = 0; kb < kTiles; kb++)
            {
                var stored = WeightTile(weights, tile, nTiles, kTiles, kb);
                var a = Shape.Format == WeightFormat.Nvfp4 ? Fp4ConversionModel.DequantFragmentTile(stored) : Bf16FragmentModel.Tile(stored);
                var aValues = new double[TileGeometry.FragTileRows, TileGeometry.TileK];
                for (var r = 0; r < TileGeometry.FragTileRows; r++)
                {
                    for (var k = 0; k < TileGeometry.TileK; k++) aValues[r, k] = Bf16.ToFloat(a[r, k]);
                }

                Accumulate(acc, 0, aValues, ReadTile(tokens(tile, kb), tokenRows), TileGeometry.FragTileRows, tokenRows);
            }

            var single = new float[TileGeometry.FragTileRows, tokenRows];
            for (var r = 0; r < TileGeometry.FragTileRows; r++)
            {
                for (var t = 0; t < tokenRows; t++) single[r, t] = (float)acc[0, r, t];
            }

            epilogue(tile, single);
        }
    }

    private static void Accumulate(double[,,] acc, int index, double[,] left, double[,] right, int rows, int cols)
    {
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                double sum = 0;
                for (var k = 0; k < TileGeometry.TileK; k++) sum += left[r, k] * right[c, k];
                acc[index, r, c] += sum;
            }
        }
    }

    private void StoreIntermediate(WorkTile tile, int block, float[,] acc, byte[] intermediate)
    {
        var scale = w13Scales[tile.Expert] * Compensation;
        var columns = geometry.Gated ? TileGeometry.GatedHalf : TileGeometry.TileCols;
        for (var r = 0; r < TileGeometry.BlockRows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var h = geometry.Gated
                    ? Silu(acc[r, c] * scale) * (acc[r, c + TileGeometry.GatedHalf] * scale)
                    : ReluSquared(acc[r, c] * scale);
                var column = (tile.NTile * columns) + WeightRowMap.OutputColumn(c);
                var offset = (((block * geometry.IntermediateKTiles) + (column / TileGeometry.TileK)) * TileGeometry.ABlockBytes)
                    + SwizzledTile.ElementOffset(r, column % TileGeometry.TileK);
                BinaryPrimitives.WriteUInt16LittleEndian(intermediate.AsSpan(offset), Bf16.FromFloat(h));
            }
        }
    }

    private void StoreWeighted(RoutingModel routing, WorkTile tile, int block, float[,] acc, float[] routeWeights, ushort[] partials)
    {
        var scale = w2Scales[tile.Expert] * Compensation;
        for (var r = 0; r < TileGeometry.BlockRows; r++)
        {
            var source = routing.RowSources[(block * TileGeometry.BlockRows) + r];
            if (source < 0) continue;
            var weight = routeWeights[source] * scale;
            for (var c = 0; c < TileGeometry.TileCols; c++)
            {
                var column = (tile.NTile * TileGeometry.TileCols) + WeightRowMap.OutputColumn(c);
                if (column < Shape.Hidden) partials[(source * Shape.Hidden) + column] = Bf16.FromFloat(acc[r, c] * weight);
            }
        }
    }

    // The thread (warpgroup c, warp w, lane 4g + q) values of the Fragments epilogues, at the byte the kernel's transposed
    // store and copy put them: acc[4j + 2h + cc] is weight row 64c + 16w + 8h + g, token 8j + 2q + cc.
    private static IEnumerable<(int Warpgroup, int Warp, int G, int H, int Token)> FragmentElements(int tokenRows) =>
        from warpgroup in Enumerable.Range(0, 2)
        from warp in Enumerable.Range(0, 4)
        from g in Enumerable.Range(0, 8)
        from h in Enumerable.Range(0, 2)
        from token in Enumerable.Range(0, tokenRows)
        select (warpgroup, warp, g, h, token);

    private void StoreFragmentIntermediate(WorkTile tile, float[,] acc, byte[] intermediate)
    {
        var scale = w13Scales[tile.Expert] * Compensation;
        foreach (var (c, w, g, h, token) in FragmentElements(tile.Blocks * TileGeometry.BlockRows))
        {
            var row = (64 * c) + (16 * w) + (8 * h) + g;
            int blockIndex, kBlock, chunk;
            float value;
            if (geometry.Gated)
            {
                if (h == 1) continue;  // the up row is the same thread's other half
                value = Silu(acc[row, token] * scale) * (acc[row + 8, token] * scale);
                (blockIndex, kBlock, chunk) = (token / TileGeometry.BlockRows, tile.NTile, (4 * c) + w);
            }
            else
            {
                value = ReluSquared(acc[row, token] * scale);
                var stagedBlock = ((token / TileGeometry.BlockRows) * 2) + c;
                (blockIndex, kBlock, chunk) = (stagedBlock / 2, (2 * tile.NTile) + (stagedBlock % 2), (2 * w) + h);
            }

            var offset = ((((tile.FirstBlock + blockIndex) * geometry.IntermediateKTiles) + kBlock) * TileGeometry.ABlockBytes)
                + SwizzledTile.ChunkOffset(token % TileGeometry.BlockRows, chunk) + (2 * g);
            BinaryPrimitives.WriteUInt16LittleEndian(intermediate.AsSpan(offset), Bf16.FromFloat(value));
        }
    }

    private void StoreFragmentWeighted(RoutingModel routing, WorkTile tile, float[,] acc, float[] routeWeights, ushort[] partials)
    {
        var scale = w2Scales[tile.Expert] * Compensation;
        foreach (var (c, w, g, h, token) in FragmentElements(tile.Blocks * TileGeometry.BlockRows))
        {
            var source = routing.RowSources[(tile.FirstBlock * TileGeometry.BlockRows) + token];
            if (source < 0) continue;
            var chunk = (8 * c) + (2 * w) + h;
            var column = (tile.NTile * TileGeometry.FragTileRows) + (8 * chunk) + g;
            if (column >= Shape.Hidden) continue;
            var weight = routeWeights[source] * scale;
            partials[(source * Shape.Hidden) + column] = Bf16.FromFloat(acc[(64 * c) + (16 * w) + (8 * h) + g, token] * weight);
        }
    }

    private ushort[] Combine(ushort[] partials, int[] ids, int tokens)
    {
        var output = new ushort[tokens * Shape.Hidden];
        for (var t = 0; t < tokens; t++)
        {
            for (var h = 0; h < Shape.Hidden; h++)
            {
                var sum = 0f;
                for (var slot = 0; slot < Shape.TopK; slot++)
                {
                    var entry = (t * Shape.TopK) + slot;
                    if ((uint)ids[entry] < (uint)Shape.Experts) sum += Bf16.ToFloat(partials[(entry * Shape.Hidden) + h]);
                }

                output[(t * Shape.Hidden) + h] = Bf16.FromFloat(sum);
            }
        }

        return output;
    }

    private static float Silu(float x) => x / (1f + MathF.Exp(-x));

    private static float ReluSquared(float x) => MathF.Max(x, 0f) * MathF.Max(x, 0f);

    private static double[,] ReadTile(ReadOnlySpan<byte> tile, int rows)
    {
        var values = new double[rows, TileGeometry.TileK];
        for (var r = 0; r < rows; r++)
        {
            for (var k = 0; k < TileGeometry.TileK; k++)
            {
                values[r, k] = Bf16.ToFloat(BinaryPrimitives.ReadUInt16LittleEndian(tile[SwizzledTile.ElementOffset(r, k)..]));
            }
        }

        return values;
    }
}
