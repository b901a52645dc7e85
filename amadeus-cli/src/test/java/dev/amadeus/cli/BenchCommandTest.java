package dev.amadeus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench command's output shape and checks; speeds are never asserted, only their consistency. */
class BenchCommandTest {
    private static String model() {
        return SharedData.model("stories260K.gguf").toString();
    }

    @Test
    void jsonIsOneObjectWithConsistentFigures() throws Exception {
        Cli.Result r = Cli.run("bench", "-m", model(), "-p", "16", "-n", "8", "-r", "2", "-t", "1", "--json");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(1, r.stdout().strip().lines().count(), r.stdout());
        JsonNode o = new ObjectMapper().readTree(r.stdout());
        assertEquals(model(), o.get("model").asText());
        assertEquals(1, o.get("threads").asInt());
        assertTrue(o.get("load_seconds").asDouble() > 0, r.stdout());
        assertTrue(o.get("ttft_seconds").asDouble() > 0, r.stdout());
        assertEquals(Files.size(Path.of(model())), o.get("file_size").asLong());
        assertEquals(48, o.get("types").get("F32").get("tensors").asInt());
        checkTest(o.get("pp"), 16, 2);
        checkTest(o.get("tg"), 8, 2);
        if (Files.isReadable(Path.of("/proc/self/status"))) assertTrue(o.get("rss_bytes").asLong() > 0, r.stdout());
        // One progress line per run: a warm-up and two repetitions of each test.
        List<String> progress = r.stderr().strip().lines().toList();
        assertEquals(6, progress.size(), r.stderr());
        assertTrue(progress.get(0).startsWith("amadeus: pp16: warm-up "), r.stderr());
        assertTrue(progress.get(5).startsWith("amadeus: tg8: run 2/2 "), r.stderr());
    }

    private static void checkTest(JsonNode t, int tokens, int repetitions) {
        assertEquals(tokens, t.get("tokens").asInt(), t.toString());
        assertEquals(repetitions, t.get("samples").size(), t.toString());
        assertEquals(repetitions, t.get("samples_ns").size(), t.toString());
        double min = t.get("min").asDouble(), max = t.get("max").asDouble();
        double mean = t.get("mean").asDouble(), median = t.get("median").asDouble();
        assertTrue(min > 0 && min <= mean && mean <= max, t.toString());
        assertTrue(min <= median && median <= max, t.toString());
        assertTrue(t.get("stddev").asDouble() >= 0, t.toString());
        double sum = 0;
        for (int i = 0; i < repetitions; i++) {
            double rate = t.get("samples").get(i).asDouble();
            assertEquals(tokens * 1e9 / t.get("samples_ns").get(i).asLong(), rate, rate * 1e-9, t.toString());
            sum += rate;
        }
        assertEquals(sum / repetitions, mean, mean * 1e-9, t.toString());
    }

    @Test
    void zeroTokensSkipATestAndLeaveItNull() throws Exception {
        Cli.Result r = Cli.run("bench", "-m", model(), "-p", "0", "-n", "4", "-r", "1", "--json");
        assertEquals(0, r.exitCode(), r.stderr());
        JsonNode o = new ObjectMapper().readTree(r.stdout());
        assertTrue(o.get("pp").isNull(), r.stdout());
        assertEquals(4, o.get("tg").get("tokens").asInt());
        assertEquals(0.0, o.get("tg").get("stddev").asDouble());
    }

    @Test
    void humanOutputIsATableWithLoadAndMemoryLines() {
        Cli.Result r = Cli.run("bench", "-m", model(), "-p", "16", "-n", "8", "-r", "1");
        assertEquals(0, r.exitCode(), r.stderr());
        List<String> lines = r.stdout().lines().toList();
        assertTrue(lines.get(0).matches("\\| model +\\| +size \\| +params \\| threads \\| +test \\| +t/s \\| .*"), r.stdout());
        assertTrue(lines.get(1).startsWith("| ---"), r.stdout());
        assertTrue(lines.get(2).matches("\\| llama F32 +\\| +1\\.12 MiB \\| +0\\.29 M \\| +\\d+ \\| +pp16 \\| +[0-9.]+ ± [0-9.]+ \\|.*"), r.stdout());
        assertTrue(lines.get(3).matches("\\| llama F32 +\\| .*\\| +tg8 \\| +[0-9.]+ ± [0-9.]+ \\|.*"), r.stdout());
        assertTrue(r.stdout().contains("\nload: "), r.stdout());
        assertTrue(r.stdout().contains("first token (1-token prompt, cold): "), r.stdout());
        assertTrue(r.stdout().contains("peak RSS: "), r.stdout());
        assertTrue(r.stdout().contains("types: F32 48 tensors (100.0%)"), r.stdout());
        assertFalse(r.stderr().contains("Exception"), r.stderr());
    }

    @Test
    void badFlagsExitWith2AndNameTheProblem() {
        Cli.Result r = Cli.run("bench", "-m", model(), "-r", "many");
        assertEquals(2, r.exitCode());
        List<String> lines = r.stderr().strip().lines().toList();
        // The error in one line, then picocli's pointer to --help, as for every command.
        assertEquals("amadeus: Invalid value for option '--repetitions': 'many' is not an int", lines.get(0));
        assertEquals(List.of("Try 'amadeus bench --help' for more information."), lines.subList(1, lines.size()));
        assertEquals("", r.stdout());

        Cli.Result unknown = Cli.run("bench", "-m", model(), "--batch=3");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.stderr().startsWith("amadeus: Unknown option: '--batch=3'"), unknown.stderr());
    }

    @Test
    void badValuesAreRefusedInOneLine() {
        assertRefused("amadeus: -r must be at least 1, got 0", "-r", "0");
        assertRefused("amadeus: -p must be 0 or more, got -1", "-p", "-1");
        assertRefused("amadeus: nothing to measure: -p and -n are both 0", "-p", "0", "-n", "0");
        assertRefused("amadeus: --threads must be positive, got 0", "-t", "0");
    }

    @Test
    void aCacheLargerThanMemoryIsRefusedBeforeAllocating() {
        // 200M positions × 5 layers × 64 f16 values = 119 GiB, beyond this machine's memory.
        Cli.Result r = Cli.run("bench", "-m", model(), "-p", "200000000", "-n", "1", "-r", "1");
        assertEquals(1, r.exitCode(), r.stderr());
        assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
        assertTrue(r.stderr().startsWith("amadeus: a context of 200000000 tokens needs a KV cache of 119.2 GiB (640 B per token, f16 K and f16 V) but only "), r.stderr());
        assertTrue(r.stderr().endsWith("of memory is available (lower -p or -n)\n"), r.stderr());
        assertEquals("", r.stdout());
    }

    private static void assertRefused(String message, String... flags) {
        String[] args = new String[3 + flags.length];
        args[0] = "bench";
        args[1] = "-m";
        args[2] = model();
        System.arraycopy(flags, 0, args, 3, flags.length);
        Cli.Result r = Cli.run(args);
        assertEquals(1, r.exitCode(), r.stderr());
        assertEquals(message, r.stderr().strip());
    }
}
