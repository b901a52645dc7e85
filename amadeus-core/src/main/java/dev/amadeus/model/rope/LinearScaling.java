package dev.amadeus.model.rope;

/**
 * Position interpolation (PI): positions are divided by {@code factor}, so a model trained on N tokens
 * sees factor·N positions squeezed into its trained range. llama.cpp's {@code freq_scale} is 1/factor.
 */
public final class LinearScaling implements RopeScaling {
    private final double factor;

    public LinearScaling(double factor) {
        this.factor = RopeChecks.positive("linear scale factor", factor);
    }

    @Override
    public double[] inverseFrequencies(int dims, double base) {
        double[] inv = RopeScaling.baseFrequencies(dims, base);
        for (int i = 0; i < inv.length; i++) inv[i] /= factor;
        return inv;
    }
}
