package dev.amadeus.model;

import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.gguf.GGUFWriter;
import dev.amadeus.gguf.MetadataValue;
import dev.amadeus.gguf.TensorInfo;
import dev.amadeus.model.rope.NoScaling;
import dev.amadeus.model.rope.RopeMethod;
import dev.amadeus.model.rope.RopeOptions;
import dev.amadeus.synth.ModelShape;
import dev.amadeus.synth.SyntheticModel;
import dev.amadeus.tensor.GGMLType;
import dev.amadeus.tensor.ThreadPool;
import dev.amadeus.testing.LlamaCpp;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Linear interpolation, YaRN and LongRoPE against llama.cpp's, past the trained context: random-weight F32 models
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
        Path file = synthetic(shapeName, TRAINED);
        compare(file, reference, POSITIONS, (model, pool) -> new Transformer(model.config(), model.weights(), pool, ours), true);
    }

    /**
     * Phi-3's LongRoPE from the file's factor tensors and attention factor. llama.cpp picks the factor set once,
     * by the context size (long when it exceeds the original context); ours follows the sequence length, so
     * within the original context both use the short factors, and with the long set fixed both agree past it.
     */
    @Test
    void longRopeFactorsMatchLlamaCpp() throws IOException {
        int original = 128;
        Path plain = synthetic("tiny-phi3", original);
        Path file = dir.resolve("tiny-phi3-longrope.gguf");
        float[] shortFactors = new float[16], longFactors = new float[16];
        for (int i = 0; i < 16; i++) {
            shortFactors[i] = 1 + 0.03f * i;
            longFactors[i] = (float) Math.pow(1.2, i);
        }
        try (GGUFFile source = GGUFFile.open(plain)) {
            GGUFWriter w = new GGUFWriter();
            source.metadata().forEach(w::put);
            w.put("phi3.rope.scaling.attn_factor", MetadataValue.float32(1.190238f));
            w.put("phi3.rope.scaling.original_context_length", MetadataValue.uint32(original));
            for (TensorInfo t : source.tensors()) w.addTensor(t.name(), t.type(), t.shape(), source.data(t));
            addFloats(w, "rope_factors_short.weight", shortFactors);
            addFloats(w, "rope_factors_long.weight", longFactors);
            w.write(file);
        }
        LlamaCpp.Options base = LlamaCpp.Options.defaults(96).withCacheTypes(LlamaCpp.GGML_TYPE_F32, LlamaCpp.GGML_TYPE_F32);
        compare(file, base, 88, (model, pool) -> new Transformer(model.config(), model.weights(), pool), false);
        LlamaCpp.Options longContext = LlamaCpp.Options.defaults(POSITIONS + 8).withCacheTypes(LlamaCpp.GGML_TYPE_F32, LlamaCpp.GGML_TYPE_F32);
        compare(file, longContext, POSITIONS, (model, pool) -> new Transformer(model.config(), model.weights(), pool,
                RopeScalings.create(model.config(), model.weights(), RopeOptions.FROM_FILE).forLength(Integer.MAX_VALUE)), false);
    }

    private static void addFloats(GGUFWriter w, String name, float[] values) {
        w.addTensor(name, GGMLType.F32, new long[]{values.length}, dest -> {
            for (int i = 0; i < values.length; i++) dest.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, values[i]);
        });
    }

    /** A random-weight F32 model of a preset's shape, with its trained context set to {@code trained}. */
    private static Path synthetic(String shapeName, int trained) throws IOException {
        ModelShape preset = ModelShape.preset(shapeName);
        ModelShape shape = new ModelShape(preset.name() + "-ctx" + trained, preset.architecture(), preset.embeddingLength(),
                preset.layers(), preset.heads(), preset.kvHeads(), preset.headDim(), preset.ropeDims(),
                preset.feedForwardLength(), trained, preset.ropeFreqBase(), preset.rmsNormEps(), preset.tiedOutput(),
                preset.slidingWindow());
        Path file = dir.resolve(shape.name() + ".gguf");
        if (!file.toFile().exists()) {
            new SyntheticModel(shape, GGMLType.F32, 99, SharedData.file(LlamaCppParityTest.vocabularyFor(shapeName))).write(file);
        }
        return file;
    }

    private static void compare(Path file, LlamaCpp.Options reference, int positions,
                                BiFunction<Model, ThreadPool, Transformer> ours, boolean mustDifferFromPlain) {
        float[][] expected;
        int[] tokens;
        try (LlamaCpp ref = LlamaCpp.load(file, reference)) {
            tokens = Arrays.copyOf(ref.tokenize(LlamaCppParityTest.text(), true, false), positions);
            expected = ref.logits(tokens);
        }
        float[] actual, unscaled;
        try (Model model = Model.load(file); ThreadPool pool = new ThreadPool(2)) {
            actual = ours.apply(model, pool).forward(new KVCache(model.config(), positions), tokens, true);
            Transformer plain = new Transformer(model.config(), model.weights(), pool, new NoScaling());
            unscaled = plain.forward(new KVCache(model.config(), positions), tokens, true);
        }
        // The scaling must matter at these lengths, or agreeing would prove nothing.
        double plainError = LlamaCppParityTest.Agreement.measure(expected, unscaled).maxRelativeError();
        assertTrue(plainError > 1e-2, "the scaling changed nothing: unscaled RoPE is within " + plainError);
        LlamaCppParityTest.Agreement a = LlamaCppParityTest.Agreement.measure(expected, actual);
        System.out.printf("%-28s %3d positions, llama.cpp context %3d: top1 %.4f maxRelErr %.3e (unscaled: %.3e)%n",
                file.getFileName(), positions, reference.contextSize(), a.top1(), a.maxRelativeError(), plainError);
        assertEquals(1.0, a.top1(), "argmax must agree at every position");
        assertTrue(a.maxRelativeError() <= 1e-3, "max |Δlogit| / max|logit| = " + a.maxRelativeError());
    }
}
