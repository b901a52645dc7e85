package dev.amadeus.generate;

import java.util.List;

/**
 * Limits of one generation.
 *
 * @param maxTokens    most tokens to generate; negative means until the context is full
 * @param stopStrings  generation ends before the first occurrence of any of these in the output text
 * @param ignoreEos    keep going past end-of-generation tokens
 * @param contextShift when the context is full, drop half of the positions after the first {@code keep}
 *                     and go on (llama.cpp's {@code --context-shift}) instead of stopping
 * @param keep         positions kept at the start of the context by a shift
 */
public record GenerationParams(int maxTokens, List<String> stopStrings, boolean ignoreEos, boolean contextShift, int keep) {
    public GenerationParams {
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) throw new IllegalArgumentException("a stop string must not be empty");
        }
        if (keep < 0) throw new IllegalArgumentException("positions to keep must be 0 or more, got " + keep);
    }

    public GenerationParams(int maxTokens, List<String> stopStrings, boolean ignoreEos) {
        this(maxTokens, stopStrings, ignoreEos, false, 0);
    }

    public static GenerationParams maxTokens(int n) {
        return new GenerationParams(n, List.of(), false);
    }

    /** The same limits, shifting the context when it is full and keeping its first {@code keep} positions. */
    public GenerationParams withContextShift(int keep) {
        return new GenerationParams(maxTokens, stopStrings, ignoreEos, true, keep);
    }
}
