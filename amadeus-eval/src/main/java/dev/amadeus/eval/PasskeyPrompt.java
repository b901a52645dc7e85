package dev.amadeus.eval;

/**
 * One passkey prompt as token ids.
 *
 * @param tokens       the whole prompt, BOS included when the model adds one
 * @param key          the passkey hidden in it
 * @param depth        the requested fraction of the filler placed before the key
 * @param keyLineStart index in {@code tokens} where the line stating the key begins
 * @param fillerBefore filler tokens before that line
 * @param fillerAfter  filler tokens after it
 */
public record PasskeyPrompt(int[] tokens, int key, double depth, int keyLineStart, int fillerBefore, int fillerAfter) {
    public int length() {
        return tokens.length;
    }
}
