package dev.amadeus.model.rope;

/**
 * Llama 3.1's scaling from its parameters: pairs whose wavelength is shorter than
 * {@code originalLength/highFreqFactor} keep their frequency, those longer than
 * {@code originalLength/lowFreqFactor} are divided by the factor, and those in between blend the two
 * linearly in {@code originalLength/wavelength}. Files converted by llama.cpp carry the resulting divisors
 * as the {@code rope_freqs} tensor instead (see {@link FrequencyFactors}).
 */
public final class Llama3Scaling implements RopeScaling {
    private final double factor;
    private final double lowFreqFactor;
    private final double highFreqFactor;
    private final int originalLength;

    public Llama3Scaling(double factor, double lowFreqFactor, double highFreqFactor, int originalLength) {
        this.factor = RopeChecks.positive("llama3 factor", factor);
        this.lowFreqFactor = RopeChecks.positive("llama3 low_freq_factor", lowFreqFactor);
        this.highFreqFactor = RopeChecks.positive("llama3 high_freq_factor", highFreqFactor);
        if (!(highFreqFactor > lowFreqFactor)) {
            throw new IllegalArgumentException("llama3 high_freq_factor " + highFreqFactor + " must exceed low_freq_factor " + lowFreqFactor);
        }
        this.originalLength = RopeChecks.positive("llama3 original context", originalLength);
    }

    /** Meta's Llama 3.1 values: factor 8, low 1, high 4, original context 8192. */
    public static Llama3Scaling llama31() {
        return new Llama3Scaling(8, 1, 4, 8192);
    }

    @Override
    public double[] inverseFrequencies(int dims, double base) {
        double[] inv = RopeScaling.baseFrequencies(dims, base);
        double lowWavelength = originalLength / lowFreqFactor, highWavelength = originalLength / highFreqFactor;
        for (int i = 0; i < inv.length; i++) {
            double wavelength = 2 * Math.PI / inv[i];
            if (wavelength > lowWavelength) {
                inv[i] /= factor;
            } else if (wavelength >= highWavelength) {
                double smooth = (originalLength / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
            }
        }
        return inv;
    }
}
