package dev.amadeus.model.rope;

/**
 * Dynamic NTK as Hugging Face defines it: for a sequence of {@code n} positions, NTK-aware scaling with
 * {@code alpha = factor·max(n, L)/L − (factor − 1)}, where L is the trained context
 * ({@code max_position_embeddings}). Up to L positions the frequencies are the trained ones; beyond, alpha
 * grows linearly and continuously from 1.
 */
public final class DynamicNtkScaling implements RopeScaling {
    private final double factor;
    private final int originalLength;

    public DynamicNtkScaling(double factor, int originalLength) {
        this.factor = RopeChecks.positive("dynamic NTK factor", factor);
        this.originalLength = RopeChecks.positive("dynamic NTK original context", originalLength);
    }

    /** The frequencies of a sequence that fits the trained context. */
    @Override
    public double[] inverseFrequencies(int dims, double base) {
        return RopeScaling.baseFrequencies(dims, base);
    }

    @Override
    public boolean dependsOnLength() {
        return true;
    }

    @Override
    public RopeScaling forLength(int length) {
        if (length <= originalLength) return new NoScaling();
        return new NtkAwareScaling(factor * length / originalLength - (factor - 1));
    }
}
