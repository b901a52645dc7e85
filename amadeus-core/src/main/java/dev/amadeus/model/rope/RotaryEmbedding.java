package dev.amadeus.model.rope;

/**
 * Rotates the first {@code ropeDims} dimensions of every head by position-dependent angles.
 * Angles are computed in double; only the rotated values are rounded to float.
 * Pairing: interleaved (2i, 2i+1) as LLaMA GGUFs expect, or NEOX halves (i, i + ropeDims/2) for
 * Qwen2, Phi-3 and Gemma.
 */
public final class RotaryEmbedding {
    private final int headDim;
    private final int ropeDims;
    private final boolean neox;
    private final double[] inverseFrequencies;
    private final double attentionFactor;

    public RotaryEmbedding(int headDim, int ropeDims, boolean neox, double base, RopeScaling scaling) {
        this.headDim = headDim;
        this.ropeDims = ropeDims;
        this.neox = neox;
        this.inverseFrequencies = scaling.inverseFrequencies(ropeDims, base);
        this.attentionFactor = scaling.attentionFactor();
    }

    /** cos and sin of every pair's angle at {@code position}, interleaved: [cos0, sin0, cos1, sin1, ...]. */
    public void angles(int position, float[] cosSin) {
        for (int i = 0; i < inverseFrequencies.length; i++) {
            double theta = position * inverseFrequencies[i];
            cosSin[2 * i] = (float) (Math.cos(theta) * attentionFactor);
            cosSin[2 * i + 1] = (float) (Math.sin(theta) * attentionFactor);
        }
    }

    public int pairs() {
        return inverseFrequencies.length;
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
                v[a] = x0 * cos - x1 * sin;
                v[b] = x0 * sin + x1 * cos;
            }
        }
    }
}
