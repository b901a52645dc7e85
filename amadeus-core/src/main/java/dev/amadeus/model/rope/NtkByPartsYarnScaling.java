package dev.amadeus.model.rope;

/**
 * NTK-by-parts as the YaRN paper defines it (Definition 2, alpha = beta_slow, beta = beta_fast): YaRN's
 * frequencies without its attention factor.
 */
public final class NtkByPartsYarnScaling implements RopeScaling {
    private final YarnScaling frequencies;

    public NtkByPartsYarnScaling(double factor, int originalLength, double betaFast, double betaSlow) {
        this.frequencies = new YarnScaling(factor, originalLength, betaFast, betaSlow, 1, true, 1);
    }

    @Override
    public double[] inverseFrequencies(int dims, double base) {
        return frequencies.inverseFrequencies(dims, base);
    }
}
