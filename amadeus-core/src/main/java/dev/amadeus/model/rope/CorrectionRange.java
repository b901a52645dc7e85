package dev.amadeus.model.rope;

/**
 * The pair indices between which NTK-by-parts and YaRN blend original and interpolated frequencies.
 * The "correction dimension" of {@code r} rotations is the pair whose wavelength turns r times over the
 * original context L: {@code d·ln(L/(2π·r)) / (2·ln base)}.
 *
 * @param low  first pair of the ramp (pairs below keep their frequency)
 * @param high last pair of the ramp (pairs above are fully interpolated)
 */
record CorrectionRange(double low, double high) {

    static double correctionDim(double rotations, int dims, double base, int originalLength) {
        return dims * Math.log(originalLength / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    /**
     * The range from {@code fastRotations} (more turns, lower pair index) to {@code slowRotations}, floored
     * and ceiled to whole pairs unless {@code truncate} is false (gpt-oss), clamped to [0, dims−1].
     */
    static CorrectionRange of(double fastRotations, double slowRotations, int dims, double base, int originalLength,
                              boolean truncate) {
        double low = correctionDim(fastRotations, dims, base, originalLength);
        double high = correctionDim(slowRotations, dims, base, originalLength);
        if (truncate) {
            low = Math.floor(low);
            high = Math.ceil(high);
        }
        return new CorrectionRange(Math.max(low, 0), Math.min(high, dims - 1));
    }

    /** 0 up to {@code low}, 1 from {@code high} on, linear in between (a zero-width range gets width 0.001). */
    double ramp(int pair) {
        double width = high == low ? 0.001 : high - low;
        return Math.min(1, Math.max(0, (pair - low) / width));
    }
}
