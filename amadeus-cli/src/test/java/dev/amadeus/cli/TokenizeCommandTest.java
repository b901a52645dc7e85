package dev.amadeus.cli;

import dev.amadeus.testing.LlamaCpp;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenizeCommandTest {

    @Test
    void jsonLinesMatchLlamaCpp() {
        String[] inputs = {"Hello world", " leading space", "<s>special</s> text", "日本語 🦙", ""};
        StringBuilder stdin = new StringBuilder();
        for (String s : inputs) stdin.append('"').append(s).append("\"\n");
        String model = SharedData.file("testdata/tokenizer/ggml-vocab-llama-spm.gguf").toString();

        Cli.Result plain = Cli.runWithInput(stdin.toString(), "tokenize", "-m", model, "--jsonl");
        Cli.Result special = Cli.runWithInput(stdin.toString(), "tokenize", "-m", model, "--jsonl", "--special");
        Cli.Result noBos = Cli.runWithInput(stdin.toString(), "tokenize", "-m", model, "--jsonl", "--no-bos");
        assertEquals(0, plain.exitCode(), plain.stderr());
        try (LlamaCpp ref = LlamaCpp.loadVocabulary(SharedData.file("testdata/tokenizer/ggml-vocab-llama-spm.gguf"))) {
            assertEquals(expected(ref, inputs, true, false), plain.stdout());
            assertEquals(expected(ref, inputs, true, true), special.stdout());
            assertEquals(expected(ref, inputs, false, false), noBos.stdout());
        }
    }

    @Test
    void badJsonLineIsNamed() {
        String model = SharedData.file("testdata/tokenizer/ggml-vocab-llama-spm.gguf").toString();
        Cli.Result r = Cli.runWithInput("\"ok\"\nnot json\n", "tokenize", "-m", model, "--jsonl");
        assertEquals(1, r.exitCode());
        assertEquals(1, r.stdout().lines().count(), r.stdout());
        org.junit.jupiter.api.Assertions.assertTrue(r.stderr().startsWith("amadeus: stdin line 2: not valid JSON"), r.stderr());
    }

    private static String expected(LlamaCpp ref, String[] inputs, boolean addSpecial, boolean parseSpecial) {
        StringBuilder sb = new StringBuilder();
        for (String s : inputs) {
            sb.append(Arrays.toString(ref.tokenize(s, addSpecial, parseSpecial)).replace(" ", "")).append('\n');
        }
        return sb.toString();
    }
}
