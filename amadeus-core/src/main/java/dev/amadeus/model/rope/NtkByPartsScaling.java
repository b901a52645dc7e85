package dev.amadeus.model.rope;

/**
 * NTK-by-parts in its first form (the scaled-rope "part NTK" embedding that the Airophin models were
 * fine-tuned with): three frequency sets blended by two ramps over pair indices. Pairs turning more than 16
 * times over the original context keep their frequency; fewer than 2 turns hand over to NTK-aware
 * frequencies (alpha = factor), which themselves hand over to linear ones between 1.25 and 0.75 turns.
 * The band constants were found experimentally for LLaMA; there is no attention factor.
 */
public final class NtkByPartsScaling implements RopeScaling {
    private static final double NTK_FAST = 1.25, NTK_SLOW = 0.75, ORIGINAL_FAST = 16, ORIGINAL_SLOW = 2;

    private final double factor;
    private final int originalLength;

    public NtkByPartsScaling(double factor, int originalLength) {
        this.factor = RopeChecks.positive("NTK-by-parts factor", factor);
        this.originalLength = RopeChecks.positive("NTK-by-parts original context", originalLength);
    }

    @Override
    public double[] inverseFrequencies(int dims, double base) {
        double[] original = RopeScaling.baseFrequencies(dims, base);
        double[] ntk = new NtkAwareScaling(factor).inverseFrequencies(dims, base);
        CorrectionRange ntkToLinear = CorrectionRange.of(NTK_FAST, NTK_SLOW, dims, base, originalLength, true);
        CorrectionRange originalToRest = CorrectionRange.of(ORIGINAL_FAST, ORIGINAL_SLOW, dims, base, originalLength, true);
        double[] inv = new double[original.length];
        for (int i = 0; i < inv.length; i++) {
            double ntkShare = 1 - ntkToLinear.ramp(i);
            double blended = original[i] / factor * (1 - ntkShare) + ntk[i] * ntkShare;
            double originalShare = 1 - originalToRest.ramp(i);
            inv[i] = blended * (1 - originalShare) + original[i] * originalShare;
        }
        return inv;
    }
}
