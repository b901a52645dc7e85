package dev.amadeus.chat;

import dev.amadeus.AmadeusException;
import dev.amadeus.generate.FinishReason;
import dev.amadeus.generate.GenerationParams;
import dev.amadeus.generate.GenerationResult;
import dev.amadeus.generate.Generator;
import dev.amadeus.model.KVCache;
import dev.amadeus.model.Transformer;
import dev.amadeus.sampling.Sampler;
import dev.amadeus.sampling.SamplingParams;
import dev.amadeus.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * A conversation with a model, turn by turn. Each turn renders the whole conversation with the chat template
 * and tokenizes it; the KV cache keeps the longest token prefix this shares with what the cache already holds,
 * so only the rest is evaluated (normally just the new user turn). When the conversation no longer fits the
 * context with room for an answer, the oldest turns are dropped; the system prompt always stays.
 *
 * <p>Not thread-safe, except that {@code cancelled} may be flipped from another thread during {@link #answer}.
 */
public final class ChatSession {
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final KVCache cache;
    private final Transformer transformer;
    private final Generator generator;
    private final int vocabularySize;
    private final List<ChatMessage> messages = new ArrayList<>();
    /** The tokens whose keys and values the cache holds, in order; only the first cache.length() count. */
    private int[] cachedTokens = new int[0];
    private SamplingParams sampling;
    private int maxTokens;
    private IntConsumer onDrop = n -> { };

    public ChatSession(Transformer transformer, Tokenizer tokenizer, KVCache cache, ChatTemplate template,
                       SamplingParams sampling, int maxTokens) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.cache = cache;
        this.transformer = transformer;
        this.generator = new Generator(transformer, tokenizer, cache);
        this.vocabularySize = transformer.config().vocabularySize();
        this.sampling = Objects.requireNonNull(sampling);
        this.maxTokens = maxTokens;
        cache.clear();
    }

    /** What one turn did. */
    public record Turn(GenerationResult generation, int promptTokens, int reusedTokens, int evaluatedTokens,
                       int droppedMessages) {
    }

    /** Called with the number of messages dropped whenever a full context forces dropping, before the answer starts. */
    public void onDrop(IntConsumer listener) {
        this.onDrop = Objects.requireNonNull(listener);
    }

    /** The conversation so far, system prompt first when there is one. */
    public List<ChatMessage> messages() {
        return List.copyOf(messages);
    }

    /** Replaces the conversation (e.g. one loaded from a file); the cache is kept for whatever prefix still matches. */
    public void setMessages(List<ChatMessage> conversation) {
        messages.clear();
        messages.addAll(conversation);
    }

    /** Sets (or with null or "", removes) the system prompt, which is always the first message. */
    public void setSystem(String text) {
        if (!messages.isEmpty() && messages.getFirst().role().equals("system")) messages.removeFirst();
        if (text != null && !text.isEmpty()) messages.addFirst(ChatMessage.system(text));
    }

    /** Forgets every turn except the system prompt. */
    public void reset() {
        messages.removeIf(m -> !m.role().equals("system"));
    }

    public SamplingParams sampling() {
        return sampling;
    }

    public void setSampling(SamplingParams sampling) {
        this.sampling = Objects.requireNonNull(sampling);
    }

    /** Most tokens per answer; -1 = until end of generation or a full context. */
    public int maxTokens() {
        return maxTokens;
    }

    public void setMaxTokens(int maxTokens) {
        this.maxTokens = maxTokens;
    }

    /**
     * Adds the user's message, answers it (streaming the text to {@code onText}) and adds the answer, also a
     * cancelled or cut-off one, to the conversation.
     *
     * @throws AmadeusException when even the system prompt and this message alone leave no room for an answer;
     *                          the conversation is then unchanged
     */
    public Turn answer(String userText, Consumer<String> onText, BooleanSupplier cancelled) {
        messages.add(ChatMessage.user(userText));
        int dropped = 0;
        int[] prompt = promptTokens();
        while (prompt.length + answerRoom() > cache.capacity()) {
            int removed = dropOldestTurn();
            if (removed == 0) {
                messages.removeLast();
                throw new AmadeusException("the conversation needs " + prompt.length + " tokens plus " + answerRoom()
                        + " for the answer but the context holds " + cache.capacity() + " (raise it with -c)");
            }
            dropped += removed;
            prompt = promptTokens();
        }

        if (dropped > 0) onDrop.accept(dropped);

        int reused = Math.min(commonPrefix(prompt, cachedTokens, cache.length()), prompt.length - 1);
        cache.setLength(reused);
        cachedTokens = Arrays.copyOf(prompt, reused);
        // A long prompt is evaluated batch by batch here, so that a cancel need not wait for all of it.
        int start = reused;
        while (prompt.length - start > Transformer.MAX_BATCH) {
            if (cancelled.getAsBoolean()) {
                GenerationResult none = new GenerationResult(new int[0], "", FinishReason.CANCELLED, 0, 0, 0, 0);
                messages.add(ChatMessage.assistant(""));
                return new Turn(none, prompt.length, reused, start - reused, dropped);
            }
            transformer.forward(cache, Arrays.copyOfRange(prompt, start, start + Transformer.MAX_BATCH), false);
            start += Transformer.MAX_BATCH;
            cachedTokens = Arrays.copyOf(prompt, start);
        }
        Sampler sampler = new Sampler(sampling, vocabularySize);
        for (int i = 0; i < start; i++) sampler.accept(prompt[i]);
        int[] rest = Arrays.copyOfRange(prompt, start, prompt.length);
        GenerationResult result = generator.generate(rest, sampler, GenerationParams.maxTokens(maxTokens), onText, cancelled);

        // The cache now holds the prompt and every generated token but the last, which was never evaluated.
        int[] held = Arrays.copyOf(prompt, prompt.length + result.tokens().length);
        System.arraycopy(result.tokens(), 0, held, prompt.length, result.tokens().length);
        cachedTokens = Arrays.copyOf(held, cache.length());
        messages.add(ChatMessage.assistant(result.text()));
        return new Turn(result, prompt.length, reused, prompt.length - reused, dropped);
    }

    /** Room kept free for the answer: a quarter of the context, or less when answers are capped lower. */
    private int answerRoom() {
        int quarter = Math.max(1, cache.capacity() / 4);
        return maxTokens >= 0 ? Math.min(quarter, maxTokens + 1) : quarter;
    }

    /**
     * Drops the oldest non-system message and what follows it up to the next user message, so the conversation
     * still starts with a user turn; the message being answered (the last) is never dropped. Returns how many went.
     */
    private int dropOldestTurn() {
        int first = !messages.isEmpty() && messages.getFirst().role().equals("system") ? 1 : 0;
        int last = messages.size() - 1;
        if (first >= last) return 0;
        int end = first + 1;
        while (end < last && !messages.get(end).role().equals("user")) end++;
        messages.subList(first, end).clear();
        return end - first;
    }

    /** The rendered conversation with the opening of the assistant's turn, as tokens, BOS first if the model wants it. */
    private int[] promptTokens() {
        String text = template.render(messages, true);
        int[] tokens = tokenizer.encode(text, false, true);
        int bos = tokenizer.vocabulary().bos();
        // A template may write the BOS text itself; it is then not added twice.
        if (tokenizer.vocabulary().addBos() && bos >= 0 && (tokens.length == 0 || tokens[0] != bos)) {
            int[] withBos = new int[tokens.length + 1];
            withBos[0] = bos;
            System.arraycopy(tokens, 0, withBos, 1, tokens.length);
            tokens = withBos;
        }
        if (tokens.length == 0) throw new AmadeusException("the chat template rendered the conversation as nothing");
        return tokens;
    }

    private static int commonPrefix(int[] a, int[] b, int limit) {
        int n = Math.min(Math.min(a.length, b.length), limit);
        int i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }
}
