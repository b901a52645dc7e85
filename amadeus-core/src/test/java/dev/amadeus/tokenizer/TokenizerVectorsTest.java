package dev.amadeus.tokenizer;

import dev.amadeus.gguf.GGUFFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every llama.cpp vector set must tokenize exactly as llama.cpp does. */
class TokenizerVectorsTest {

    static Tokenizer open(String name) {
        try (GGUFFile file = GGUFFile.open(VocabTestVectors.file("ggml-vocab-" + name + ".gguf"))) {
            return Tokenizer.fromGGUF(file);
        }
    }

    static Tokenizer llama3() {
        return Tokenizer.llama3FromTiktoken(VocabTestVectors.file("llama3-tokenizer.model"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "phi-3", "gpt-2", "mpt", "falcon", "deepseek-llm", "bert-bge"})
    void ggufVocabularyMatchesLlamaCpp(String name) throws IOException {
        check(open(name), VocabTestVectors.load(name));
    }

    @Test
    void llama3TiktokenMatchesLlamaCppLlamaBpe() throws IOException {
        check(llama3(), VocabTestVectors.load("llama-bpe"));
    }

    private static void check(Tokenizer tokenizer, VocabTestVectors vectors) {
        List<String> failures = new ArrayList<>();
        int passed = 0;
        for (int i = 0; i < vectors.inputs().size(); i++) {
            String input = vectors.inputs().get(i);
            int[] actual = tokenizer.encode(input, false, false);
            if (Arrays.equals(vectors.expected().get(i), actual)) {
                passed++;
            } else {
                failures.add("#" + i + " " + escape(input) + "\n  expected " + Arrays.toString(vectors.expected().get(i))
                        + "\n  actual   " + Arrays.toString(actual));
            }
        }
        System.out.println("tokenizer vectors " + vectors.name() + " " + passed + "/" + vectors.inputs().size());
        assertTrue(vectors.inputs().size() > 40, "vector file looks truncated");
        assertEquals(List.of(), failures, vectors.name() + ": " + passed + "/" + vectors.inputs().size() + " passed");
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '\n') sb.append("\\n");
            else if (c == '\t') sb.append("\\t");
            else if (c == '\r') sb.append("\\r");
            else sb.append(c);
        }
        return sb.append('"').toString();
    }
}
