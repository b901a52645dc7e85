package dev.amadeus.model.rope;

/**
 * YaRN: NTK-by-parts frequencies (pairs turning more than {@code betaFast} times over the original context
 * keep their frequency, pairs turning fewer than {@code betaSlow} times are divided by the factor, a linear
 * ramp over pair indices in between) plus an attention factor on cos and sin.
 * {@code extFactor} scales the share of the original frequency (0 gives plain linear interpolation).
 */
public final class YarnScaling implements RopeScaling {
    private final double factor;
    private final int originalLength;
    private final double betaFast;
    private final double betaSlow;
    private final double extFactor;
    private final boolean truncate;
    private final double attentionFactor;

    public YarnScaling(double factor, int originalLength, double betaFast, double betaSlow, double extFactor,
                       boolean truncate, double attentionFactor) {
        this.factor = RopeChecks.positive("YaRN factor", factor);
        this.originalLength = RopeChecks.positive("YaRN original context", originalLength);
        this.betaFast = RopeChecks.positive("YaRN beta_fast", betaFast);
        this.betaSlow = RopeChecks.positive("YaRN beta_slow", betaSlow);
        if (!(extFactor >= 0)) throw new IllegalArgumentException("YaRN ext factor must not be negative, got " + extFactor);
        this.extFactor = extFactor;
        this.truncate = truncate;
        this.attentionFactor = RopeChecks.positive("YaRN attention factor", attentionFactor);
    }

    /** The paper's defaults: beta_fast 32, beta_slow 1, full extrapolation share, attention factor 0.1·ln(s) + 1. */
    public static YarnScaling standard(double factor, int originalLength) {
        return new YarnScaling(factor, originalLength, 32, 1, 1, true, mscale(factor, 1));
    }

    /** {@code 0.1·m·ln(s) + 1}, or 1 when the factor does not extend the context. */
    public static double mscale(double factor, double m) {
        return factor <= 1 ? 1 : 0.1 * m * Math.log(factor) + 1;
    }

    /**
     * Hugging Face's attention factor when the config gives none: DeepSeek's
     * {@code mscale(s, mscale)/mscale(s, mscale_all_dim)} when both are set (non-zero), else {@code mscale(s, 1)}.
     */
    public static double defaultAttentionFactor(double factor, double mscale, double mscaleAllDim) {
        if (mscale != 0 && mscaleAllDim != 0) return mscale(factor, mscale) / mscale(factor, mscaleAllDim);
        return mscale(factor, 1);
    }

    @Override
    public double[] inverseFrequencies(int dims, double base) {
        double[] inv = RopeScaling.baseFrequencies(dims, base);
        CorrectionRange range = CorrectionRange.of(betaFast, betaSlow, dims, base, originalLength, truncate);
        for (int i = 0; i < inv.length; i++) {
            double extrapolation = (1 - range.ramp(i)) * extFactor;
            inv[i] = inv[i] / factor * (1 - extrapolation) + inv[i] * extrapolation;
        }
        return inv;
    }

    @Override
    public double attentionFactor() {
        return attentionFactor;
    }
}
