package dev.amadeus.cli;

import dev.amadeus.testing.LlamaCpp;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerateCommandTest {

    @Test
    void greedyContinuationEqualsLlamaCpp() {
        String model = SharedData.model("stories260K.gguf").toString();
        String expected;
        try (LlamaCpp ref = LlamaCpp.load(SharedData.model("stories260K.gguf"), LlamaCpp.Options.defaults(256))) {
            int[] generated = ref.greedy(ref.tokenize("Once upon a time", true, false), 30);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int t : generated) bytes.writeBytes(ref.tokenToPiece(t, false));
            expected = bytes.toString(StandardCharsets.UTF_8);
        }
        assertTrue(expected.startsWith(", there was a little girl named Lily."), expected);

        Cli.Result r = Cli.run("generate", "-m", model, "-p", "Once upon a time", "-n", "30", "--temp", "0");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(expected + "\n", r.stdout());
    }

    @Test
    void tokenHealingRegeneratesTheCutWord() {
        // the prompt ends in the token "i"; healed, the output starts with "ir" as one token and reads on
        Cli.Result r = Cli.run("generate", "-m", SharedData.model("stories260K.gguf").toString(), "-p",
                "Once upon a time there was a little gi", "-n", "12", "--temp", "0", "--token-healing");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("irl named Lily. She loved to play out\n", r.stdout());
        assertTrue(r.stderr().contains("prompt 10 tokens"), r.stderr());
    }

    @Test
    void dynamicTokenHealingAndABadValue() {
        String model = SharedData.model("stories260K.gguf").toString();
        Cli.Result r = Cli.run("generate", "-m", model, "-p", "The dog was very hap", "-n", "8", "--temp", "0", "--token-healing=d");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(" happy. He had a big bo\n", r.stdout());
        Cli.Result bad = Cli.run("generate", "-m", model, "-p", "Hi", "--token-healing=x");
        assertEquals(1, bad.exitCode());
        assertEquals("amadeus: --token-healing takes a token count (0 or more) or d, got 'x'\n", bad.stderr());
    }

    @Test
    void emptyPromptStartsFromBos() {
        Cli.Result r = Cli.run("generate", "-m", SharedData.model("stories260K.gguf").toString(), "-p", "", "-n", "20", "--temp", "0");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().startsWith(" Once upon a time, there was a little girl named Lily."), r.stdout());
    }

    @Test
    void stopStringEndsTheTextBeforeIt() {
        Cli.Result r = Cli.run("generate", "-m", SharedData.model("stories260K.gguf").toString(), "-p", "Once upon a time",
                "-n", "60", "--temp", "0", "--stop", "Lily");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(", there was a little girl named \n", r.stdout());
        assertTrue(r.stderr().contains("finished: stop_string"), r.stderr());
    }

    @Test
    void fullContextStopsWithAMessage() {
        Cli.Result r = Cli.run("generate", "-m", SharedData.model("stories260K.gguf").toString(), "-p", "Once upon a time",
                "-n", "100", "--temp", "0", "-c", "16");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("context of 16 tokens is full"), r.stderr());
    }

    @Test
    void promptLongerThanContextIsRefused() {
        Cli.Result r = Cli.run("generate", "-m", SharedData.model("stories260K.gguf").toString(), "-p",
                "Once upon a time there was a little girl named Lily", "-c", "4");
        assertEquals(1, r.exitCode());
        assertTrue(r.stderr().startsWith("amadeus: the prompt has "), r.stderr());
        assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
    }

    @Test
    void badFlagsGiveOneLineAndExitCode2() {
        Cli.Result r = Cli.run("generate", "-m", SharedData.model("stories260K.gguf").toString(), "--temp", "hot");
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().startsWith("amadeus: "), r.stderr());
        Cli.Result range = Cli.run("generate", "-m", SharedData.model("stories260K.gguf").toString(), "--top-p", "1.5");
        assertEquals(1, range.exitCode());
        assertEquals("amadeus: --top-p must be in (0, 1], got 1.5", range.stderr().strip());
    }
}
