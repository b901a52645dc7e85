package dev.amadeus.server;

import dev.amadeus.model.KVCache;
import dev.amadeus.model.Transformer;

import java.util.concurrent.CompletableFuture;

/**
 * The embedding of one input in a single step: the final hidden states (after the output norm) of all its tokens,
 * averaged and scaled to unit length, which is what llama-server returns for {@code --pooling mean} with its default
 * Euclidean normalisation.
 */
final class EmbeddingJob implements Job {
    private final int[] tokens;
    final CompletableFuture<float[]> result = new CompletableFuture<>();

    EmbeddingJob(int[] tokens) {
        this.tokens = tokens;
    }

    @Override
    public boolean step(Transformer transformer, KVCache cache) {
        int e = transformer.config().embeddingLength();
        float[] states = transformer.hiddenStates(cache, tokens);
        double[] mean = new double[e];
        for (int t = 0; t < tokens.length; t++) {
            for (int i = 0; i < e; i++) mean[i] += states[t * e + i];
        }
        double norm = 0;
        for (int i = 0; i < e; i++) {
            mean[i] /= tokens.length;
            norm += mean[i] * mean[i];
        }
        norm = Math.sqrt(norm);
        float[] out = new float[e];
        for (int i = 0; i < e; i++) out[i] = norm > 0 ? (float) (mean[i] / norm) : 0f;
        result.complete(out);
        return true;
    }

    @Override
    public boolean cancelled() {
        return false;
    }

    @Override
    public void abort(Throwable cause) {
        result.completeExceptionally(cause);
    }
}
