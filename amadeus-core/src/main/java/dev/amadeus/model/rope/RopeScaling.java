package dev.amadeus.model.rope;

/**
 * How a RoPE scaling method changes the rotation frequencies. Implementations are small, one per
 * method; they only compute frequencies and the attention factor, {@link RotaryEmbedding} applies them.
 */
public interface RopeScaling {

    /**
     * The inverse frequency of each rotated pair {@code i < dims/2}, after scaling: pair i of a vector
     * at position p is rotated by the angle {@code p * result[i]}. Computed in double.
     */
    double[] inverseFrequencies(int dims, double base);

    /** Multiplier applied to both cos and sin (YaRN's attention factor); 1 for most methods. */
    default double attentionFactor() {
        return 1.0;
    }

    /**
     * True when the frequencies change with the number of positions in the sequence (dynamic NTK,
     * LongRoPE). Keys rotated under one length are then wrong under another, so they cannot be cached rotated.
     */
    default boolean dependsOnLength() {
        return false;
    }

    /**
     * The fixed scaling that applies to a query at a sequence of {@code length} positions (the query's own
     * position plus one, so that a token sees only what came before it); this method itself unless
     * {@link #dependsOnLength()}.
     */
    default RopeScaling forLength(int length) {
        return this;
    }

    /** The unscaled frequencies {@code base^(-2i/dims)}. */
    static double[] baseFrequencies(int dims, double base) {
        double[] inv = new double[dims / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = Math.pow(base, -2.0 * i / dims);
        }
        return inv;
    }
}
