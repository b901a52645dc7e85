package dev.amadeus.generate;

import java.util.List;

/**
 * Limits of one generation.
 *
 * @param maxTokens   most tokens to generate; negative means until the context is full
 * @param stopStrings generation ends before the first occurrence of any of these in the output text
 * @param ignoreEos   keep going past end-of-generation tokens
 */
public record GenerationParams(int maxTokens, List<String> stopStrings, boolean ignoreEos) {
    public GenerationParams {
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) throw new IllegalArgumentException("a stop string must not be empty");
        }
    }

    public static GenerationParams maxTokens(int n) {
        return new GenerationParams(n, List.of(), false);
    }
}
