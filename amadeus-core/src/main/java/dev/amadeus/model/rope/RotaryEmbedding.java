package dev.amadeus.model.rope;

/**
 * Rotates the first {@code ropeDims} dimensions of every head by position-dependent angles.
 * Angles are formed in double (position × inverse frequency, then cos and sin times the attention factor)
 * and only the results are rounded to float: at 128K positions a float angle is off by hundredths of a
 * radian. For a method whose frequencies {@link RopeScaling#dependsOnLength() depend on the length}, the
 * angles at position p are those of a sequence of p + 1 positions.
 * <p>On request the angles are formed as ggml forms them instead ({@code ggml_rope_cache_init}): the position
 * multiplied i times by {@code base^(-2/ropeDims)} in float, rounding each time, then cos and sin in float.
 * llama.cpp's logits depend on these last bits: with 16-bit or quantized weights a q or k a few ulps away
 * flips the 8- or 16-bit rounding of some activations downstream. That mode reproduces llama.cpp bit for bit
 * for unscaled RoPE (for a scaling, the float angle is multiplied by the scaled/unscaled frequency ratio).
 * <p>Pairing: interleaved (2i, 2i+1) as LLaMA GGUFs expect, or NEOX halves (i, i + ropeDims/2) for
 * Qwen2, Phi-3 and Gemma.
 */
public final class RotaryEmbedding {
    private final int headDim;
    private final int ropeDims;
    private final boolean neox;
    private final int pairs;
    private final double base;
    private final RopeScaling scaling;
    private final double[] inverseFrequencies;
    private final boolean ggmlAngles;
    private final float ggmlThetaScale;
    private final double[] unscaledFrequencies;

    public RotaryEmbedding(int headDim, int ropeDims, boolean neox, double base, RopeScaling scaling) {
        this(headDim, ropeDims, neox, base, scaling, false);
    }

    /** With {@code ggmlAngles}, angles in ggml's float arithmetic (see the class comment). */
    public RotaryEmbedding(int headDim, int ropeDims, boolean neox, double base, RopeScaling scaling, boolean ggmlAngles) {
        if (ropeDims <= 0 || ropeDims % 2 != 0 || ropeDims > headDim) {
            throw new IllegalArgumentException("cannot rotate " + ropeDims + " dimensions of a head of " + headDim);
        }
        this.headDim = headDim;
        this.ropeDims = ropeDims;
        this.neox = neox;
        this.pairs = ropeDims / 2;
        this.base = base;
        this.scaling = scaling;
        this.inverseFrequencies = scaling.inverseFrequencies(ropeDims, base);
        this.ggmlAngles = ggmlAngles;
        this.ggmlThetaScale = (float) Math.pow((float) base, -2.0f / ropeDims);
        this.unscaledFrequencies = RopeScaling.baseFrequencies(ropeDims, base);
    }

    /** cos and sin of every pair's angle at {@code position}, interleaved: [cos0, sin0, cos1, sin1, ...]. */
    public void angles(int position, float[] cosSin) {
        double[] inv = inverseFrequencies;
        double attention = scaling.attentionFactor();
        if (scaling.dependsOnLength()) {
            RopeScaling fixed = scaling.forLength(position + 1);
            inv = fixed.inverseFrequencies(ropeDims, base);
            attention = fixed.attentionFactor();
        }
        if (ggmlAngles) {
            ggmlAngles(position, inv, (float) attention, cosSin);
            return;
        }
        for (int i = 0; i < pairs; i++) {
            double angle = position * inv[i];
            cosSin[2 * i] = (float) (Math.cos(angle) * attention);
            cosSin[2 * i + 1] = (float) (Math.sin(angle) * attention);
        }
    }

    private void ggmlAngles(int position, double[] inv, float attention, float[] cosSin) {
        float theta = position;
        for (int i = 0; i < pairs; i++) {
            double ratio = inv[i] / unscaledFrequencies[i];
            float angle = ratio == 1 ? theta : (float) ratio * theta;
            cosSin[2 * i] = (float) Math.cos(angle) * attention;
            cosSin[2 * i + 1] = (float) Math.sin(angle) * attention;
            theta *= ggmlThetaScale;
        }
    }

    /**
     * As {@link #angles} for a rotation by {@code delta} positions but without the attention factor: moving
     * already rotated keys (a context shift) must turn them, not scale them again.
     */
    public void rotationAngles(int delta, float[] cosSin) {
        for (int i = 0; i < pairs; i++) {
            double angle = delta * inverseFrequencies[i];
            cosSin[2 * i] = (float) Math.cos(angle);
            cosSin[2 * i + 1] = (float) Math.sin(angle);
        }
    }

    public int pairs() {
        return pairs;
    }

    /** The scaling this embedding applies. */
    public RopeScaling scaling() {
        return scaling;
    }

    /** Rotates {@code heads} consecutive heads stored from {@code offset} in {@code v}, using {@link #angles}. */
    public void rotate(float[] v, int offset, int heads, float[] cosSin) {
        int half = ropeDims / 2;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headDim;
            for (int i = 0; i < half; i++) {
                int a = neox ? base + i : base + 2 * i;
                int b = neox ? base + i + half : base + 2 * i + 1;
                float cos = cosSin[2 * i], sin = cosSin[2 * i + 1];
                float x0 = v[a], x1 = v[b];
                // llama.cpp's build (GCC, FMA allowed) fuses the first product of each line into the addition.
                v[a] = Math.fma(x0, cos, -(x1 * sin));
                v[b] = Math.fma(x0, sin, x1 * cos);
            }
        }
    }
}
