package dev.amadeus.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The pre-tokenizer cascade and the hand-written GPT-2 and Llama-3 splitters. */
class PreTokenizerTest {
    /** Characters from every class the patterns distinguish, including non-ASCII whitespace and line breaks. */
    private static final String[] ALPHABET = {
            "a", "Z", "é", "ß", "ж", "中", "ｱ", "1", "٣", "½", "Ⅻ", " ", " ", " ", "\t", "\n", "\r", "\u000B",
            "\u00A0", "\u3000", "\u2028", "\u0085", "'", "s", "S", "t", "r", "e", "v", "l", "L", "d", "m",
            "!", ".", ",", "?", "$", "+", "~", "`", "(", "\u0301", "\u200D", "😀", "🦙", "\u0000", "\u001F", "\uE000",
    };

    private static String randomText(Random random) {
        StringBuilder sb = new StringBuilder();
        int length = random.nextInt(24);
        for (int i = 0; i < length; i++) sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        return sb.toString();
    }

    private static void assertSplittersAgreeWithRegex(String pattern) {
        PreTokenizer handWritten = new PreTokenizer(List.of(pattern));
        PreTokenizer regex = new PreTokenizer(List.of(pattern), false);
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            String text = randomText(random);
            assertEquals(regex.split(text), handWritten.split(text), () -> TokenizerVectorsTest.escape(text));
        }
    }

    @Test
    void gpt2SplitterAgreesWithItsRegex() {
        assertSplittersAgreeWithRegex(PreTokenizer.GPT2);
    }

    @Test
    void llama3SplitterAgreesWithItsRegex() {
        assertSplittersAgreeWithRegex(PreTokenizer.LLAMA3);
    }

    @Test
    void observedGpt2Split() {
        PreTokenizer gpt2 = new PreTokenizer(List.of(PreTokenizer.GPT2));
        assertEquals(List.of("Hello", " world", "'s", " ", " 12345", " ünï", "\n", "x"), gpt2.split("Hello world's  12345 ünï\nx"));
    }

    @Test
    void llama3SplitsDigitsInThreesAndFoldsContractions() {
        PreTokenizer llama3 = new PreTokenizer(List.of(PreTokenizer.LLAMA3));
        assertEquals(List.of("123", "456", "7", " I", "'VE", "\n\n", " x", " ", " y", "  \t"), llama3.split("1234567 I'VE\n\n x  y  \t"));
    }

    @Test
    void cascadeKeepsUnmatchedGapsAsChunks() {
        // falcon: punctuation runs first, then GPT-2 inside and between them, then digit triples, whose
        // unmatched gaps (the space, the lone 7) stay chunks of their own
        PreTokenizer falcon = new PreTokenizer(BpePreset.forName("falcon").patterns());
        assertEquals(List.of("a", "...", "b", " ", "123", "456", "7"), falcon.split("a...b 1234567"));
    }

    @Test
    void nonAsciiWhitespaceIsNotMatchedByExplicitClasses() {
        // deepseek-llm's punctuation class lists U+3000..U+3002, but llama.cpp has already turned the
        // ideographic space into U+000B, so only "。" joins the punctuation run
        PreTokenizer deepseek = new PreTokenizer(BpePreset.forName("deepseek-llm").patterns());
        assertEquals(List.of("\u3000", "。"), deepseek.split("\u3000。"));
    }
}
