package dev.amadeus.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns generated tokens into text as they arrive. Token pieces are bytes and a UTF-8 character can be
 * spread over several tokens (byte-fallback tokens, byte-level BPE pieces), so bytes are held back until
 * the character they start is complete; nothing is ever emitted half.
 *
 * <p>The text is the plain concatenation of the tokens' pieces ({@link Tokenizer#tokenBytes}), as llama.cpp
 * prints generated text: no leading space is stripped and no spaces are tidied. Bytes that can never form
 * a character become U+FFFD as soon as that is certain.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final boolean renderSpecial;
    private byte[] pending = new byte[16];
    private int pendingLength;

    public StreamingDecoder(Tokenizer tokenizer, boolean renderSpecial) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
    }

    /** The text completed by this token; "" while a character is still incomplete. */
    public String accept(int id) {
        byte[] piece = tokenizer.tokenBytes(id, renderSpecial);
        if (pendingLength + piece.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + piece.length));
        }
        System.arraycopy(piece, 0, pending, pendingLength, piece.length);
        pendingLength += piece.length;
        int complete = completePrefix(pending, pendingLength);
        return take(complete);
    }

    /** Whatever is held back, decoded now (an unfinished character becomes U+FFFD); the decoder is then empty. */
    public String finish() {
        return take(pendingLength);
    }

    private String take(int count) {
        if (count == 0) return "";
        String text = new String(pending, 0, count, StandardCharsets.UTF_8);
        System.arraycopy(pending, count, pending, 0, pendingLength - count);
        pendingLength -= count;
        return text;
    }

    /**
     * The length of the prefix that can be decoded now: everything except a trailing sequence that is a
     * valid start of a UTF-8 character still missing bytes. Decoding that prefix on its own gives the
     * same characters as decoding it together with what follows.
     */
    static int completePrefix(byte[] bytes, int length) {
        // a character is at most 4 bytes, so only the last 3 bytes can belong to an unfinished one
        for (int start = Math.max(0, length - 3); start < length; start++) {
            int lead = bytes[start] & 0xFF;
            int need = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
            if (need == 0 || length - start >= need) continue;
            if (isValidPrefix(bytes, start, length)) return start;
        }
        return length;
    }

    /** Whether bytes[start..length) can still grow into one well-formed character. */
    private static boolean isValidPrefix(byte[] bytes, int start, int length) {
        int lead = bytes[start] & 0xFF;
        for (int i = start + 1; i < length; i++) {
            int b = bytes[i] & 0xFF;
            int low = 0x80;
            int high = 0xBF;
            if (i == start + 1) {
                // the second byte's range excludes overlong forms, surrogates and code points past U+10FFFF
                if (lead == 0xE0) low = 0xA0;
                else if (lead == 0xED) high = 0x9F;
                else if (lead == 0xF0) low = 0x90;
                else if (lead == 0xF4) high = 0x8F;
            }
            if (b < low || b > high) return false;
        }
        return true;
    }
}
