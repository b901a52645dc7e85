package dev.amadeus.tokenizer;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * WordPiece as llama.cpp's WPM does it for {@code tokenizer.ggml.model = bert}. The GGUF converter stores
 * word-initial pieces with a '▁' prefix and continuation pieces without "##", so each word is matched as
 * "▁word", greedily longest-first; a word that cannot be spelled entirely becomes the unknown token.
 */
final class WpmTokenizer extends BaseTokenizer {
    private static final String WORD_START = "\u2581";

    WpmTokenizer(Vocabulary vocab) {
        super(vocab);
    }

    @Override
    void encode(String text, List<Fragment> fragments, boolean addSpecial, PreTokenizer.IntList out) {
        // WordPiece wraps every sequence in CLS ... SEP, whatever add_bos/add_eos say
        if (addSpecial && vocab.bos() >= 0) out.add(vocab.bos());
        for (Fragment f : fragments) {
            if (f.isToken()) out.add(f.token());
            else encodeRaw(text.substring(f.start(), f.end()), out);
        }
        if (addSpecial && vocab.separator() >= 0) out.add(vocab.separator());
    }

    private void encodeRaw(String text, PreTokenizer.IntList out) {
        int maxLength = vocab.maxTokenLength();
        for (String word : words(text)) {
            String w = WORD_START + word;
            int n = w.length();
            int before = out.size();
            int i = 0;
            while (i < n) {
                int matchEnd = -1;
                for (int j = Math.min(n, i + maxLength); j > i; j--) {
                    int id = vocab.id(w.substring(i, j));
                    if (id >= 0) {
                        out.add(id);
                        matchEnd = j;
                        break;
                    }
                }
                if (matchEnd < 0) {
                    out.truncate(before);
                    break;
                }
                i = matchEnd;
            }
            if (out.size() == before) out.add(vocab.unknown());
        }
    }

    /**
     * BERT's basic pre-tokenization as llama.cpp does it: each code point is replaced by the first code point
     * of its NFD decomposition (so accents vanish) and lowercased; whitespace separates words; NUL, U+FFFD
     * and control/format characters are dropped; punctuation, ASCII symbols and CJK ideographs stand alone.
     */
    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < text.length(); ) {
            int original = text.codePointAt(i);
            i += Character.charCount(original);
            int cp = firstOfDecomposition(original);
            int flags = UnicodeClasses.flags(cp);
            if ((flags & UnicodeClasses.WHITESPACE) != 0) {
                if (!word.isEmpty()) {
                    words.add(word.toString());
                    word.setLength(0);
                }
                continue;
            }
            if (cp == 0 || cp == 0xFFFD || (flags & UnicodeClasses.CONTROL) != 0) continue;
            int lower = Character.toLowerCase(cp);
            if ((flags & UnicodeClasses.PUNCTUATION) != 0 || (cp < 0x7F && (flags & UnicodeClasses.SYMBOL) != 0) || isChineseCharacter(cp)) {
                if (!word.isEmpty()) {
                    words.add(word.toString());
                    word.setLength(0);
                }
                words.add(Character.toString(lower));
            } else {
                word.appendCodePoint(lower);
            }
        }
        if (!word.isEmpty()) words.add(word.toString());
        return words;
    }

    private static int firstOfDecomposition(int cp) {
        if (cp < 0xC0) return cp;
        String s = Character.toString(cp);
        if (Normalizer.isNormalized(s, Normalizer.Form.NFD)) return cp;
        return Normalizer.normalize(s, Normalizer.Form.NFD).codePointAt(0);
    }

    /** The CJK blocks BERT isolates (the 0x2B920 start follows the HF implementation, not Unicode's 0x2B820). */
    private static boolean isChineseCharacter(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    @Override
    byte[] normalPiece(String text) {
        return text.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
    }
}
