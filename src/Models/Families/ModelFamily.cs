using MoeTune.Models.Checkpoints;
using MoeTune.Models.Config;
using MoeTune.Models.Safetensors;

namespace MoeTune.Models.Families;

/// <summary>
/// One model architecture (Mixtral, Qwen3-MoE, …): how its config.json describes the MoE layer and how its
/// checkpoints name the experts' tensors. The set is closed: <see cref="ModelFamilies.All"/> lists every family.
/// </summary>
public abstract class ModelFamily
{
    private protected ModelFamily()
    {
    }

    /// <summary>A short lower-case name, for example <c>mixtral</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Entries of config.json's <c>architectures</c> that mean this family.</summary>
    public abstract IReadOnlyList<string> Architectures { get; }

    /// <summary>Values of config.json's <c>model_type</c> that mean this family.</summary>
    public abstract IReadOnlyList<string> ModelTypes { get; }

    /// <summary>The config.json field names of the shape, as the family's real configs spell them.</summary>
    public abstract ConfigFieldNames Fields { get; }

    public override string ToString() => Name;

    /// <summary>Reads the MoE layer's description from a config.json of this family.</summary>
    internal abstract ParsedArchitecture Parse(ConfigReader config);

    /// <summary>How the experts of <paramref name="layer"/> are stored in <paramref name="checkpoint"/>.</summary>
    internal abstract IExpertLayout SelectLayout(SafetensorsCheckpoint checkpoint, ModelSpec spec, int layer);
}
