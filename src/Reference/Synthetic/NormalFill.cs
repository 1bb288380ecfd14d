using System.Numerics.Tensors;

namespace MoeTune.Reference.Synthetic;

/// <summary>
/// Fills spans with N(0, σ²) floats fast: Box-Muller over vectorised logarithm, square root and sine/cosine. The
/// uniforms have 24 bits, so draws never exceed about 5.8σ in magnitude; that tail (probability ~1e-8) does not
/// matter for synthetic weights. The transcendental functions may differ in the last bit between CPUs, so draws are
/// reproducible for a seed on one machine, not bit for bit across machines.
/// </summary>
internal static class NormalFill
{
    private const int Chunk = 2048;

    public static void Fill(ref Xoshiro256StarStar random, Span<float> destination, float sigma)
    {
        Span<float> radius = stackalloc float[Chunk / 2];
        Span<float> angle = stackalloc float[Chunk / 2];
        Span<float> sin = stackalloc float[Chunk / 2];
        Span<float> cos = stackalloc float[Chunk / 2];
        for (var start = 0; start < destination.Length; start += Chunk)
        {
            var target = destination.Slice(start, Math.Min(Chunk, destination.Length - start));
            var pairs = (target.Length + 1) / 2;
            var r = radius[..pairs];
            var a = angle[..pairs];
            var s = sin[..pairs];
            var c = cos[..pairs];
            for (var i = 0; i < pairs; i++)
            {
                var bits = random.NextUInt64();
                r[i] = ((int)(bits >> 40) + 1) * (1f / (1 << 24)); // (0, 1]
                a[i] = (int)(bits & 0xFFFFFF) * (1f / (1 << 24)); // [0, 1)
            }

            // r = σ·sqrt(−2 ln u1); the pair is r·cos(2π u2), r·sin(2π u2).
            TensorPrimitives.Log(r, r);
            TensorPrimitives.Multiply(r, -2f * sigma * sigma, r);
            TensorPrimitives.Sqrt(r, r);
            TensorPrimitives.Multiply(a, 2f * MathF.PI, a);
            TensorPrimitives.Sin(a, s); // vectorised, unlike SinCos
            TensorPrimitives.Cos(a, c);
            TensorPrimitives.Multiply(r, c, target[..pairs]);
            TensorPrimitives.Multiply(r[..(target.Length - pairs)], s[..(target.Length - pairs)], target[pairs..]);
        }
    }
}
