package dev.amadeus.server;

import dev.amadeus.sampling.SamplingParams;

import java.util.List;

/**
 * A validated completion or chat-completion request, reduced to what the engine needs.
 *
 * @param maxTokens   most tokens to generate, or -1 for "until the end of generation or a full context"
 * @param topLogprobs -1 for no log-probabilities; otherwise the chosen token's log-probability is reported
 *                    with this many alternatives
 */
record GenerationRequest(int[] prompt, SamplingParams sampling, int maxTokens, List<String> stops, int topLogprobs,
                         boolean stream, boolean includeUsage) {
}
