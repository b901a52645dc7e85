package dev.amadeus.eval;

import dev.amadeus.model.KVCache;
import dev.amadeus.model.Transformer;

import java.util.Arrays;

/**
 * A {@link ChunkModel} running our transformer. The unscored first part of a chunk is evaluated without
 * logits; the scored part goes through in slices of {@link Transformer#MAX_BATCH} so that at most that
 * many rows of logits exist at once, however long the context.
 */
public final class TransformerChunkModel implements ChunkModel {
    private final Transformer transformer;
    private final KVCache cache;

    /** A model for chunks of up to {@code contextLength} tokens (the cache holds exactly that many). */
    public TransformerChunkModel(Transformer transformer, int contextLength) {
        this.transformer = transformer;
        this.cache = new KVCache(transformer.config(), contextLength);
    }

    @Override
    public int vocabularySize() {
        return transformer.config().vocabularySize();
    }

    @Override
    public void evaluate(int[] chunk, int first, LogitsSink sink) {
        cache.clear();
        if (first > 0) transformer.forward(cache, Arrays.copyOfRange(chunk, 0, first), false);
        int vocab = vocabularySize();
        for (int start = first; start < chunk.length; start += Transformer.MAX_BATCH) {
            int end = Math.min(chunk.length, start + Transformer.MAX_BATCH);
            float[] logits = transformer.forward(cache, Arrays.copyOfRange(chunk, start, end), true);
            for (int p = start; p < end; p++) sink.accept(p, logits, (p - start) * vocab);
        }
    }
}
