package dev.amadeus.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LlamaCppTest {

    /** {@code models/PROVENANCE.md}: greedy continuation of BOS on stories260K.gguf. */
    static final int[] STORIES_GREEDY_60 = {
            403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337,
            410, 408, 419, 292, 411, 322, 265, 282, 295, 433, 426, 385, 328, 432, 358, 394, 261, 370, 432, 352,
            266, 268, 388, 426, 338, 391, 266, 267, 337, 335, 312, 432, 398, 312, 286, 267, 414, 270, 333, 415};

    private LlamaCpp stories;

    @BeforeAll
    void load() {
        stories = LlamaCpp.load(SharedData.model("stories260K.gguf"), LlamaCpp.Options.defaults(256));
    }

    @AfterAll
    void close() {
        if (stories != null) stories.close();
    }

    @Test
    void structLayoutsMatchLlamaCppDefaults() {
        assertEquals(120, LlamaCpp.Native.CONTEXT_PARAMS.byteSize());
        assertEquals(64, LlamaCpp.Native.MODEL_PARAMS.byteSize());
        assertEquals(56, LlamaCpp.Native.BATCH.byteSize());
        assertEquals(99, LlamaCpp.Native.CP_FLASH_ATTN);
        assertEquals(88, LlamaCpp.Native.CP_TYPE_K);
        assertEquals(57, LlamaCpp.Native.MP_USE_MMAP);

        // The values llama.cpp's own default functions return, read back through the layouts.
        assertEquals(512, LlamaCpp.Defaults.contextInt(LlamaCpp.Native.CP_N_CTX));
        assertEquals(2048, LlamaCpp.Defaults.contextInt(LlamaCpp.Native.CP_N_BATCH));
        assertEquals(512, LlamaCpp.Defaults.contextInt(LlamaCpp.Native.CP_N_UBATCH));
        assertEquals(1, LlamaCpp.Defaults.contextInt(LlamaCpp.Native.CP_N_SEQ_MAX));
        assertEquals(-1, LlamaCpp.Defaults.contextInt(LlamaCpp.Native.CP_ROPE_SCALING_TYPE));
        assertEquals(-1, LlamaCpp.Defaults.contextInt(LlamaCpp.Native.CP_POOLING_TYPE));
        assertEquals(-1, LlamaCpp.Defaults.contextInt(LlamaCpp.Native.CP_ATTENTION_TYPE));
        assertEquals(0f, LlamaCpp.Defaults.contextFloat(LlamaCpp.Native.CP_ROPE_FREQ_BASE));
        assertEquals(0f, LlamaCpp.Defaults.contextFloat(LlamaCpp.Native.CP_ROPE_FREQ_SCALE));
        assertEquals(-1f, LlamaCpp.Defaults.contextFloat(LlamaCpp.Native.CP_YARN_EXT_FACTOR));
        assertEquals(1f, LlamaCpp.Defaults.contextFloat(LlamaCpp.Native.CP_YARN_ATTN_FACTOR));
        assertEquals(32f, LlamaCpp.Defaults.contextFloat(LlamaCpp.Native.CP_YARN_BETA_FAST));
        assertEquals(1f, LlamaCpp.Defaults.contextFloat(LlamaCpp.Native.CP_YARN_BETA_SLOW));
        assertEquals(0, LlamaCpp.Defaults.contextInt(LlamaCpp.Native.CP_YARN_ORIG_CTX));
        assertEquals(-1f, LlamaCpp.Defaults.contextFloat(LlamaCpp.Native.CP_DEFRAG_THOLD));
        assertEquals(1, LlamaCpp.Defaults.contextInt(LlamaCpp.Native.CP_TYPE_K));
        assertEquals(1, LlamaCpp.Defaults.contextInt(LlamaCpp.Native.CP_TYPE_V));
        assertEquals(0, LlamaCpp.Defaults.contextByte(LlamaCpp.Native.CP_LOGITS_ALL));
        assertEquals(0, LlamaCpp.Defaults.contextByte(LlamaCpp.Native.CP_EMBEDDINGS));
        assertEquals(1, LlamaCpp.Defaults.contextByte(LlamaCpp.Native.CP_OFFLOAD_KQV));
        assertEquals(0, LlamaCpp.Defaults.contextByte(LlamaCpp.Native.CP_FLASH_ATTN));
        assertEquals(1, LlamaCpp.Defaults.contextByte(LlamaCpp.Native.CP_NO_PERF));

        assertEquals(1, LlamaCpp.Defaults.modelInt(LlamaCpp.Native.MP_SPLIT_MODE)); // LLAMA_SPLIT_MODE_LAYER
        assertEquals(0, LlamaCpp.Defaults.modelByte(LlamaCpp.Native.MP_VOCAB_ONLY));
        assertEquals(1, LlamaCpp.Defaults.modelByte(LlamaCpp.Native.MP_USE_MMAP));
        assertEquals(0, LlamaCpp.Defaults.modelByte(LlamaCpp.Native.MP_USE_MLOCK));
        assertEquals(0, LlamaCpp.Defaults.modelByte(LlamaCpp.Native.MP_CHECK_TENSORS));

        // Options.defaults mirrors llama.cpp's defaults for everything it sets.
        LlamaCpp.Options d = LlamaCpp.Options.defaults(64);
        assertEquals(-1, d.ropeScalingType());
        assertEquals(-1f, d.yarnExtFactor());
        assertEquals(1f, d.yarnAttnFactor());
        assertEquals(32f, d.yarnBetaFast());
        assertEquals(1f, d.yarnBetaSlow());
    }

    @Test
    void vocabularyAndSpecialTokens() {
        assertEquals(512, stories.vocabSize());
        assertEquals(1, stories.bos());
        assertEquals(2, stories.eos());
        assertEquals("llama", stories.metadata("general.architecture"));
        assertEquals(null, stories.metadata("no.such.key"));
        assertTrue(stories.contextSize() >= 256);
    }

    @Test
    void greedyFromBosMatchesProvenance() {
        int[] got = stories.greedy(new int[]{stories.bos()}, 60);
        assertArrayEquals(STORIES_GREEDY_60, got);
        assertEquals(" Once upon a time, there was a little girl named Lily.",
                stories.detokenize(Arrays.copyOf(got, 15), false));
        // The cache is cleared between calls: a second run gives the same tokens.
        assertArrayEquals(STORIES_GREEDY_60, stories.greedy(new int[]{stories.bos()}, 60));
    }

    @Test
    void tokenizesOnceUponATime() {
        int[] ids = stories.tokenize("Once upon a time", true, false);
        assertArrayEquals(new int[]{1, 403, 407, 261, 378}, ids);
        String[] pieces = {" Once", " upon", " a", " time"};
        for (int i = 0; i < pieces.length; i++) {
            assertEquals(pieces[i], new String(stories.tokenToPiece(ids[i + 1], false), StandardCharsets.UTF_8));
        }
        assertArrayEquals(new int[]{403, 407, 261, 378}, stories.tokenize("Once upon a time", false, false));
        assertEquals(0, stories.tokenToPiece(1, false).length); // control token hidden unless special
        assertEquals("<s>", new String(stories.tokenToPiece(1, true), StandardCharsets.UTF_8));
        // "<s>" is text unless parseSpecial.
        assertArrayEquals(new int[]{1}, stories.tokenize("<s>", false, true));
        assertTrue(stories.tokenize("<s>", false, false).length > 1);
        // A long input exercises the buffer-resize path.
        assertTrue(stories.tokenize("a b c d e f g h i j k l m n o p ".repeat(20), true, false).length > 300);
    }

    @Test
    void promptContinuationMatchesProvenance() {
        int[] prompt = stories.tokenize("Once upon a time", true, false);
        int[] got = stories.greedy(prompt, 56);
        String text = stories.detokenize(got, false);
        assertTrue(text.startsWith(", there was a little girl named Lily. She loved to play outside in the park."
                + " One day, she saw a big, red ball."), text);
        // Same context as the BOS run after its first four tokens: a batched prompt continues like the token-by-token run.
        assertArrayEquals(Arrays.copyOfRange(STORIES_GREEDY_60, 4, 60), got);
    }

    @Test
    void everyPositionMatchesEvaluatingItsPrefix() {
        int[] tokens = new int[33];
        tokens[0] = stories.bos();
        System.arraycopy(STORIES_GREEDY_60, 0, tokens, 1, 32);
        float[][] full = stories.logits(tokens);
        assertEquals(tokens.length, full.length);
        for (float[] row : full) assertEquals(512, row.length);
        // Logits at position i predict token i+1 greedily (the sequence is itself greedy).
        for (int i = 0; i + 1 < tokens.length; i++) assertEquals(tokens[i + 1], LlamaCpp.argmax(full[i]), "position " + i);
        double worst = 0;
        for (int n : new int[]{1, 2, 5, 17, 32, 33}) {
            float[][] prefix = stories.logits(Arrays.copyOf(tokens, n));
            assertEquals(n, prefix.length);
            worst = Math.max(worst, maxAbsDiff(prefix[n - 1], full[n - 1]));
        }
        assertTrue(worst <= 1e-4, "max |prefix - full| = " + worst);
        // Nothing of an earlier call stays in the cache.
        stories.greedy(new int[]{stories.bos(), 300, 301}, 5);
        assertTrue(maxAbsDiff(stories.logits(tokens)[32], full[32]) <= 1e-4);
    }

    @Test
    void optionsReachLlamaCpp() {
        int[] tokens = new int[40];
        tokens[0] = 1;
        System.arraycopy(STORIES_GREEDY_60, 0, tokens, 1, 39);
        float[] base = lastLogits(LlamaCpp.Options.defaults(64), tokens);

        // Linear RoPE scaling by 1/2: positions are halved, the logits change.
        float[] linear = lastLogits(LlamaCpp.Options.defaults(64).withRope(1, 0f, 0.5f), tokens);
        double dLinear = maxAbsDiff(base, linear);
        assertTrue(dLinear > 1e-2, "linear rope scaling changed the logits by only " + dLinear);

        // Scaling type "none" with scale 0.5 ignores the scale; explicit base 10000 is the file's value.
        float[] explicitSame = lastLogits(LlamaCpp.Options.defaults(64).withRope(0, 10000f, 0.5f), tokens);
        assertTrue(maxAbsDiff(base, explicitSame) <= 1e-4, "explicit default rope differs: " + maxAbsDiff(base, explicitSame));

        float[] otherBase = lastLogits(LlamaCpp.Options.defaults(64).withRope(-1, 500f, 0f), tokens);
        assertTrue(maxAbsDiff(base, otherBase) > 1e-2, "rope_freq_base had no effect");

        // YaRN: with ext_factor 0 it is plain linear interpolation; attn_factor and the original context reach it.
        LlamaCpp.Options yarn = LlamaCpp.Options.defaults(64).withRope(2, 0f, 0.5f);
        float[] yarnDefault = lastLogits(yarn, tokens);
        assertTrue(maxAbsDiff(yarnDefault, linear) > 1e-2, "YaRN equals linear scaling");
        assertTrue(maxAbsDiff(lastLogits(yarn.withYarn(0f, 1f, 32f, 1f, 0), tokens), linear) <= 1e-4, "YaRN with ext_factor 0 differs from linear");
        assertTrue(maxAbsDiff(lastLogits(yarn.withYarn(-1f, 2f, 32f, 1f, 0), tokens), yarnDefault) > 1e-2, "yarn_attn_factor had no effect");
        assertTrue(maxAbsDiff(lastLogits(yarn.withYarn(-1f, 1f, 32f, 1f, 64), tokens), yarnDefault) > 1e-2, "yarn_orig_ctx had no effect");

        // An F32 KV cache is close to, but not bit-identical with, the default F16 cache (K and V each matter).
        float[] f32Cache = lastLogits(LlamaCpp.Options.defaults(64).withCacheTypes(LlamaCpp.GGML_TYPE_F32, LlamaCpp.GGML_TYPE_F32), tokens);
        double dCache = maxAbsDiff(base, f32Cache);
        assertTrue(dCache > 0 && dCache < 0.05, "F32 vs F16 cache difference " + dCache);
        float[] f32K = lastLogits(LlamaCpp.Options.defaults(64).withCacheTypes(LlamaCpp.GGML_TYPE_F32, LlamaCpp.GGML_TYPE_F16), tokens);
        assertTrue(maxAbsDiff(f32K, base) > 0 && maxAbsDiff(f32K, f32Cache) > 0, "type_k / type_v not both applied");

        // One thread gives the same result as two.
        float[] oneThread = lastLogits(LlamaCpp.Options.defaults(64).withThreads(1), tokens);
        assertTrue(maxAbsDiff(base, oneThread) <= 1e-4);
    }

    @Test
    void loadsDerivedAndRandomModels() {
        int[] prompt = stories.tokenize("Once upon a time", true, false);
        int[] f32 = stories.greedy(prompt, 25);
        try (LlamaCpp q8 = LlamaCpp.load(SharedData.model("stories260K-q8_0.DERIVED.gguf"), LlamaCpp.Options.defaults(128))) {
            assertEquals(512, q8.vocabSize());
            assertArrayEquals(f32, q8.greedy(prompt, 25));
        }
        try (LlamaCpp tiny = LlamaCpp.load(SharedData.model("llama-2-tiny-random.gguf"), LlamaCpp.Options.defaults(64))) {
            assertEquals(32000, tiny.vocabSize());
            assertEquals(1, tiny.bos());
            assertEquals(2, tiny.eos());
            int[] ids = tiny.tokenize("Hello world", true, false);
            assertEquals(1, ids[0]);
            assertEquals(" Hello world", tiny.detokenize(Arrays.copyOfRange(ids, 1, ids.length), false));
            float[][] l = tiny.logits(ids);
            assertEquals(ids.length, l.length);
            for (float[] row : l) {
                assertEquals(32000, row.length);
                for (float v : row) assertTrue(Float.isFinite(v));
            }
            assertEquals(4, tiny.greedy(ids, 4).length);
        }
    }

    @Test
    void errorsAreReported() throws Exception {
        Path notGguf = Files.createTempFile("not-a-model", ".gguf");
        try {
            Files.writeString(notGguf, "this is not a GGUF file");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> LlamaCpp.load(notGguf, LlamaCpp.Options.defaults(64)));
            assertTrue(e.getMessage().contains("could not load"), e.getMessage());
        } finally {
            Files.delete(notGguf);
        }
        // A truncated GGUF passes the magic check and is rejected by llama.cpp itself (model pointer NULL).
        Path truncated = Files.createTempFile("truncated", ".gguf");
        try {
            byte[] all = Files.readAllBytes(SharedData.model("stories260K.gguf"));
            Files.write(truncated, Arrays.copyOf(all, 4096));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> LlamaCpp.load(truncated, LlamaCpp.Options.defaults(64)));
            assertTrue(e.getMessage().contains("could not load"), e.getMessage());
        } finally {
            Files.delete(truncated);
        }
        assertThrows(IllegalStateException.class, () -> LlamaCpp.load(Path.of("/nonexistent/model.gguf"), LlamaCpp.Options.defaults(64)));

        try (LlamaCpp small = LlamaCpp.load(SharedData.model("stories260K.gguf"), LlamaCpp.Options.defaults(32))) {
            int n = small.contextSize();
            int[] tooMany = new int[n + 1];
            Arrays.fill(tooMany, 300);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> small.logits(tooMany));
            assertTrue(e.getMessage().contains("llama_decode returned"), e.getMessage());
            // The context is still usable afterwards.
            assertEquals(STORIES_GREEDY_60[0], small.greedy(new int[]{1}, 1)[0]);
        }
        LlamaCpp closed = LlamaCpp.load(SharedData.model("stories260K.gguf"), LlamaCpp.Options.defaults(32));
        closed.close();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.logits(new int[]{1}));
    }

    private static float[] lastLogits(LlamaCpp.Options options, int[] tokens) {
        try (LlamaCpp m = LlamaCpp.load(SharedData.model("stories260K.gguf"), options)) {
            float[][] l = m.logits(tokens);
            return l[l.length - 1];
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }
}
