package dev.amadeus.model.rope;

/**
 * LongRoPE (Phi-3): every pair's frequency is divided by a searched factor, from the short set while the
 * sequence fits the original context and from the long set beyond it; cos and sin carry an attention factor
 * (for Phi-3-mini-128k {@code sqrt(1 + ln 32 / ln 4096)}) at every length. The choice follows the sequence
 * length as Hugging Face makes it, so the method {@link #dependsOnLength() depends on the length}.
 */
public final class LongRopeScaling implements RopeScaling {
    private final float[] shortFactors;
    private final float[] longFactors;
    private final int originalLength;
    private final double attentionFactor;

    public LongRopeScaling(float[] shortFactors, float[] longFactors, int originalLength, double attentionFactor) {
        if (shortFactors.length != longFactors.length) {
            throw new IllegalArgumentException(shortFactors.length + " short factors but " + longFactors.length + " long factors");
        }
        this.shortFactors = shortFactors.clone();
        this.longFactors = longFactors.clone();
        this.originalLength = RopeChecks.positive("LongRoPE original context", originalLength);
        this.attentionFactor = RopeChecks.positive("LongRoPE attention factor", attentionFactor);
    }

    /** Hugging Face's default attention factor: {@code sqrt(1 + ln(s)/ln(L))}, or 1 when s ≤ 1. */
    public static double defaultAttentionFactor(double factor, int originalLength) {
        return factor <= 1 ? 1 : Math.sqrt(1 + Math.log(factor) / Math.log(originalLength));
    }

    /** The frequencies of a sequence within the original context (short factors). */
    @Override
    public double[] inverseFrequencies(int dims, double base) {
        return new FrequencyFactors(new NoScaling(), shortFactors).inverseFrequencies(dims, base);
    }

    @Override
    public double attentionFactor() {
        return attentionFactor;
    }

    @Override
    public boolean dependsOnLength() {
        return true;
    }

    @Override
    public RopeScaling forLength(int length) {
        RopeScaling chosen = new FrequencyFactors(new NoScaling(), length > originalLength ? longFactors : shortFactors);
        return new AttentionScaled(chosen, attentionFactor);
    }
}
