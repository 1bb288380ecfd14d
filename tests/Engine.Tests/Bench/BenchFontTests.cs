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
        Assert.True(File.Exists(BenchFont.BoldFilePath), $"{BenchFont.BoldFilePath} is not beside the app");
        Assert.Null(BenchFont.Use());
        Assert.Equal(BenchFont.Name, Fonts.Default);
        using var regular = Fonts.GetTypeface(BenchFont.Name, bold: false, italic: false);
        using var bold = Fonts.GetTypeface(BenchFont.Name, bold: true, italic: false);
        Assert.Equal(BenchFont.Name, regular.FamilyName);
        Assert.Equal(BenchFont.Name, bold.FamilyName);
        Assert.True(bold.IsBold, "the bold face (titles, axis labels) is not bold");
    }
}
