package dev.amadeus.tokenizer;

import dev.amadeus.AmadeusException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.PriorityQueue;

/**
 * SentencePiece-style tokenization as llama.cpp does it for {@code tokenizer.ggml.model = llama}: spaces
 * become '▁', a space is prefixed to the first fragment and to every fragment after a special token,
 * adjacent symbols merge by highest token score, and what is left unmatched falls back to
 * {@code <0xHH>} byte tokens.
 */
final class SpmTokenizer extends BaseTokenizer {
    private static final char ESCAPED_SPACE = '\u2581';
    /** The byte-fallback token for each byte, or -1 when the vocabulary has none. */
    private final int[] byteTokens = new int[256];
    /**
     * Whether no token has a '▁' right after another character than '▁'. Then no merge can reach across
     * the start of a run of '▁', and the text can be merged run by run with the same result as a whole;
     * that keeps the merge queue small on long inputs.
     */
    private final boolean wordsMergeIndependently;

    SpmTokenizer(Vocabulary vocab) {
        this(vocab, true);
    }

    /** With {@code splitWords} false the whole fragment is always merged at once (to check the shortcut against). */
    SpmTokenizer(Vocabulary vocab, boolean splitWords) {
        super(vocab);
        boolean independent = splitWords;
        for (int id = 0; id < vocab.size() && independent; id++) {
            String t = vocab.text(id);
            for (int i = 1; i < t.length(); i++) {
                if (t.charAt(i) == ESCAPED_SPACE && t.charAt(i - 1) != ESCAPED_SPACE) {
                    independent = false;
                    break;
                }
            }
        }
        wordsMergeIndependently = independent;
        for (int b = 0; b < 256; b++) {
            int id = vocab.id(String.format("<0x%02X>", b));
            if (id < 0 && b < 0x80) id = vocab.id(String.valueOf((char) b));
            byteTokens[b] = id;
        }
    }

    @Override
    void encode(String text, List<Fragment> fragments, boolean addSpecial, PreTokenizer.IntList out) {
        if (addSpecial && vocab.addBos() && vocab.bos() >= 0) out.add(vocab.bos());
        boolean previousWasSpecial = true;
        for (Fragment f : fragments) {
            if (f.isToken()) {
                out.add(f.token());
                previousWasSpecial = true;
                continue;
            }
            String raw = text.substring(f.start(), f.end());
            if (vocab.addSpacePrefix() && previousWasSpecial) raw = " " + raw;
            mergeWords(raw.replace(' ', ESCAPED_SPACE), out);
            previousWasSpecial = false;
        }
        if (addSpecial && vocab.addEos() && vocab.eos() >= 0) out.add(vocab.eos());
    }

    private void mergeWords(String s, PreTokenizer.IntList out) {
        if (!wordsMergeIndependently) {
            merge(s, out);
            return;
        }
        int start = 0;
        for (int i = 1; i < s.length(); i++) {
            if (s.charAt(i) == ESCAPED_SPACE && s.charAt(i - 1) != ESCAPED_SPACE) {
                merge(s.substring(start, i), out);
                start = i;
            }
        }
        merge(s.substring(start), out);
    }

    private record Bigram(float score, int left, int right, int size) {
    }

    /** Merges the characters of {@code s} by token score and appends the resulting ids. */
    private void merge(String s, PreTokenizer.IntList out) {
        int n = s.codePointCount(0, s.length());
        if (n == 0) return;
        int[] start = new int[n];
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, offset = 0; i < n; i++) {
            int chars = Character.charCount(s.codePointAt(offset));
            start[i] = offset;
            length[i] = chars;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            offset += chars;
        }
        // highest score first; equal scores go leftmost first
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score() != b.score()
                ? Float.compare(b.score(), a.score()) : Integer.compare(a.left(), b.left()));
        for (int i = 1; i < n; i++) tryBigram(s, i - 1, i, start, length, queue);
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            int l = b.left();
            int r = b.right();
            // skip pairs whose symbols have changed since they were queued
            if (length[l] == 0 || length[r] == 0 || length[l] + length[r] != b.size()) continue;
            length[l] += length[r];
            length[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            tryBigram(s, prev[l], l, start, length, queue);
            tryBigram(s, l, next[l], start, length, queue);
        }
        for (int i = 0; i != -1; i = next[i]) {
            String symbol = s.substring(start[i], start[i] + length[i]);
            int id = vocab.id(symbol);
            if (id >= 0) {
                out.add(id);
                continue;
            }
            for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                int byteId = byteTokens[b & 0xFF];
                if (byteId < 0) {
                    throw new AmadeusException(String.format("the vocabulary has no byte token <0x%02X> to spell '%s'", b & 0xFF, symbol));
                }
                out.add(byteId);
            }
        }
    }

    private void tryBigram(String s, int left, int right, int[] start, int[] length, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) return;
        int size = length[left] + length[right];
        int id = vocab.id(s.substring(start[left], start[left] + size));
        if (id < 0) return;
        queue.add(new Bigram(vocab.score(id), left, right, size));
    }

    @Override
    byte[] normalPiece(String text) {
        return text.replace(ESCAPED_SPACE, ' ').getBytes(StandardCharsets.UTF_8);
    }
}
