using MoeTune.Abstractions.Problems;
using MoeTune.Abstractions.Weights;

namespace MoeTune.Plugins.FlashInferCutlass.Layout;

/// <summary>
/// One expert's W13 and W2 in the stored layout of its geometry: <see cref="Bf16WeightTiler"/> and
/// <see cref="Nvfp4WeightTiler"/> with <see cref="WeightRowMap"/> rows for <see cref="WeightLayout.Tiles"/>,
/// <see cref="Nvfp4FragmentTiler"/> and <see cref="Bf16FragmentTiler"/> with <see cref="FragmentRowMap"/> rows for
/// <see cref="WeightLayout.Fragments"/>.
/// </summary>
public static class ExpertWeightTiler
{
    /// <summary>Writes expert <paramref name="expert"/>'s W13 tiles (<see cref="TileGeometry.W13BytesPerExpert"/> bytes).</summary>
    public static void TileW13(TileGeometry geometry, ExpertWeights weights, int expert, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(weights);
        Func<int, int, int> rowOf = geometry.Layout == WeightLayout.Fragments
            ? (n, row) => FragmentRowMap.W13(geometry, n, row)
            : (n, row) => WeightRowMap.W13(geometry, n, row);
        Tile(geometry, weights.W13, geometry.W13NTiles, geometry.HiddenKTiles, rowOf, destination, $"expert {expert} W13");
    }

    /// <summary>Writes expert <paramref name="expert"/>'s W2 tiles (<see cref="TileGeometry.W2BytesPerExpert"/> bytes).</summary>
    public static void TileW2(TileGeometry geometry, ExpertWeights weights, int expert, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(weights);
        Func<int, int, int> rowOf = geometry.Layout == WeightLayout.Fragments
            ? (n, row) => FragmentRowMap.W2(geometry, n, row)
            : (n, row) => WeightRowMap.W2(geometry, n, row);
        Tile(geometry, weights.W2, geometry.W2NTiles, geometry.IntermediateKTiles, rowOf, destination, $"expert {expert} W2");
    }

    private static void Tile(TileGeometry geometry, QuantizedMatrix matrix, int nTiles, int kTiles, Func<int, int, int> rowOf, Span<byte> destination, string label)
    {
        switch (geometry.Shape.Format)
        {
            case WeightFormat.Bf16 when geometry.Layout == WeightLayout.Fragments:
                Bf16FragmentTiler.Tile(matrix, nTiles, kTiles, rowOf, destination);
                break;
            case WeightFormat.Bf16:
                Bf16WeightTiler.Tile(matrix, nTiles, kTiles, rowOf, destination);
                break;
            case WeightFormat.Nvfp4 when geometry.Layout == WeightLayout.Fragments:
                Nvfp4FragmentTiler.Tile(matrix, nTiles, kTiles, rowOf, destination, label);
                break;
            case WeightFormat.Nvfp4:
                Nvfp4WeightTiler.Tile(matrix, nTiles, kTiles, rowOf, destination, label);
                break;
            default:
                throw new NotSupportedException($"{label}: FlashInferCutlass stores bf16 and NVFP4 weights, not {geometry.Shape.Format.ToName()}");
        }
    }
}
