package dev.amadeus.model;

import dev.amadeus.model.rope.RopeMethod;
import dev.amadeus.model.rope.RopeOptions;
import dev.amadeus.synth.ModelShape;
import dev.amadeus.synth.SyntheticModel;
import dev.amadeus.tensor.GGMLType;
import dev.amadeus.tensor.ThreadPool;
import dev.amadeus.testing.LlamaCpp;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Linear interpolation and YaRN against llama.cpp's, past the trained context: random-weight F32 models
 * trained (by their metadata) on {@value #TRAINED} positions evaluate {@value #POSITIONS} positions of real
 * text with the same scaling chosen on both sides. Criteria of the F32 parity test: the same argmax at every
 * position and every logit within 1e-3 of the largest.
 */
class RopeScalingLlamaCppTest {
    static final int TRAINED = 64;
    static final int POSITIONS = 200;

    @TempDir
    static Path dir;

    static Stream<Arguments> cases() {
        LlamaCpp.Options base = LlamaCpp.Options.defaults(POSITIONS + 8).withCacheTypes(LlamaCpp.GGML_TYPE_F32, LlamaCpp.GGML_TYPE_F32);
        RopeOptions ours = RopeOptions.FROM_FILE;
        return Stream.of(
                Arguments.of("linear x4", "tiny-llama", base.withRope(1, 0f, 0.25f),
                        ours.withMethod(RopeMethod.LINEAR).withScale(4)),
                Arguments.of("linear x3 (freq scale)", "tiny-qwen2", base.withRope(1, 0f, 1f / 3),
                        ours.withMethod(RopeMethod.LINEAR).withFreqScale(1f / 3)),
                Arguments.of("yarn x4", "tiny-llama", base.withRope(2, 0f, 0.25f),
                        ours.withMethod(RopeMethod.YARN).withScale(4)),
                Arguments.of("yarn x4", "tiny-qwen2", base.withRope(2, 0f, 0.25f),
                        ours.withMethod(RopeMethod.YARN).withScale(4)),
                Arguments.of("yarn x4 ext 0.5 attn 1.5 betas 16/2 orig 32", "tiny-llama",
                        base.withRope(2, 0f, 0.25f).withYarn(0.5f, 1.5f, 16f, 2f, 32),
                        ours.withMethod(RopeMethod.YARN).withScale(4).withYarnExtFactor(0.5).withYarnAttnFactor(1.5)
                                .withYarnBetas(2, 16).withYarnOrigCtx(32)),
                Arguments.of("yarn x4 base 20000", "tiny-qwen2", base.withRope(2, 20000f, 0.25f),
                        ours.withMethod(RopeMethod.YARN).withScale(4).withFreqBase(20000)));
    }

    @ParameterizedTest(name = "{1} {0}")
    @MethodSource("cases")
    void matchesLlamaCppPastTheTrainedContext(String label, String shapeName, LlamaCpp.Options reference, RopeOptions ours) throws IOException {
        ModelShape preset = ModelShape.preset(shapeName);
        ModelShape shape = new ModelShape(preset.name() + "-ctx" + TRAINED, preset.architecture(), preset.embeddingLength(),
                preset.layers(), preset.heads(), preset.kvHeads(), preset.headDim(), preset.ropeDims(),
                preset.feedForwardLength(), TRAINED, preset.ropeFreqBase(), preset.rmsNormEps(), preset.tiedOutput(),
                preset.slidingWindow());
        Path file = dir.resolve(shape.name() + ".gguf");
        if (!file.toFile().exists()) {
            new SyntheticModel(shape, GGMLType.F32, 99, SharedData.file(LlamaCppParityTest.vocabularyFor(shapeName))).write(file);
        }
        float[][] expected;
        int[] tokens;
        try (LlamaCpp ref = LlamaCpp.load(file, reference)) {
            tokens = Arrays.copyOf(ref.tokenize(LlamaCppParityTest.text(), true, false), POSITIONS);
            expected = ref.logits(tokens);
        }
        float[] actual, unscaled;
        try (Model model = Model.load(file); ThreadPool pool = new ThreadPool(2)) {
            assertEquals(TRAINED, model.config().trainedContextLength());
            Transformer t = new Transformer(model.config(), model.weights(), pool, ours);
            actual = t.forward(new KVCache(model.config(), POSITIONS), tokens, true);
            Transformer plain = new Transformer(model.config(), model.weights(), pool);
            unscaled = plain.forward(new KVCache(model.config(), POSITIONS), tokens, true);
        }
        // The scaling must matter at these lengths, or agreeing would prove nothing.
        assertTrue(LlamaCppParityTest.Agreement.measure(expected, unscaled).maxRelativeError() > 1e-2, "the scaling changed nothing");
        LlamaCppParityTest.Agreement a = LlamaCppParityTest.Agreement.measure(expected, actual);
        System.out.printf("%-12s %-45s top1 %.4f maxRelErr %.3e%n", shapeName, label, a.top1(), a.maxRelativeError());
        assertEquals(1.0, a.top1(), "argmax must agree at every position");
        assertTrue(a.maxRelativeError() <= 1e-3, "max |Δlogit| / max|logit| = " + a.maxRelativeError());
    }
}
