package dev.amadeus.generate;

import java.util.List;

/**
 * Limits of one generation.
 *
 * @param maxTokens    most tokens to generate; negative means until the context is full
 * @param stopStrings  generation ends before the first occurrence of any of these in the output text
 * @param ignoreEos    keep going past end-of-generation tokens
 * @param tokenHealing how many trailing prompt tokens to take off and regenerate under a prefix constraint
 *                     (see {@link TokenHealing}), or {@link TokenHealing#DYNAMIC}; 0 turns healing off. The
 *                     generated text then starts with the removed tokens' text.
 */
public record GenerationParams(int maxTokens, List<String> stopStrings, boolean ignoreEos, int tokenHealing) {
    public GenerationParams {
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) throw new IllegalArgumentException("a stop string must not be empty");
        }
        if (tokenHealing < 0 && tokenHealing != TokenHealing.DYNAMIC) {
            throw new IllegalArgumentException("tokenHealing must be TokenHealing.DYNAMIC or not negative, got " + tokenHealing);
        }
    }

    /** Without token healing. */
    public GenerationParams(int maxTokens, List<String> stopStrings, boolean ignoreEos) {
        this(maxTokens, stopStrings, ignoreEos, 0);
    }

    public static GenerationParams maxTokens(int n) {
        return new GenerationParams(n, List.of(), false);
    }

    public GenerationParams withTokenHealing(int tokens) {
        return new GenerationParams(maxTokens, stopStrings, ignoreEos, tokens);
    }
}
