package dev.amadeus.eval;

import dev.amadeus.model.KVCache;
import dev.amadeus.model.Transformer;
import dev.amadeus.tokenizer.Vocabulary;

import java.util.Arrays;

/** Greedy decoding (the most likely token, lowest id on ties), stopping at an end-of-generation token. */
public final class GreedyAnswerer implements Answerer {
    private final Transformer transformer;
    private final Vocabulary vocabulary;

    public GreedyAnswerer(Transformer transformer, Vocabulary vocabulary) {
        this.transformer = transformer;
        this.vocabulary = vocabulary;
    }

    @Override
    public int[] answer(int[] prompt, int maxTokens) {
        KVCache cache = new KVCache(transformer.config(), prompt.length + maxTokens);
        int[] out = new int[maxTokens];
        int n = 0;
        float[] logits = transformer.forward(cache, prompt, false);
        while (n < maxTokens) {
            int token = argmax(logits);
            if (vocabulary.isEndOfGeneration(token)) break;
            out[n++] = token;
            if (n < maxTokens) logits = transformer.forward(cache, new int[]{token}, false);
        }
        return Arrays.copyOf(out, n);
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
