package dev.amadeus.eval;

import dev.amadeus.AmadeusException;
import dev.amadeus.tokenizer.Tokenizer;

/**
 * Builds passkey prompts of an exact token length with the Landmark-Attention template (the one the
 * PI and YaRN papers use): a task line, filler, the line stating the key, more filler, the question,
 * joined by newlines. Unlike the original, which cuts the filler by characters and measures the result,
 * each part is tokenized on its own and the filler is cut by tokens, so the prompt has exactly the
 * requested number of tokens and the key line starts exactly {@code round(depth · filler)} filler tokens
 * in. Both filler parts are cut from the start of the same repeated sentences, as in the original.
 */
public final class PasskeyPrompts {
    static final String TASK = "There is an important info hidden inside a lot of irrelevant text. Find it and memorize them. "
            + "I will quiz you about the important information there.";
    static final String FILLER = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.";
    static final String QUESTION = "What is the pass key? The pass key is";

    private final Tokenizer tokenizer;
    private final int[] head;
    private final int[] tail;
    private int[] filler = new int[0];

    public PasskeyPrompts(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        int[] task = encode(TASK + "\n");
        boolean bos = tokenizer.vocabulary().addBos() && tokenizer.vocabulary().bos() >= 0;
        this.head = bos ? prepend(tokenizer.vocabulary().bos(), task) : task;
        this.tail = encode("\n" + QUESTION);
    }

    /** The line stating the key, with the newlines that separate it from the filler around it. */
    static String keyLine(int key) {
        return "\n" + "The pass key is " + key + ". Remember it. " + key + " is the pass key." + "\n";
    }

    /** Tokens of a prompt for {@code key} without filler: the shortest prompt possible. */
    public int fixedTokens(int key) {
        return head.length + encode(keyLine(key)).length + tail.length;
    }

    /**
     * A prompt of exactly {@code length} tokens with {@code key} after {@code depth} (0 to 1) of the filler.
     *
     * @throws AmadeusException when {@code length} is shorter than the prompt without filler
     */
    public PasskeyPrompt build(int length, double depth, int key) {
        if (!(depth >= 0 && depth <= 1)) throw new AmadeusException("depth must be between 0 and 1, got " + depth);
        int[] keyLine = encode(keyLine(key));
        int fillerTotal = length - head.length - keyLine.length - tail.length;
        if (fillerTotal < 0) {
            throw new AmadeusException("a passkey prompt needs at least " + (length - fillerTotal) + " tokens, got a length of " + length);
        }
        int before = (int) Math.round(depth * fillerTotal), after = fillerTotal - before;
        int[] fill = filler(Math.max(before, after));
        int[] tokens = new int[length];
        int at = 0;
        at = put(tokens, at, head, head.length);
        at = put(tokens, at, fill, before);
        int keyStart = at;
        at = put(tokens, at, keyLine, keyLine.length);
        at = put(tokens, at, fill, after);
        put(tokens, at, tail, tail.length);
        return new PasskeyPrompt(tokens, key, depth, keyStart, before, after);
    }

    /** At least {@code n} tokens of the repeated filler sentences, tokenized as one text. */
    private int[] filler(int n) {
        if (filler.length < n) {
            int repeats = 16;
            while (true) {
                int[] t = encode(String.join(" ", java.util.Collections.nCopies(repeats, FILLER)));
                if (t.length >= n) {
                    filler = t;
                    break;
                }
                repeats *= 2;
            }
        }
        return filler;
    }

    private int[] encode(String text) {
        return tokenizer.encode(text, false, false);
    }

    private static int put(int[] dst, int at, int[] src, int n) {
        System.arraycopy(src, 0, dst, at, n);
        return at + n;
    }

    private static int[] prepend(int token, int[] tokens) {
        int[] r = new int[tokens.length + 1];
        r[0] = token;
        System.arraycopy(tokens, 0, r, 1, tokens.length);
        return r;
    }
}
