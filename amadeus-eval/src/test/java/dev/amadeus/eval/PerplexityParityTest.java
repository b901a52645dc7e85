package dev.amadeus.eval;

import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.model.Model;
import dev.amadeus.model.Transformer;
import dev.amadeus.model.rope.RopeScaling;
import dev.amadeus.synth.ModelShape;
import dev.amadeus.synth.SyntheticModel;
import dev.amadeus.tensor.GGMLType;
import dev.amadeus.tensor.ThreadPool;
import dev.amadeus.testing.LlamaCpp;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Our perplexity against llama.cpp's, computed the same way from llama.cpp's own logits (through the
 * FFM oracle): same tokens, same chunks with BOS first, second halves scored. Two models (stories260K
 * and a random-weight tiny LLaMA), two context lengths, no scaling and linear scaling by 2.
 */
class PerplexityParityTest {
    private static final int CHUNKS = 3;
    private static final int LLAMA_ROPE_SCALING_TYPE_NONE = 0;
    private static final int LLAMA_ROPE_SCALING_TYPE_LINEAR = 1;
    private static final int LLAMA_ROPE_SCALING_TYPE_YARN = 2;

    @TempDir
    static Path dir;
    static Path synthetic;

    @BeforeAll
    static void writeSyntheticModel() throws IOException {
        synthetic = dir.resolve("tiny-llama-f32.gguf");
        new SyntheticModel(ModelShape.preset("tiny-llama"), GGMLType.F32, 1234,
                SharedData.file("testdata/tokenizer/ggml-vocab-llama-spm.gguf")).write(synthetic);
    }

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String model : List.of("stories260K", "synthetic tiny-llama")) {
            for (int ctx : List.of(128, 256)) {
                for (String method : List.of("none", "linear:2", "yarn:2")) cases.add(Arguments.of(model, ctx, method));
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} ctx {1} {2}")
    @MethodSource("cases")
    void perplexityMatchesLlamaCpp(String modelName, int ctx, String method) throws IOException {
        Path file = modelName.equals("stories260K") ? SharedData.model("stories260K.gguf") : synthetic;
        String text = text();
        Perplexity.Result ours;
        int[] tokens;
        int trained;
        try (Model model = Model.load(file); ThreadPool pool = new ThreadPool(2)) {
            tokens = model.tokenizer().encode(text, true, false);
            trained = model.config().trainedContextLength();
            RopeScaling scaling = new ContextScalings().create(method, model, ctx);
            Transformer t = new Transformer(model.config(), model.weights(), pool, scaling);
            int bos = model.tokenizer().vocabulary().addBos() ? model.tokenizer().vocabulary().bos() : -1;
            ours = Perplexity.evaluate(new TransformerChunkModel(t, ctx), tokens, ctx, CHUNKS, bos, (d, n) -> {
            });
        }

        LlamaCpp.Options options = LlamaCpp.Options.defaults(ctx)
                .withCacheTypes(LlamaCpp.GGML_TYPE_F32, LlamaCpp.GGML_TYPE_F32)
                .withRope(switch (method) {
                    case "none" -> LLAMA_ROPE_SCALING_TYPE_NONE;
                    case "yarn:2" -> LLAMA_ROPE_SCALING_TYPE_YARN;
                    default -> LLAMA_ROPE_SCALING_TYPE_LINEAR;
                }, 0f, method.equals("none") ? 1f : 0.5f);
        // YaRN as our defaults: full extrapolation share, attention factor from the scale, betas 32 and 1, the trained context.
        if (method.startsWith("yarn")) options = options.withYarn(1f, 1f, 32f, 1f, trained);
        NegativeLogLikelihood reference = new NegativeLogLikelihood();
        try (LlamaCpp ref = LlamaCpp.load(file, options)) {
            assertArrayEquals(ref.tokenize(text, true, false), tokens, "tokens");
            int first = ctx / 2;
            for (int c = 0; c < CHUNKS; c++) {
                int[] chunk = java.util.Arrays.copyOfRange(tokens, c * ctx, (c + 1) * ctx);
                chunk[0] = ref.bos();
                float[][] logits = ref.logits(chunk);
                for (int p = first; p < ctx - 1; p++) reference.add(logits[p], 0, logits[p].length, chunk[p + 1]);
            }
        }
        double expected = reference.perplexity();
        System.out.printf("%s ctx %d %s: ours %.6f ± %.6f, llama.cpp %.6f (relative difference %.2e)%n", modelName, ctx, method,
                ours.perplexity(), ours.standardError(), expected, Math.abs(ours.perplexity() / expected - 1));
        assertEquals(CHUNKS, ours.chunks());
        assertEquals(reference.count(), ours.tokensScored());
        assertEquals(expected, ours.perplexity(), expected * 0.005);
        assertEquals(reference.standardError(), ours.standardError(), reference.standardError() * 0.005);
    }

    static String text() throws IOException {
        String book = Files.readString(SharedData.file("corpus/en/pride_and_prejudice_pg1342.txt"), StandardCharsets.UTF_8);
        int start = book.indexOf("It is a truth universally acknowledged");
        return book.substring(start, start + 8000);
    }
}
