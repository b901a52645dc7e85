package dev.amadeus.eval;

/**
 * Running sum of the negative log-likelihoods of scored tokens, with llama-perplexity's summary figures:
 * {@code PPL = exp(mean)} and its standard error {@code PPL · sqrt((E[nll²] − mean²) / (count − 1))}.
 */
public final class NegativeLogLikelihood {
    private double sum;
    private double sumOfSquares;
    private long count;

    /**
     * {@code log softmax(logits)[token]} over the {@code vocab} logits stored from {@code offset}: the maximum
     * is taken in float and the exponentials are summed in double, as llama-perplexity does.
     */
    public static double logSoftmax(float[] logits, int offset, int vocab, int token) {
        if (token < 0 || token >= vocab) throw new IllegalArgumentException("token " + token + " outside a vocabulary of " + vocab);
        float max = logits[offset];
        for (int i = 1; i < vocab; i++) max = Math.max(max, logits[offset + i]);
        double sumExp = 0;
        for (int i = 0; i < vocab; i++) sumExp += Math.exp(logits[offset + i] - max);
        return (logits[offset + token] - max) - Math.log(sumExp);
    }

    /** Scores one token: adds {@code -log p(token)} under {@code logits}. */
    public void add(float[] logits, int offset, int vocab, int token) {
        add(-logSoftmax(logits, offset, vocab, token));
    }

    public void add(double nll) {
        sum += nll;
        sumOfSquares += nll * nll;
        count++;
    }

    public long count() {
        return count;
    }

    public double mean() {
        return sum / count;
    }

    public double perplexity() {
        return Math.exp(mean());
    }

    /** The standard error of the perplexity; NaN when it is undefined (fewer than two tokens, no spread). */
    public double standardError() {
        if (count < 2) return Double.NaN;
        double mean = mean();
        double variance = sumOfSquares / count - mean * mean;
        if (!(variance > 0)) return Double.NaN;
        return Math.sqrt(variance / (count - 1)) * perplexity();
    }
}
