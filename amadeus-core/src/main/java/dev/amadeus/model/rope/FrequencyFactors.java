package dev.amadeus.model.rope;

/**
 * Per-pair frequency divisors stored in the model file ({@code rope_freqs}, as Llama 3.1 files carry),
 * applied on top of another method: {@code theta_i / factors[i]}.
 */
public final class FrequencyFactors implements RopeScaling {
    private final RopeScaling inner;
    private final float[] factors;

    public FrequencyFactors(RopeScaling inner, float[] factors) {
        this.inner = inner;
        this.factors = factors.clone();
    }

    @Override
    public double[] inverseFrequencies(int dims, double base) {
        double[] inv = inner.inverseFrequencies(dims, base);
        if (factors.length < inv.length) {
            throw new IllegalArgumentException("rope_freqs has " + factors.length + " entries, expected " + inv.length);
        }
        for (int i = 0; i < inv.length; i++) inv[i] /= factors[i];
        return inv;
    }

    @Override
    public float angle(int i, float theta) {
        return inner.angle(i, theta / factors[i]);
    }

    @Override
    public double attentionFactor() {
        return inner.attentionFactor();
    }
}
