package dev.amadeus.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the three algorithms share: the special-token partition before encoding, and the piece table and
 * sequence rules for decoding.
 */
abstract sealed class BaseTokenizer implements Tokenizer permits SpmTokenizer, BpeTokenizer, WpmTokenizer {
    protected final Vocabulary vocab;
    /** Every token's piece as rendered with specials shown, like llama.cpp's token-to-piece cache. */
    private final byte[][] pieces;

    /** A stretch of the input: raw text {@code [start, end)} or, when {@code token >= 0}, a special token. */
    record Fragment(int token, int start, int end) {
        boolean isToken() {
            return token >= 0;
        }
    }

    BaseTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        this.pieces = new byte[vocab.size()][];
        for (int id = 0; id < pieces.length; id++) pieces[id] = piece(id);
    }

    @Override
    public Vocabulary vocabulary() {
        return vocab;
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        String clean = withoutLoneSurrogates(text);
        PreTokenizer.IntList out = new PreTokenizer.IntList();
        encode(clean, partition(clean, parseSpecial), addSpecial, out);
        return out.toArray();
    }

    /** Appends the ids of the fragments, with BOS/EOS as the algorithm adds them. */
    abstract void encode(String text, List<Fragment> fragments, boolean addSpecial, PreTokenizer.IntList out);

    /** Lone surrogates cannot be encoded as UTF-8; like invalid bytes in llama.cpp they become U+FFFD. */
    private static String withoutLoneSurrogates(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (sb != null) sb.append(c).append(text.charAt(i + 1));
                i++;
            } else if (Character.isSurrogate(c)) {
                if (sb == null) sb = new StringBuilder(text.length()).append(text, 0, i);
                sb.append('\uFFFD');
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }

    private static boolean isAsciiSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /**
     * llama.cpp's {@code tokenizer_st_partition}: every special token, longest first, cuts each raw fragment
     * at each of its occurrences. Control and unknown tokens take part only when {@code parseSpecial};
     * user-defined ones always do. LSTRIP/RSTRIP tokens swallow ASCII whitespace beside them.
     */
    List<Fragment> partition(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) return fragments;
        fragments.add(new Fragment(-1, 0, text.length()));
        for (int id : vocab.specialTokens()) {
            TokenType type = vocab.type(id);
            if (!parseSpecial && (type == TokenType.CONTROL || type == TokenType.UNKNOWN)) continue;
            String special = vocab.text(id);
            if (special.isEmpty() || !text.contains(special)) continue;
            boolean stripLeft = vocab.stripsLeft(id);
            boolean stripRight = vocab.stripsRight(id);
            List<Fragment> next = new ArrayList<>(fragments.size() + 4);
            for (Fragment f : fragments) {
                if (f.isToken()) {
                    next.add(f);
                    continue;
                }
                int start = f.start();
                int end = f.end();
                while (true) {
                    int match = text.indexOf(special, start);
                    if (match < 0 || match + special.length() > end) {
                        if (start < end) next.add(new Fragment(-1, start, end));
                        break;
                    }
                    int leftEnd = match;
                    if (stripLeft) while (leftEnd > start && isAsciiSpace(text.charAt(leftEnd - 1))) leftEnd--;
                    if (leftEnd > start) next.add(new Fragment(-1, start, leftEnd));
                    next.add(new Fragment(id, match, match + special.length()));
                    start = match + special.length();
                    if (stripRight) while (start < end && isAsciiSpace(text.charAt(start))) start++;
                }
            }
            fragments = next;
        }
        return fragments;
    }

    /** llama.cpp's token-to-piece with specials rendered and nothing stripped. */
    private byte[] piece(int id) {
        String text = vocab.text(id);
        return switch (vocab.type(id)) {
            case CONTROL, UNKNOWN, USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
            case NORMAL -> normalPiece(text);
            case BYTE -> vocab.model() == Vocabulary.Model.BPE ? new byte[0] : new byte[] {(byte) parseByteToken(text)};
            case UNUSED, UNDEFINED -> new byte[0];
        };
    }

    /** The byte of a {@code <0xHH>} token. */
    static int parseByteToken(String text) {
        return text.length() >= 5 ? Integer.parseInt(text.substring(3, 5), 16) : 0;
    }

    /**
     * The bytes of an ordinary token, undoing the vocabulary's space or byte encoding. Called while the
     * base class builds its piece table, so it must not use the subclass's fields.
     */
    abstract byte[] normalPiece(String text);

    @Override
    public byte[] tokenBytes(int id, boolean renderSpecial) {
        return piece(id, renderSpecial, false).clone();
    }

    private byte[] piece(int id, boolean renderSpecial, boolean stripLeadingSpace) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (size " + pieces.length + ")");
        }
        TokenType type = vocab.type(id);
        if (!renderSpecial && (type == TokenType.CONTROL || type == TokenType.UNKNOWN)) return new byte[0];
        byte[] p = pieces[id];
        if (stripLeadingSpace && p.length > 0 && p[0] == ' ') return Arrays.copyOfRange(p, 1, p.length);
        return p;
    }

    @Override
    public String decode(int[] ids, boolean removeSpecial, boolean renderSpecial) {
        return new String(detokenize(ids, removeSpecial, renderSpecial), StandardCharsets.UTF_8);
    }

    /** llama.cpp's {@code detokenize}, as bytes. */
    byte[] detokenize(int[] ids, boolean removeSpecial, boolean renderSpecial) {
        int from = 0;
        int to = ids.length;
        boolean removeSpace = vocab.addSpacePrefix();
        if (removeSpecial && vocab.addBos() && to > from && ids[from] == vocab.bos()) {
            from++;
            removeSpace = false;
        }
        if (removeSpecial && vocab.addEos() && to > from && ids[to - 1] == vocab.eos()) to--;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            out.writeBytes(piece(ids[i], renderSpecial, removeSpace));
            // only the first token processed loses its leading space, even when its piece is empty
            removeSpace = false;
        }
        byte[] text = out.toByteArray();
        return vocab.cleanSpaces() ? cleanSpaces(text) : text;
    }

    /**
     * llama.cpp's three clean-up passes, in place as it does them: drop the space before {@code ? ! . ,};
     * drop both spaces around a lone apostrophe; drop the space before {@code 's 'm 're 've}.
     */
    static byte[] cleanSpaces(byte[] text) {
        int total = text.length;
        // first pass: " ?", " !", " .", " ,"
        int n = total;
        total = n > 0 ? 1 : 0;
        for (int i = 1; i < n; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) total--;
            text[total++] = x;
        }
        // second pass: " ' " loses both spaces; the skipped space is overwritten so it cannot pair again
        n = total;
        total = n > 0 ? 1 : 0;
        for (int i = 1; i < n; i++) {
            byte x = text[i];
            if (x == '\'' && i + 1 < n && text[i - 1] == ' ' && text[i + 1] == ' ') {
                total--;
                text[++i] = 0;
            }
            text[total++] = x;
        }
        // third pass: " 's", " 'm", " 're", " 've" (but not " 't", " 'd", " 'll")
        n = total;
        total = n > 0 ? 1 : 0;
        for (int i = 1; i < n; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && x == '\'' && i + 1 < n) {
                byte x1 = text[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    total--;
                } else if (x1 != 't' && x1 != 'd' && i + 2 < n) {
                    byte x2 = text[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) total--;
                }
            }
            text[total++] = x;
        }
        return Arrays.copyOf(text, total);
    }
}
