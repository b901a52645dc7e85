package dev.amadeus.eval;

/** Continues a prompt; the passkey test asks it for the key. */
@FunctionalInterface
public interface Answerer {
    /** Up to {@code maxTokens} token ids following {@code prompt}. */
    int[] answer(int[] prompt, int maxTokens);
}
