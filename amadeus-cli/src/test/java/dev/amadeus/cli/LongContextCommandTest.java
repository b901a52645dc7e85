package dev.amadeus.cli;

import dev.amadeus.model.Architecture;
import dev.amadeus.synth.ModelShape;
import dev.amadeus.synth.SyntheticModel;
import dev.amadeus.tensor.GGMLType;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Context size, cache types, the memory plan and context shifting, from the command line. */
class LongContextCommandTest {
    @TempDir
    static Path dir;
    static Path tiny, wideKv;

    @BeforeAll
    static void models() throws IOException {
        Path vocab = SharedData.file("testdata/tokenizer/ggml-vocab-llama-spm.gguf");
        tiny = dir.resolve("tiny-llama.gguf");
        new SyntheticModel(ModelShape.preset("tiny-llama"), GGMLType.Q8_0, 1, vocab).write(tiny);
        // Small weights, huge keys: 16 layers × 4 heads of 4096, so 1 MiB of F16 cache per token.
        wideKv = dir.resolve("wide-kv.gguf");
        new SyntheticModel(new ModelShape("wide-kv", Architecture.LLAMA, 64, 16, 4, 4, 4096, 64, 64, 2048, 10000f, 1e-5f, false, 0),
                GGMLType.Q4_0, 1, vocab).write(wideKv);
    }

    @Test
    void a128kContextIsAcceptedWhenItFits() {
        Cli.Result r = Cli.run("generate", "-m", tiny.toString(), "-p", "Once upon a time", "-n", "8", "--temp", "0",
                "-c", "131072", "--ignore-eos");
        assertEquals(0, r.exitCode(), r.stderr());
        // 2 layers × (64 + 64) f16 per token = 512 B; 131072 tokens = 64 MiB.
        assertTrue(r.stderr().contains("KV cache 64.0 MiB (f16 K, f16 V: 512 B per token x 131072 tokens)"), r.stderr());
        assertTrue(r.stderr().contains("generated 8 tokens"), r.stderr());
    }

    @Test
    void a128kContextIsRefusedWhenItDoesNotFit() {
        Cli.Result r = Cli.run("generate", "-m", wideKv.toString(), "-p", "Once", "-n", "1", "-c", "131072");
        assertEquals(1, r.exitCode(), r.stderr());
        String last = r.stderr().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("amadeus: a context of 131072 tokens needs a KV cache of 128.0 GiB (1.0 MiB per token, f16 K and f16 V) but only "), last);
        assertTrue(last.endsWith(" of memory is available (lower -c, or choose a smaller cache type with -ctk/-ctv q8_0)"), last);
        assertEquals("", r.stdout());
    }

    @Test
    void infoPrintsThePlan() {
        Cli.Result r = Cli.run("info", tiny.toString(), "--no-tensors", "-c", "131072", "-ctk", "q8_0", "-ctv", "f32");
        assertEquals(0, r.exitCode(), r.stderr());
        // q8_0: 64 elements = 2 blocks of 34 bytes; f32: 256 bytes; 2 layers.
        assertTrue(r.stdout().contains("KV cache 81.0 MiB (q8_0 K, f32 V: 648 B per token x 131072 tokens)"), r.stdout());
        assertTrue(r.stdout().contains("fits: yes"), r.stdout());
        Cli.Result wide = Cli.run("info", wideKv.toString(), "--no-tensors", "-c", "131072");
        assertTrue(wide.stdout().contains("fits: no; a context of 131072 tokens needs a KV cache of 128.0 GiB"), wide.stdout());
    }

    @Test
    void contextShiftGoesOnPastAFullContext() {
        Cli.Result stop = Cli.run("generate", "-m", tiny.toString(), "-p", "Once upon a time", "-n", "100", "--temp", "0",
                "-c", "32", "--ignore-eos");
        assertEquals(0, stop.exitCode(), stop.stderr());
        assertTrue(stop.stderr().contains("finished: context_full"), stop.stderr());

        Cli.Result r = Cli.run("generate", "-m", tiny.toString(), "-p", "Once upon a time", "-n", "100", "--temp", "0",
                "-c", "32", "--ignore-eos", "--context-shift", "--keep", "2");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("generated 100 tokens"), r.stderr());
        assertTrue(r.stderr().contains("finished: length"), r.stderr());
        // Prompt of 6 (BOS + 5) tokens: the context fills after 26 more; each shift frees (32 - 3) / 2 = 14.
        assertTrue(r.stderr().contains("the full context was shifted 6 times"), r.stderr());
        // Until the first shift both runs produce the same text.
        assertTrue(r.stdout().startsWith(stop.stdout().stripTrailing()), r.stdout() + " vs " + stop.stdout());
    }

    @Test
    void badCacheTypesAreRefusedInOneLine() {
        Cli.Result r = Cli.run("generate", "-m", tiny.toString(), "-p", "x", "-ctk", "q4_0");
        assertEquals(1, r.exitCode());
        assertEquals("amadeus: --cache-type-k: unknown cache type 'q4_0'; use f32, f16 or q8_0", r.stderr().strip());
    }
}
