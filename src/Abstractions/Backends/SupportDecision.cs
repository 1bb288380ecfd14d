namespace MoeTune.Abstractions.Backends;

/// <summary>A backend's answer to "can you run this problem on this device?": yes, or no with a reason a user can act on.</summary>
public sealed record SupportDecision(bool IsSupported, string Reason)
{
    public static SupportDecision Yes { get; } = new(true, "supported");

    public static SupportDecision No(string reason) => new(false, reason);

    public override string ToString() => IsSupported ? "supported" : $"unsupported: {Reason}";
}
