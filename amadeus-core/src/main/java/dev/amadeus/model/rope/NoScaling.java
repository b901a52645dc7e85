package dev.amadeus.model.rope;

/** Plain RoPE: the frequencies the model was trained with. */
public final class NoScaling implements RopeScaling {
    @Override
    public double[] inverseFrequencies(int dims, double base) {
        return RopeScaling.baseFrequencies(dims, base);
    }
}
