package dev.amadeus.sampling;

/** A token with its natural-log probability under some distribution. */
public record TokenLogprob(int token, float logprob) {
    public double probability() { return Math.exp(logprob); }
}
