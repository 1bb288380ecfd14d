using MoeTune.TuningDb;

namespace MoeTune.Tuning.Tests.Store;

/// <summary>Where the store lives: resolved from a fake environment, so the user's real cache folder is never involved.</summary>
public sealed class LocationTests
{
    [Fact]
    public void Moetune_db_wins_and_says_so()
    {
        var location = TuningStoreLocation.Resolve(Env(("MOETUNE_DB", "/data/tuning/fleet.db"), ("XDG_CACHE_HOME", "/xdg")));
        Assert.Equal(new TuningStoreLocation("/data/tuning/fleet.db", "MOETUNE_DB"), location);
    }

    [Fact]
    public void Moetune_db_naming_a_folder_holds_tuning_db()
    {
        var folder = Path.GetTempPath();
        var location = TuningStoreLocation.Resolve(Env(("MOETUNE_DB", folder)));
        Assert.Equal(Path.Combine(Path.GetFullPath(folder), "tuning.db"), location.Path);
        Assert.Equal("MOETUNE_DB (a folder)", location.Source);
    }

    [Fact]
    public void A_relative_moetune_db_is_made_absolute() =>
        Assert.True(Path.IsPathFullyQualified(TuningStoreLocation.Resolve(Env(("MOETUNE_DB", "tuning.db"))).Path));

    [Fact]
    public void On_linux_the_xdg_cache_folder_is_the_default()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("XDG folders apply on Linux");
        }

        Assert.Equal(new TuningStoreLocation("/xdg/moetune/tuning.db", "XDG_CACHE_HOME"), TuningStoreLocation.Resolve(Env(("XDG_CACHE_HOME", "/xdg"), ("HOME", "/home/u"))));
        Assert.Equal("/home/u/.cache/moetune/tuning.db", TuningStoreLocation.Resolve(Env(("HOME", "/home/u"))).Path);
        // A relative XDG_CACHE_HOME is invalid by the XDG specification and ignored.
        Assert.Equal("/home/u/.cache/moetune/tuning.db", TuningStoreLocation.Resolve(Env(("XDG_CACHE_HOME", "cache"), ("HOME", "/home/u"))).Path);
    }

    [Fact]
    public void An_empty_moetune_db_is_no_override()
    {
        var location = TuningStoreLocation.Resolve(Env(("MOETUNE_DB", " "), ("XDG_CACHE_HOME", "/xdg"), ("HOME", "/home/u")));
        Assert.NotEqual("MOETUNE_DB", location.Source);
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.Where(v => v.Name == name).Select(v => v.Value).FirstOrDefault();
}
