package dev.amadeus.eval;

import dev.amadeus.AmadeusException;
import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.testing.SharedData;
import dev.amadeus.tokenizer.Tokenizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Passkey prompts have the requested token count and the key line exactly at the requested depth. */
class PasskeyPromptsTest {

    static Tokenizer tokenizer(String file) {
        try (GGUFFile f = GGUFFile.open(SharedData.file(file))) {
            return Tokenizer.fromGGUF(f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"models/stories260K.gguf", "testdata/tokenizer/ggml-vocab-llama-spm.gguf",
            "testdata/tokenizer/ggml-vocab-gpt-2.gguf"})
    void promptsHaveTheExactLengthAndTheKeyAtTheDepth(String vocabulary) {
        Tokenizer tokenizer = tokenizer(vocabulary);
        PasskeyPrompts prompts = new PasskeyPrompts(tokenizer);
        boolean bos = tokenizer.vocabulary().addBos();
        int[] keyLine = tokenizer.encode(PasskeyPrompts.keyLine(48213), false, false);
        int[] question = tokenizer.encode("\n" + PasskeyPrompts.QUESTION, false, false);
        int[] task = tokenizer.encode(PasskeyPrompts.TASK + "\n", false, false);
        int head = task.length + (bos ? 1 : 0);
        assertEquals(head + keyLine.length + question.length, prompts.fixedTokens(48213));
        for (int length : List.of(300, 1000, 4096)) {
            int filler = length - prompts.fixedTokens(48213);
            for (double depth : List.of(0.0, 0.1, 0.25, 0.5, 0.9, 1.0)) {
                PasskeyPrompt p = prompts.build(length, depth, 48213);
                int[] t = p.tokens();
                String where = vocabulary + " length " + length + " depth " + depth;
                assertEquals(length, t.length, where);
                if (bos) assertEquals(tokenizer.vocabulary().bos(), t[0], where);
                assertArrayEquals(task, Arrays.copyOfRange(t, bos ? 1 : 0, head), where);
                assertEquals(Math.round(depth * filler), p.fillerBefore(), where);
                assertEquals(filler, p.fillerBefore() + p.fillerAfter(), where);
                assertEquals(head + p.fillerBefore(), p.keyLineStart(), where);
                assertArrayEquals(keyLine, Arrays.copyOfRange(t, p.keyLineStart(), p.keyLineStart() + keyLine.length), where);
                assertArrayEquals(question, Arrays.copyOfRange(t, length - question.length, length), where);
                // The key is stated once, where the key line is, and nowhere in the filler.
                String text = tokenizer.decode(t, true, false);
                assertEquals(text.indexOf("The pass key is 48213. Remember it. 48213 is the pass key."),
                        text.lastIndexOf("The pass key is 48213."), where);
                assertTrue(text.endsWith("What is the pass key? The pass key is"), where);
                String before = tokenizer.decode(Arrays.copyOfRange(t, 0, p.keyLineStart()), true, false);
                assertTrue(!before.contains("48213"), where);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 100})
    void tooShortALengthIsRefused(int length) {
        PasskeyPrompts prompts = new PasskeyPrompts(tokenizer("models/stories260K.gguf"));
        int needed = prompts.fixedTokens(12345);
        AmadeusException e = assertThrows(AmadeusException.class, () -> prompts.build(length, 0.5, 12345));
        assertEquals("a passkey prompt needs at least " + needed + " tokens, got a length of " + length, e.getMessage());
        assertEquals(needed, prompts.build(needed, 0.5, 12345).length());
    }
}
