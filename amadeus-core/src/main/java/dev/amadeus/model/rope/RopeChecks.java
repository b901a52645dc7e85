package dev.amadeus.model.rope;

/** Argument checks shared by the scaling methods; a bad value is a programming error here, callers validate input. */
final class RopeChecks {
    private RopeChecks() {
    }

    static double positive(String what, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be positive and finite, got " + value);
        }
        return value;
    }

    static int positive(String what, int value) {
        if (value <= 0) throw new IllegalArgumentException(what + " must be positive, got " + value);
        return value;
    }
}
