package dev.amadeus.chat;

import dev.amadeus.model.KVCache;
import dev.amadeus.model.Model;
import dev.amadeus.model.Transformer;
import dev.amadeus.sampling.SamplingParams;
import dev.amadeus.tensor.ThreadPool;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The conversation bookkeeping of a chat session on stories260K (greedy, short answers). */
class ChatSessionTest {
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

    private static ChatSession session(int context) {
        Transformer transformer = new Transformer(model.config(), model.weights(), pool);
        return new ChatSession(transformer, model.tokenizer(), new KVCache(model.config(), context),
                ChatTemplates.resolve(model, null), SamplingParams.greedy(), 8);
    }

    @Test
    void systemPromptStaysFirstAndSurvivesReset() {
        ChatSession s = session(512);
        s.answer("Hello", t -> { }, () -> false);
        s.setSystem("Be kind");
        s.setSystem("Be brief");
        assertEquals(List.of("system", "user", "assistant"), s.messages().stream().map(ChatMessage::role).toList());
        assertEquals("Be brief", s.messages().getFirst().content());
        s.reset();
        assertEquals(List.of(ChatMessage.system("Be brief")), s.messages());
        s.setSystem("");
        assertEquals(List.of(), s.messages());
    }

    @Test
    void droppingRemovesWholeTurnsOldestFirst() {
        ChatSession s = session(96);
        s.setSystem("Be kind");
        List<Integer> dropped = new ArrayList<>();
        s.onDrop(dropped::add);
        for (String text : List.of("One", "Two", "Three", "Four")) s.answer(text, t -> { }, () -> false);
        List<ChatMessage> m = s.messages();
        assertEquals("system", m.getFirst().role());
        assertEquals("user", m.get(1).role()); // the conversation still opens with a user turn
        assertEquals("Four", m.get(m.size() - 2).content());
        int total = dropped.stream().mapToInt(Integer::intValue).sum();
        assertEquals(1 + 4 * 2, m.size() + total);
        assertEquals(0, total % 2);
    }

    @Test
    void streamedTextIsTheAnswerStored() {
        ChatSession s = session(512);
        StringBuilder streamed = new StringBuilder();
        ChatSession.Turn turn = s.answer("Hello", streamed::append, () -> false);
        assertEquals(8, turn.generation().tokens().length);
        assertEquals(ChatMessage.assistant(streamed.toString()), s.messages().getLast());
    }

    @Test
    void cancelDuringALongPromptStopsBetweenBatchesAndKeepsWhatWasEvaluated() {
        ChatSession s = session(2048);
        String longMessage = "Once upon a time there was a little girl named Lily. ".repeat(60); // more than two batches of tokens
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        ChatSession.Turn cancelled = s.answer(longMessage, t -> { }, () -> asked.incrementAndGet() > 1);
        assertEquals(dev.amadeus.generate.FinishReason.CANCELLED, cancelled.generation().finishReason());
        assertEquals(0, cancelled.generation().tokens().length);
        assertEquals(Transformer.MAX_BATCH, cancelled.evaluatedTokens());
        assertEquals(ChatMessage.assistant(""), s.messages().getLast());

        // The next turn starts from the batch already in the cache.
        ChatSession.Turn next = s.answer("Hi", t -> { }, () -> false);
        assertEquals(Transformer.MAX_BATCH, next.reusedTokens());
        assertEquals(next.promptTokens() - Transformer.MAX_BATCH, next.evaluatedTokens());
    }
}
