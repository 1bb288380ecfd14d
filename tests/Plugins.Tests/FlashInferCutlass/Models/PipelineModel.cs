using System.Buffers.Binary;
using System.Runtime.InteropServices;
using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;
using MoeTune.Plugins.FlashInferCutlass.Layout;
using MoeTune.Reference.Formats;

namespace MoeTune.Plugins.Tests.FlashInferCutlass.Models;

/// <summary>
/// The forward pass of the five kernels emulated in C# on the exact device byte layouts: the plugin's own weight
/// tilers feed it, and every address is computed the way the kernels compute it (swizzled offsets, tile and block
/// indices, the work-list decode, the gate/up pairing, the epilogue's accumulator-to-output column order, the NVFP4
/// conversion). Accumulation is in double rather than the tensor cores' f32, and silu is exact rather than the
/// kernel's tanh.approx form; both differences are far inside the tolerance the comparisons use.
/// </summary>
internal sealed class PipelineModel
{
    private readonly TileGeometry geometry;
    private readonly byte[] w13;
    private readonly byte[] w2;
    private readonly float[] w13Scales;
    private readonly float[] w2Scales;

    public PipelineModel(MoeWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        geometry = new TileGeometry(weights.Shape);
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

    /// <summary>The layer's bf16 output [T, H]; <paramref name="partials"/> receives the bf16 partials [T · k, H] (NaN where unwritten).</summary>
    public ushort[] Forward(ushort[] hidden, int[] ids, float[] routeWeights, int tokens, out ushort[] partials)
    {
        var routing = RoutingModel.Build(ids, Shape.Experts);
        var activations = Gather(routing, hidden);
        var intermediate = new byte[routing.TotalRows * geometry.IntermediateKTiles * TileGeometry.RowBytes];
        partials = new ushort[tokens * Shape.TopK * Shape.Hidden];
        partials.AsSpan().Fill(0x7FC0);
        var partialsLocal = partials;

        RunGemm(routing, activations, geometry.HiddenKTiles, w13, geometry.W13NTiles, (tile, block, acc) => StoreIntermediate(tile, block, acc, intermediate));
        RunGemm(routing, intermediate, geometry.IntermediateKTiles, w2, geometry.W2NTiles, (tile, block, acc) => StoreWeighted(routing, tile, block, acc, routeWeights, partialsLocal));
        return Combine(partials, ids, tokens);
    }

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

    private void RunGemm(RoutingModel routing, byte[] a, int kTiles, byte[] b, int nTiles, Action<WorkTile, int, float[,]> epilogue)
    {
        var tileBytes = geometry.WeightTileBytes;
        for (var item = 0; item < WorkScheduleModel.TotalWork(routing, nTiles); item++)
        {
            var tile = WorkScheduleModel.Decode(item, nTiles, routing);
            for (var consumer = 0; consumer < tile.Blocks; consumer++)
            {
                var block = tile.FirstBlock + consumer;
                var acc = new double[TileGeometry.BlockRows, TileGeometry.TileCols];
                for (var kb = 0; kb < kTiles; kb++)
                {
                    var aBlock = ReadTile(a.AsSpan(((block * kTiles) + kb) * TileGeometry.ABlockBytes, TileGeometry.ABlockBytes), TileGeometry.BlockRows);
                    var stored = b.AsSpan((int)((((((long)tile.Expert * nTiles) + tile.NTile) * kTiles) + kb) * tileBytes), tileBytes);
                    var bTile = ReadTile(Shape.Format == WeightFormat.Nvfp4 ? Fp4ConversionModel.DequantTile(stored) : stored, TileGeometry.TileCols);
                    for (var r = 0; r < TileGeometry.BlockRows; r++)
                    {
                        for (var c = 0; c < TileGeometry.TileCols; c++)
                        {
                            double sum = 0;
                            for (var k = 0; k < TileGeometry.TileK; k++) sum += aBlock[r, k] * bTile[c, k];
                            acc[r, c] += sum;
                        }
                    }
                }

                var single = new float[TileGeometry.BlockRows, TileGeometry.TileCols];
                for (var r = 0; r < TileGeometry.BlockRows; r++)
                {
                    for (var c = 0; c < TileGeometry.TileCols; c++) single[r, c] = (float)acc[r, c];
                }

                epilogue(tile, block, single);
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
                float h;
                if (geometry.Gated)
                {
                    var gate = acc[r, c] * scale;
                    var up = acc[r, c + TileGeometry.GatedHalf] * scale;
                    h = gate / (1f + MathF.Exp(-gate)) * up;
                }
                else
                {
                    var x = MathF.Max(acc[r, c] * scale, 0f);
                    h = x * x;
                }

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
