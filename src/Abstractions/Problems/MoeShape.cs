using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MoeTune.Abstractions.Problems;

/// <summary>
/// A MoE layer's identity: the "model" in "per GPU and model". Two problems with the same shape share tuning
/// decisions whatever their labels. <see cref="CanonicalText"/> and <see cref="Hash"/> are stable across
/// versions: the tuning store keys on them, so never change their format without a schema migration.
/// </summary>
public sealed record MoeShape
{
    public MoeShape(int experts, int topK, int hidden, int intermediate, Activation activation, WeightFormat format)
    {
        Experts = experts;
        TopK = topK;
        Hidden = hidden;
        Intermediate = intermediate;
        Activation = activation;
        Format = format;
        var error = Validate();
        if (error is not null)
        {
            throw new ArgumentException($"invalid MoE shape: {error}");
        }
    }

    /// <summary>Routed experts E.</summary>
    public int Experts { get; }

    /// <summary>Experts chosen per token.</summary>
    public int TopK { get; }

    /// <summary>Hidden size H (the model dimension; the latent size for Nemotron).</summary>
    public int Hidden { get; }

    /// <summary>Expert intermediate size I.</summary>
    public int Intermediate { get; }

    public Activation Activation { get; }

    public WeightFormat Format { get; }

    /// <summary>Rows of W13: 2I for gated activations, I otherwise.</summary>
    public int W13Rows => Activation.IsGated() ? 2 * Intermediate : Intermediate;

    /// <summary>Parameters of one expert (both GEMMs).</summary>
    public long ParametersPerExpert => ((long)W13Rows * Hidden) + ((long)Hidden * Intermediate);

    /// <summary>A stable text form, for example <c>moe1;E=128;k=8;H=2048;I=768;act=swiglu;fmt=nvfp4</c>.</summary>
    public string CanonicalText => string.Create(
        CultureInfo.InvariantCulture,
        $"moe1;E={Experts};k={TopK};H={Hidden};I={Intermediate};act={Activation.ToName()};fmt={Format.ToName()}");

    /// <summary>First 16 hex digits of the SHA-256 of <see cref="CanonicalText"/>: the store's problem key.</summary>
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalText)))[..16];

    /// <summary>The same shape in another weight format.</summary>
    public MoeShape WithFormat(WeightFormat format) => new(Experts, TopK, Hidden, Intermediate, Activation, format);

    /// <summary>Parses <see cref="CanonicalText"/>.</summary>
    public static MoeShape ParseCanonical(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(';');
        if (parts.Length != 7 || parts[0] != "moe1")
        {
            throw new FormatException($"not a canonical MoE shape: '{text}'");
        }

        var fields = parts.Skip(1).Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : "", StringComparer.Ordinal);
        int Int(string key) => fields.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new FormatException($"canonical MoE shape '{text}' lacks a valid '{key}'");
        if (!fields.TryGetValue("act", out var act) || !Activations.TryParse(act, out var activation))
        {
            throw new FormatException($"canonical MoE shape '{text}' lacks a valid 'act'");
        }

        if (!fields.TryGetValue("fmt", out var fmt) || !WeightFormats.TryParse(fmt, out var format))
        {
            throw new FormatException($"canonical MoE shape '{text}' lacks a valid 'fmt'");
        }

        return new MoeShape(Int("E"), Int("k"), Int("H"), Int("I"), activation, format);
    }

    public override string ToString() => CanonicalText;

    private string? Validate()
    {
        if (Experts <= 0) return $"experts must be positive (got {Experts})";
        if (TopK <= 0) return $"top-k must be positive (got {TopK})";
        if (TopK > Experts) return $"top-k {TopK} exceeds the expert count {Experts}";
        if (Hidden <= 0) return $"hidden size must be positive (got {Hidden})";
        if (Intermediate <= 0) return $"intermediate size must be positive (got {Intermediate})";
        var block = Format.BlockSize();
        if (Format.ElementBits() == 4 && (Hidden % Math.Max(block, 2) != 0 || Intermediate % Math.Max(block, 2) != 0))
        {
            return $"{Format.ToName()} needs hidden ({Hidden}) and intermediate ({Intermediate}) sizes divisible by its block size {block}";
        }

        return null;
    }
}
