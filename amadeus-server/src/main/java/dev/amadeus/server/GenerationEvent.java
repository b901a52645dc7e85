package dev.amadeus.server;

import java.util.List;

/** What a generation job hands to the HTTP side, in order: deltas, then one end. */
sealed interface GenerationEvent {

    /** New visible text and the tokens sampled since the last delta (with log-probabilities when asked for). */
    record Delta(String text, List<TokenProbability> tokens) implements GenerationEvent {
    }

    /** @param finishReason OpenAI's name: "stop" or "length" */
    record Finished(String finishReason, int promptTokens, int completionTokens) implements GenerationEvent {
    }

    record Failed(Throwable cause) implements GenerationEvent {
    }

    /** A token's text and log-probability under the model, with the most probable alternatives (empty for those). */
    record TokenProbability(String text, byte[] bytes, float logprob, List<TokenProbability> top) {
    }
}
