using System.Globalization;
using System.Text.RegularExpressions;
using MoeTune.Abstractions.Problems;
using MoeTune.Plugins.FlashInferCutlass.Kernels;
using MoeTune.Plugins.FlashInferCutlass.Layout;
using MoeTune.Plugins.Tests.FlashInferCutlass.Models;

namespace MoeTune.Plugins.Tests.FlashInferCutlass;

public sealed partial class TileGeometryTests
{
    [Fact]
    public void Host_constants_equal_the_kernel_header()
    {
        var header = KernelSources.Unit("fic_common.cuh").Code;
        var device = ConstantPattern().Matches(header).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var host = new Dictionary<string, int>
        {
            ["kBlockRows"] = TileGeometry.BlockRows,
            ["kTileCols"] = TileGeometry.TileCols,
            ["kTileK"] = TileGeometry.TileK,
            ["kRowBytes"] = TileGeometry.RowBytes,
            ["kABlockBytes"] = TileGeometry.ABlockBytes,
            ["kBTileBytes"] = TileGeometry.BTileBytes,
            ["kFp4PackedBytes"] = TileGeometry.Fp4PackedBytes,
            ["kFp4ScaleBytes"] = TileGeometry.Fp4ScaleBytes,
            ["kFp4TileBytes"] = TileGeometry.Fp4TileBytes,
            ["kScheduleGroupRows"] = TileGeometry.ScheduleGroupRows,
            ["kMaxExperts"] = TileGeometry.MaxExperts,
            ["kFragTileRows"] = TileGeometry.FragTileRows,
            ["kFragCodeBytes"] = TileGeometry.FragCodeBytes,
            ["kFragScaleBytes"] = TileGeometry.FragScaleBytes,
            ["kFragTileBytes"] = TileGeometry.FragTileBytes,
            ["kBf16FragTileBytes"] = TileGeometry.Bf16FragTileBytes,
            ["kMaxTileBlocks"] = TileGeometry.MaxTileBlocks,
        };
        Assert.Equal(host.Keys.Order(), device.Keys.Order());
        foreach (var (name, value) in host)
        {
            Assert.True(Evaluate(device[name], device) == value, $"{name}: header says '{device[name]}', host says {value}");
        }
    }

    [Theory]
    [InlineData(7168, 2048, Activation.SwiGlu, 112, 2048, 16, 28)]   // deepseek-v3
    [InlineData(4096, 14336, Activation.SwiGlu, 64, 14336, 112, 16)] // mixtral-8x7b
    [InlineData(2048, 768, Activation.SwiGlu, 32, 768, 6, 8)]        // qwen3-30b-a3b
    [InlineData(1024, 2688, Activation.ReluSquared, 16, 2816, 11, 4)] // nemotron: I padded to 256 (ReLU² tiles are not paired)
    [InlineData(200, 100, Activation.SwiGlu, 4, 128, 1, 1)]          // everything padded
    public void Padded_dimensions(int hidden, int intermediate, Activation activation, int hiddenKTiles, int intermediatePadded, int w13NTiles, int w2NTiles)
    {
        var geometry = new TileGeometry(new MoeShape(8, 2, hidden, intermediate, activation, WeightFormat.Bf16));
        Assert.Equal(hiddenKTiles, geometry.HiddenKTiles);
        Assert.Equal(intermediatePadded, geometry.IntermediatePadded);
        Assert.Equal(intermediatePadded / 64, geometry.IntermediateKTiles);
        Assert.Equal(w13NTiles, geometry.W13NTiles);
        Assert.Equal(w2NTiles, geometry.W2NTiles);
        Assert.Equal((long)w13NTiles * hiddenKTiles * TileGeometry.BTileBytes, geometry.W13BytesPerExpert);
    }

    [Fact]
    public void Nvfp4_tiles_are_nine_kibibytes()
    {
        var geometry = new TileGeometry(new MoeShape(8, 2, 4096, 14336, Activation.SwiGlu, WeightFormat.Nvfp4));
        Assert.Equal(9216, geometry.WeightTileBytes);
        Assert.Equal(112L * 64 * 9216, geometry.W13BytesPerExpert);
        Assert.Equal(2, geometry.TileBlocks);
    }

    [Theory]
    [InlineData(7168, 2048, Activation.SwiGlu, 32, 56)]           // deepseek-v3: 64 intermediate columns per W13 tile
    [InlineData(4096, 14336, Activation.SwiGlu, 224, 32)]         // mixtral-8x7b
    [InlineData(1024, 2688, Activation.ReluSquared, 22, 8)]       // nemotron: 128 output rows per W13 tile, I padded to 2816
    [InlineData(208, 112, Activation.SwiGlu, 2, 2)]               // I padded to 128, H to 256
    public void Fragment_tiles_hold_128_rows_and_m_tiles_four_blocks(int hidden, int intermediate, Activation activation, int w13NTiles, int w2NTiles)
    {
        var shape = new MoeShape(8, 2, hidden, intermediate, activation, WeightFormat.Nvfp4);
        var geometry = new TileGeometry(shape, WeightLayout.Fragments);
        Assert.Equal(new TileGeometry(shape).IntermediatePadded, geometry.IntermediatePadded);
        Assert.Equal(w13NTiles, geometry.W13NTiles);
        Assert.Equal(w2NTiles, geometry.W2NTiles);
        Assert.Equal(5120, geometry.WeightTileBytes);
        Assert.Equal(4, geometry.TileBlocks);
        Assert.Equal((long)w13NTiles * geometry.HiddenKTiles * 5120, geometry.W13BytesPerExpert);
    }

    [Fact]
    public void The_fragment_layout_takes_NVFP4_and_bf16_only()
    {
        var bf16 = new TileGeometry(new MoeShape(8, 2, 4096, 14336, Activation.SwiGlu, WeightFormat.Bf16), WeightLayout.Fragments);
        Assert.Equal(16384, bf16.WeightTileBytes);
        Assert.Equal(224, bf16.W13NTiles);
        Assert.Equal(4, bf16.TileBlocks);
        var mxfp4 = new MoeShape(8, 2, 256, 256, Activation.SwiGlu, WeightFormat.Mxfp4);
        Assert.Contains("NVFP4 and bf16", Assert.Throws<ArgumentException>(() => new TileGeometry(mxfp4, WeightLayout.Fragments)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 8, 256, 2)]
    [InlineData(3, 8, 256, 4)]
    [InlineData(1000, 8, 256, 2)]
    [InlineData(4096, 2, 8, 4)]
    [InlineData(7, 22, 512, 2)]
    public void Row_and_tile_bounds_cover_every_routing(int tokens, int topK, int experts, int tileBlocks)
    {
        var geometry = new TileGeometry(new MoeShape(experts, topK, 1024, 512, Activation.SwiGlu, WeightFormat.Bf16));
        var random = new Random(tokens * 31 + experts);
        foreach (var ids in Routings(tokens, topK, experts, random))
        {
            var routing = RoutingModel.Build(ids, experts, tileBlocks);
            Assert.True(routing.TotalRows <= geometry.MaxPermutedRows(tokens), $"{routing.TotalRows} rows > bound {geometry.MaxPermutedRows(tokens)}");
            Assert.True(routing.TotalTiles <= geometry.MaxMTiles(tokens), $"{routing.TotalTiles} tiles > bound {geometry.MaxMTiles(tokens)}");
        }
    }

    // Uniform, one hot expert, and the worst case for padding: every entry on its own expert where possible.
    private static IEnumerable<int[]> Routings(int tokens, int topK, int experts, Random random)
    {
        var entries = tokens * topK;
        yield return [.. Enumerable.Range(0, entries).Select(_ => random.Next(experts))];
        yield return [.. Enumerable.Range(0, entries).Select(i => i % topK)];
        yield return [.. Enumerable.Range(0, entries).Select(i => i % experts)];
    }

    private static long Evaluate(string expression, IReadOnlyDictionary<string, string> names)
    {
        long product = 1;
        foreach (var factor in expression.Split('*', StringSplitOptions.TrimEntries))
        {
            var divided = factor.Split('/', StringSplitOptions.TrimEntries);
            var value = Term(divided[0], names);
            foreach (var divisor in divided.Skip(1)) value /= Term(divisor, names);
            product *= value;
        }

        return product;

        static long Term(string term, IReadOnlyDictionary<string, string> names) => term.Contains('+', StringComparison.Ordinal)
            ? term.Split('+', StringSplitOptions.TrimEntries).Sum(t => Term(t, names))
            : long.TryParse(term, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : Evaluate(names[term], names);
    }

    [GeneratedRegex(@"constexpr int (k\w+) = ([^;]+);")]
    private static partial Regex ConstantPattern();
}
