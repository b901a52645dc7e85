package dev.amadeus.model.rope;

/**
 * Per-pair frequency divisors stored in the model file, applied on top of another method:
 * {@code theta_i / factors[i]}. Llama 3.1 files carry them as {@code rope_freqs}; LongRoPE's short and
 * long factors are of the same kind.
 */
public final class FrequencyFactors implements RopeScaling {
    private final RopeScaling inner;
    private final float[] factors;

    public FrequencyFactors(RopeScaling inner, float[] factors) {
        this.inner = inner;
        this.factors = factors.clone();
        for (float f : factors) RopeChecks.positive("frequency factor", f);
    }

    @Override
    public double[] inverseFrequencies(int dims, double base) {
        double[] inv = inner.inverseFrequencies(dims, base);
        if (factors.length < inv.length) {
            throw new IllegalArgumentException(factors.length + " frequency factors for " + inv.length + " rotated pairs");
        }
        for (int i = 0; i < inv.length; i++) inv[i] /= factors[i];
        return inv;
    }

    @Override
    public double attentionFactor() {
        return inner.attentionFactor();
    }

    @Override
    public boolean dependsOnLength() {
        return inner.dependsOnLength();
    }

    @Override
    public RopeScaling forLength(int length) {
        return dependsOnLength() ? new FrequencyFactors(inner.forLength(length), factors) : this;
    }
}
