package dev.amadeus.model;

/** Element-wise steps of the forward pass, on rows of flat row-major arrays. */
final class VectorOps {
    private VectorOps() {
    }

    /** RMSNorm as ggml computes it: mean of squares accumulated in double, then {@code x / sqrt(mean + eps) * w}. */
    static void rmsNorm(float[] out, int outOffset, float[] x, int xOffset, float[] weight, int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOffset + i];
            sum += v * v; // float product, double sum: ggml's order, so roundings downstream fall the same way
        }
        float mean = (float) (sum / n);
        float scale = (float) (1.0 / Math.sqrt(mean + eps));
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = x[xOffset + i] * scale * weight[i];
        }
    }

    static void addInPlace(float[] acc, int accOffset, float[] x, int xOffset, int n) {
        for (int i = 0; i < n; i++) acc[accOffset + i] += x[xOffset + i];
    }

    static float silu(float v) {
        return v / (1f + (float) Math.exp(-v));
    }

    /** GELU with ggml's tanh approximation (Gemma's gelu_pytorch_tanh). */
    static float gelu(float v) {
        final float sqrt2OverPi = 0.7978845608028654f;
        return 0.5f * v * (1f + (float) Math.tanh(sqrt2OverPi * v * (1f + 0.044715f * v * v)));
    }

    /** Softmax over {@code x[0..n)} in place; returns nothing, the max is subtracted for stability. */
    static void softmax(float[] x, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[i]);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[i] - max);
            x[i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) x[i] *= inv;
    }

    static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        float s = 0;
        for (int i = 0; i < n; i++) s += a[aOffset + i] * b[bOffset + i];
        return s;
    }
}
