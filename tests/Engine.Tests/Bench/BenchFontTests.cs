using MoeTune.Host.Commands;
using ScottPlot;

namespace MoeTune.Engine.Tests.Bench;

/// <summary>The plots' font ships with the app and is what ScottPlot draws with (a GPU machine without fonts drew blank plots).</summary>
public sealed class BenchFontTests
{
    [Fact]
    public void The_shipped_font_is_registered_and_becomes_the_plots_default()
    {
        Assert.True(File.Exists(BenchFont.FilePath), $"{BenchFont.FilePath} is not beside the app");
        Assert.Null(BenchFont.Use());
        Assert.Equal(BenchFont.Name, Fonts.Default);
        using var typeface = Fonts.GetTypeface(BenchFont.Name, bold: false, italic: false);
        Assert.Equal(BenchFont.Name, typeface.FamilyName);
    }
}
