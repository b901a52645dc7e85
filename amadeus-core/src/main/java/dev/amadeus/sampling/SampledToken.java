package dev.amadeus.sampling;

import java.util.List;

/**
 * A drawn token together with log-probabilities from the distribution it was drawn from, i.e. after every stage
 * (llama.cpp server's "post-sampling" probabilities).
 *
 * @param logprob     the drawn token's log-probability; 0 under greedy sampling
 * @param topLogprobs the most probable surviving tokens, most probable first (ties: lower id first); tokens
 *                    whose probability is zero are left out
 */
public record SampledToken(int token, float logprob, List<TokenLogprob> topLogprobs) {
    public SampledToken {
        topLogprobs = List.copyOf(topLogprobs);
    }
}
