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
 * @param contextShift when the context is full, drop half of the positions after the first {@code keep}
 *                     and go on (llama.cpp's {@code --context-shift}) instead of stopping
 * @param keep         positions kept at the start of the context by a shift
 */
public record GenerationParams(int maxTokens, List<String> stopStrings, boolean ignoreEos, int tokenHealing,
                               boolean contextShift, int keep) {
    public GenerationParams {
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) throw new IllegalArgumentException("a stop string must not be empty");
        }
        if (tokenHealing < 0 && tokenHealing != TokenHealing.DYNAMIC) {
            throw new IllegalArgumentException("tokenHealing must be TokenHealing.DYNAMIC or not negative, got " + tokenHealing);
        }
        if (keep < 0) throw new IllegalArgumentException("positions to keep must be 0 or more, got " + keep);
    }

    /** Without token healing or context shift. */
    public GenerationParams(int maxTokens, List<String> stopStrings, boolean ignoreEos) {
        this(maxTokens, stopStrings, ignoreEos, 0, false, 0);
    }

    /** With token healing, without context shift. */
    public GenerationParams(int maxTokens, List<String> stopStrings, boolean ignoreEos, int tokenHealing) {
        this(maxTokens, stopStrings, ignoreEos, tokenHealing, false, 0);
    }

    public static GenerationParams maxTokens(int n) {
        return new GenerationParams(n, List.of(), false);
    }

    public GenerationParams withTokenHealing(int tokens) {
        return new GenerationParams(maxTokens, stopStrings, ignoreEos, tokens, contextShift, keep);
    }

    /** The same limits, shifting the context when it is full and keeping its first {@code keep} positions. */
    public GenerationParams withContextShift(int keep) {
        return new GenerationParams(maxTokens, stopStrings, ignoreEos, tokenHealing, true, keep);
    }
}
