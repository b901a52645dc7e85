package dev.amadeus.tokenizer;

import dev.amadeus.testing.SharedData;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * llama.cpp's tokenizer test vectors: {@code NAME.gguf.inp} holds the inputs, each followed by a line
 * {@code __ggml_vocab_test__}; {@code NAME.gguf.out} holds one line of expected ids per input (tokenized
 * with add-special off).
 */
record VocabTestVectors(String name, List<String> inputs, List<int[]> expected) {
    static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    static Path file(String relative) {
        return SharedData.file("testdata/tokenizer/" + relative);
    }

    static VocabTestVectors load(String name) throws IOException {
        String inp = Files.readString(file("ggml-vocab-" + name + ".gguf.inp"), StandardCharsets.UTF_8);
        String out = Files.readString(file("ggml-vocab-" + name + ".gguf.out"), StandardCharsets.UTF_8);
        // every input, the last included, is followed by the separator
        if (!inp.endsWith(SEPARATOR)) throw new IllegalStateException(name + ".inp does not end with the separator");
        List<String> inputs = List.of(inp.substring(0, inp.length() - SEPARATOR.length()).split(SEPARATOR, -1));
        String[] lines = out.split("\n", -1);
        List<int[]> expected = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String line = lines[i].trim();
            expected.add(line.isEmpty() ? new int[0] : Arrays.stream(line.split(" +")).mapToInt(Integer::parseInt).toArray());
        }
        return new VocabTestVectors(name, inputs, expected);
    }
}
