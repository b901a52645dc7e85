package dev.amadeus.generate;

import dev.amadeus.tokenizer.TokenPrefixIndex;
import dev.amadeus.tokenizer.TokenType;
import dev.amadeus.tokenizer.Tokenizer;

import java.util.Arrays;

/**
 * Token healing: a prompt cut in the middle of what would be one token (say {@code http:} before {@code //})
 * ends in a token the model rarely saw in that position. Healing takes the last token(s) off the prompt and
 * makes the first generated tokens spell the removed text again, each step allowing the tokens whose text
 * starts with what is still missing (the usual case: one token finishes it and goes on, as {@code ://} does)
 * or that cover a beginning of it (the constraint then continues on the rest).
 *
 * <p>One instance per tokenizer: it holds the vocabulary prefix index.
 */
public final class TokenHealing {
    /**
     * Instead of a token count: remove tokens as long as the removed text is still the beginning of some
     * vocabulary token (at least one is removed), so one token could spell it all again (llama.cpp's "d").
     */
    public static final int DYNAMIC = -1;

    private final Tokenizer tokenizer;
    private final TokenPrefixIndex index;

    public TokenHealing(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.index = new TokenPrefixIndex(tokenizer);
    }

    /** A prompt with its healed tail removed, and the constraint that regenerates that tail. */
    public record Healed(int[] prompt, byte[] removed, Constraint constraint) {
    }

    /**
     * Removes up to {@code tokens} trailing tokens from {@code prompt}, or with {@link #DYNAMIC} as many as one
     * token could still spell. Control tokens (BOS, chat markers) are never removed, and at least one token
     * stays so there is something to evaluate; when nothing can be removed the prompt comes back whole with an
     * inactive constraint.
     */
    public Healed heal(int[] prompt, int tokens) {
        if (tokens < 0 && tokens != DYNAMIC) {
            throw new IllegalArgumentException("tokens to heal must be DYNAMIC or not negative, got " + tokens);
        }
        int keep = prompt.length;
        byte[] removed = new byte[0];
        while (keep > 1 && isText(prompt[keep - 1])) {
            if (tokens != DYNAMIC && prompt.length - keep >= tokens) break;
            byte[] longer = concat(tokenizer.tokenBytes(prompt[keep - 1], false), removed);
            if (tokens == DYNAMIC && keep < prompt.length && !index.anyStartsWith(longer)) break;
            removed = longer;
            keep--;
        }
        return new Healed(Arrays.copyOf(prompt, keep), removed, new Constraint(removed));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private boolean isText(int token) {
        TokenType type = tokenizer.vocabulary().type(token);
        return type != TokenType.CONTROL && tokenizer.tokenBytes(token, false).length > 0;
    }

    /** What the next generated tokens must still spell; inactive once they have. */
    public final class Constraint {
        private byte[] missing;

        private Constraint(byte[] missing) {
            this.missing = missing;
        }

        public boolean active() {
            return missing.length > 0;
        }

        /** The tokens allowed next: those starting with the missing bytes, then those covering a beginning of them. */
        public int[] allowedTokens() {
            int[] longer = index.startingWith(missing);
            int[] shorter = index.properPrefixesOf(missing);
            int[] all = Arrays.copyOf(longer, longer.length + shorter.length);
            System.arraycopy(shorter, 0, all, longer.length, shorter.length);
            return all;
        }

        /** A copy of {@code logits} where every token not allowed has logit -infinity. */
        public float[] mask(float[] logits) {
            float[] masked = new float[logits.length];
            Arrays.fill(masked, Float.NEGATIVE_INFINITY);
            for (int t : allowedTokens()) masked[t] = logits[t];
            return masked;
        }

        /** Records a generated token: what it covers is no longer missing. */
        public void accept(int token) {
            byte[] piece = tokenizer.tokenBytes(token, false);
            missing = piece.length >= missing.length ? new byte[0] : Arrays.copyOfRange(missing, piece.length, missing.length);
        }
    }
}
