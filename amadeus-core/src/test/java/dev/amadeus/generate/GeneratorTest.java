package dev.amadeus.generate;

import dev.amadeus.model.KVCache;
import dev.amadeus.model.Model;
import dev.amadeus.model.Transformer;
import dev.amadeus.sampling.Sampler;
import dev.amadeus.sampling.SamplingParams;
import dev.amadeus.tensor.ThreadPool;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The generation loop on the trained stories260K model: token healing and cancellation. */
class GeneratorTest {
    private static Model model;
    private static ThreadPool pool;

    @BeforeAll
    static void load() {
        model = Model.load(SharedData.model("stories260K.gguf"));
        pool = new ThreadPool(2);
    }

    @AfterAll
    static void close() {
        pool.close();
        model.close();
    }

    private static GenerationResult greedy(String prompt, GenerationParams params, java.util.function.BooleanSupplier cancel) {
        Transformer transformer = new Transformer(model.config(), model.weights(), pool);
        Generator generator = new Generator(transformer, model.tokenizer(), new KVCache(model.config(), 128));
        int[] tokens = model.tokenizer().encode(prompt, true, false);
        return generator.generate(tokens, new Sampler(SamplingParams.greedy(), model.config().vocabularySize()),
                params, s -> { }, cancel);
    }

    @Test
    void healedTextStartsWithTheRemovedText() {
        // "gi" ends in the token "i"; healing takes it off and the model continues with the token "ir", not "i"
        String prompt = "Once upon a time there was a little gi";
        int[] tokens = model.tokenizer().encode(prompt, true, false);
        assertEquals(11, tokens.length);
        assertEquals("i", new String(model.tokenizer().tokenBytes(tokens[10], false)));
        GenerationResult healed = greedy(prompt, GenerationParams.maxTokens(12).withTokenHealing(1), () -> false);
        assertEquals("irl named Lily. She loved to play out", healed.text());
        assertEquals("ir", new String(model.tokenizer().tokenBytes(healed.tokens()[0], false)));
        assertEquals(10, healed.promptTokens());

        GenerationResult plain = greedy(prompt, GenerationParams.maxTokens(12), () -> false);
        assertEquals(11, plain.promptTokens());
    }

    @Test
    void dynamicHealingRegeneratesTwoTokens() {
        // [" ha", "p"]: both go, since " happy" starts with " hap"; the answer spells " hap" again first
        String prompt = "The dog was very hap";
        assertEquals(8, model.tokenizer().encode(prompt, true, false).length);
        GenerationResult healed = greedy(prompt, GenerationParams.maxTokens(8).withTokenHealing(TokenHealing.DYNAMIC), () -> false);
        assertEquals(6, healed.promptTokens());
        assertEquals(" happy. He had a big bo", healed.text());
    }

    @Test
    void cancellationStopsBeforeTheNextToken() {
        AtomicInteger asked = new AtomicInteger();
        GenerationResult r = greedy("Once upon a time", GenerationParams.maxTokens(50), () -> asked.incrementAndGet() > 3);
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertEquals(3, r.tokens().length);
        assertEquals(", there was", r.text());
    }
}
