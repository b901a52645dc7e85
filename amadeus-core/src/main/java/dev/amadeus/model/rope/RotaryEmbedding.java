package dev.amadeus.model.rope;

/**
 * Rotates the first {@code ropeDims} dimensions of every head by position-dependent angles.
 * Angles follow ggml's float arithmetic ({@code ggml_rope_cache_init}): pair i's angle is the position
 * multiplied i times by {@code base^(-2/dims)}, rounding each time, then {@code cos}/{@code sin} in float.
 * Computing them more precisely would move q and k by a few ulps from llama.cpp's, enough to flip the
 * 8-bit rounding of some attention outputs downstream.
 * Pairing: interleaved (2i, 2i+1) as LLaMA GGUFs expect, or NEOX halves (i, i + ropeDims/2) for
 * Qwen2, Phi-3 and Gemma.
 */
public final class RotaryEmbedding {
    private final int headDim;
    private final int ropeDims;
    private final boolean neox;
    private final int pairs;
    private final float thetaScale;
    private final RopeScaling scaling;
    private final float attentionFactor;

    public RotaryEmbedding(int headDim, int ropeDims, boolean neox, double base, RopeScaling scaling) {
        this.headDim = headDim;
        this.ropeDims = ropeDims;
        this.neox = neox;
        this.pairs = ropeDims / 2;
        this.thetaScale = (float) Math.pow((float) base, -2.0f / ropeDims);
        this.scaling = scaling;
        this.attentionFactor = (float) scaling.attentionFactor();
    }

    /** cos and sin of every pair's angle at {@code position}, interleaved: [cos0, sin0, cos1, sin1, ...]. */
    public void angles(int position, float[] cosSin) {
        float theta = position;
        for (int i = 0; i < pairs; i++) {
            float angle = scaling.angle(i, theta);
            cosSin[2 * i] = (float) Math.cos(angle) * attentionFactor;
            cosSin[2 * i + 1] = (float) Math.sin(angle) * attentionFactor;
            theta *= thetaScale;
        }
    }

    /**
     * As {@link #angles} for a rotation by {@code delta} positions but without the attention factor: moving
     * already rotated keys (a context shift) must turn them, not scale them again.
     */
    public void rotationAngles(int delta, float[] cosSin) {
        float theta = delta;
        for (int i = 0; i < pairs; i++) {
            float angle = scaling.angle(i, theta);
            cosSin[2 * i] = (float) Math.cos(angle);
            cosSin[2 * i + 1] = (float) Math.sin(angle);
            theta *= thetaScale;
        }
    }

    public int pairs() {
        return pairs;
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
