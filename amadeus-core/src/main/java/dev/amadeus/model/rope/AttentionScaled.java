package dev.amadeus.model.rope;

/**
 * Another method with its attention factor multiplied by {@code multiplier}: the file's
 * {@code rope.scaling.attn_factor} and {@code --yarn-attn-factor} scale cos and sin whatever the method.
 */
public final class AttentionScaled implements RopeScaling {
    private final RopeScaling inner;
    private final double multiplier;

    public AttentionScaled(RopeScaling inner, double multiplier) {
        this.inner = inner;
        this.multiplier = RopeChecks.positive("attention factor", multiplier);
    }

    @Override
    public double[] inverseFrequencies(int dims, double base) {
        return inner.inverseFrequencies(dims, base);
    }

    @Override
    public double attentionFactor() {
        return inner.attentionFactor() * multiplier;
    }

    @Override
    public boolean dependsOnLength() {
        return inner.dependsOnLength();
    }

    @Override
    public RopeScaling forLength(int length) {
        return dependsOnLength() ? new AttentionScaled(inner.forLength(length), multiplier) : this;
    }
}
