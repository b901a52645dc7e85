package dev.amadeus.model.rope;

/**
 * Position interpolation (PI): positions are divided by {@code factor}, so a model trained on N tokens
 * sees factor·N positions squeezed into its trained range.
 */
public final class LinearScaling implements RopeScaling {
    private final double factor;

    public LinearScaling(double factor) {
        if (!(factor > 0)) throw new IllegalArgumentException("linear RoPE scale factor must be positive, got " + factor);
        this.factor = factor;
    }

    @Override
    public double[] inverseFrequencies(int dims, double base) {
        double[] inv = RopeScaling.baseFrequencies(dims, base);
        for (int i = 0; i < inv.length; i++) inv[i] /= factor;
        return inv;
    }

    @Override
    public float angle(int i, float theta) {
        return (float) (1 / factor) * theta; // ggml multiplies by freq_scale = 1/factor
    }
}
