package dev.amadeus.generate;

/**
 * What a generation produced and how long it took.
 *
 * @param tokens          generated token ids (including a final end-of-generation token, if any)
 * @param text            generated text, without any stop string and without end-of-generation text
 * @param promptNanos     time to evaluate the prompt
 * @param generationNanos time spent producing the generated tokens after the prompt
 * @param contextShifts   how many times a full context was shifted to go on
 */
public record GenerationResult(int[] tokens, String text, FinishReason finishReason, int promptTokens,
                               long promptNanos, long generationNanos, int contextShifts) {

    public double promptTokensPerSecond() {
        return promptNanos == 0 ? 0 : promptTokens * 1e9 / promptNanos;
    }

    public double generatedTokensPerSecond() {
        return generationNanos == 0 ? 0 : tokens.length * 1e9 / generationNanos;
    }
}
