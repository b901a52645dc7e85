package dev.amadeus.model.rope;

/**
 * "NTK-aware" scaling: the base grows to {@code base·alpha^(d/(d-2))}, which leaves the fastest pair
 * unchanged and slows the slowest one by exactly 1/alpha, blending geometrically in between.
 */
public final class NtkAwareScaling implements RopeScaling {
    private final double alpha;

    public NtkAwareScaling(double alpha) {
        this.alpha = RopeChecks.positive("NTK alpha", alpha);
    }

    public double alpha() {
        return alpha;
    }

    /** The enlarged base for {@code dims} rotated dimensions. */
    public double scaledBase(int dims, double base) {
        return base * Math.pow(alpha, (double) dims / (dims - 2));
    }

    @Override
    public double[] inverseFrequencies(int dims, double base) {
        return RopeScaling.baseFrequencies(dims, scaledBase(dims, base));
    }
}
