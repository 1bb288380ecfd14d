namespace MoeTune.Models;

/// <summary>
/// The config.json fields a <see cref="ModelSpec"/>'s shape came from (for example <c>moe_intermediate_size</c> or
/// <c>text_config.num_local_experts</c>), so that a checkpoint tensor that contradicts the shape can name the field
/// it contradicts.
/// </summary>
public sealed record ConfigFieldNames(string Experts, string TopK, string Hidden, string Intermediate);
