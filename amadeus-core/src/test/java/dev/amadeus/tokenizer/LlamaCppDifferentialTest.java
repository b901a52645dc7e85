package dev.amadeus.tokenizer;

import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.testing.LlamaCpp;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random text, special-token markup included, tokenized and detokenized by us and by llama.cpp b4916 itself
 * (vocabulary-only load through FFM), in every combination of add-special, parse-special,
 * remove-special and render-special; and every token's piece.
 */
class LlamaCppDifferentialTest {
    private static final String[] ALPHABET = {
            "a", "b", "Z", "é", "ß", "ж", "中", "文", "ｱ", "ー", "한", "1", "2", "٣", "½", " ", " ", " ", " ", "\t", "\n",
            "\n", "\r", "\u00A0", "\u3000", "'", "s", "'s", "'ll", "'RE", "!", ".", ",", "?", "$", "~", "(", "\u0301",
            "\u200D", "😀", "🦙", "\uFFFD", "Hello", " world", "  ", "   ", "...", "123", "4567", "<", ">", "|",
    };

    private static String randomText(Random random, List<String> specials) {
        StringBuilder sb = new StringBuilder();
        int parts = random.nextInt(16);
        for (int i = 0; i < parts; i++) {
            if (!specials.isEmpty() && random.nextInt(6) == 0) sb.append(specials.get(random.nextInt(specials.size())));
            else sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"testdata/tokenizer/ggml-vocab-llama-spm.gguf", "testdata/tokenizer/ggml-vocab-phi-3.gguf",
            "testdata/tokenizer/ggml-vocab-gpt-2.gguf", "testdata/tokenizer/ggml-vocab-mpt.gguf",
            "testdata/tokenizer/ggml-vocab-falcon.gguf", "testdata/tokenizer/ggml-vocab-deepseek-llm.gguf",
            "testdata/tokenizer/ggml-vocab-bert-bge.gguf", "models/stories260K.gguf", "models/llama-2-tiny-random.gguf"})
    void agreesWithLlamaCpp(String relative) throws Throwable {
        Path path = SharedData.file(relative);
        Tokenizer ours;
        try (GGUFFile file = GGUFFile.open(path)) {
            ours = Tokenizer.fromGGUF(file);
        }
        Vocabulary v = ours.vocabulary();
        List<String> specials = new ArrayList<>();
        for (int id : v.specialTokens()) if (specials.size() < 40) specials.add(v.text(id));
        for (String extra : List.of("<s>", "</s>", "<|endoftext|>", "<|end|>", "<|user|>")) if (v.id(extra) >= 0) specials.add(extra);

        try (LlamaCpp theirs = LlamaCpp.loadVocabulary(path)) {
            List<String> failures = new ArrayList<>();
            for (int id = 0; id < v.size(); id++) {
                for (boolean special : new boolean[] {false, true}) {
                    if (!Arrays.equals(theirs.tokenToPiece(id, special), ours.tokenBytes(id, special)) && failures.size() < 20) {
                        failures.add("piece " + id + " special=" + special);
                    }
                }
            }
            Random random = new Random(7);
            int checked = 0;
            for (int i = 0; i < 1500; i++) {
                String text = randomText(random, specials);
                for (int mode = 0; mode < 4; mode++) {
                    boolean addSpecial = (mode & 1) != 0;
                    boolean parseSpecial = (mode & 2) != 0;
                    int[] expected = theirs.tokenize(text, addSpecial, parseSpecial);
                    int[] actual = ours.encode(text, addSpecial, parseSpecial);
                    checked++;
                    if (!Arrays.equals(expected, actual) && failures.size() < 20) {
                        failures.add("encode " + TokenizerVectorsTest.escape(text) + " add=" + addSpecial + " parse=" + parseSpecial
                                + "\n  llama.cpp " + Arrays.toString(expected) + "\n  ours      " + Arrays.toString(actual));
                    }
                    boolean removeSpecial = random.nextBoolean();
                    boolean renderSpecial = random.nextBoolean();
                    byte[] expectedText = theirs.detokenize(expected, removeSpecial, renderSpecial);
                    byte[] actualText = ((BaseTokenizer) ours).detokenize(expected, removeSpecial, renderSpecial);
                    if (!Arrays.equals(expectedText, actualText) && failures.size() < 20) {
                        failures.add("decode " + Arrays.toString(expected) + " remove=" + removeSpecial + " render=" + renderSpecial
                                + "\n  llama.cpp " + TokenizerVectorsTest.escape(new String(expectedText)) + "\n  ours      "
                                + TokenizerVectorsTest.escape(new String(actualText)));
                    }
                }
            }
            System.out.println("llama.cpp differential " + relative + ": " + checked + " encodings, " + failures.size() + " failures");
            assertEquals(List.of(), failures, String.join("\n", failures));
        }
    }
}
