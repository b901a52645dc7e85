package dev.amadeus.eval;

/** What perplexity needs from a language model: next-token logits for the positions of one chunk. */
public interface ChunkModel {

    /** Receives the logits of one position: {@code vocab} floats of {@code logits} from {@code offset}. */
    interface LogitsSink {
        void accept(int position, float[] logits, int offset);
    }

    int vocabularySize();

    /**
     * Evaluates {@code chunk} at positions 0..n-1 from an empty context and hands the logits of every
     * position {@code >= first} to {@code sink}, in increasing position order.
     */
    void evaluate(int[] chunk, int first, LogitsSink sink);
}
