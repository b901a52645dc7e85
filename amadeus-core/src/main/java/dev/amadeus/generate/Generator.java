package dev.amadeus.generate;

import dev.amadeus.AmadeusException;
import dev.amadeus.model.KVCache;
import dev.amadeus.model.Transformer;
import dev.amadeus.sampling.Sampler;
import dev.amadeus.tokenizer.StreamingDecoder;
import dev.amadeus.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Autoregressive generation: evaluates the prompt in batches, then samples one token at a time until
 * an end-of-generation token, a stop string, the token limit or a full context.
 */
public final class Generator {
    private final Transformer transformer;
    private final Tokenizer tokenizer;
    private final KVCache cache;
    /** Built on the first healed generation: its prefix index covers the whole vocabulary. */
    private TokenHealing healing;
    private int shifts;

    public Generator(Transformer transformer, Tokenizer tokenizer, KVCache cache) {
        this.transformer = transformer;
        this.tokenizer = tokenizer;
        this.cache = cache;
    }

    /**
     * Generates from {@code prompt} (evaluated after whatever the cache already holds), streaming text
     * pieces to {@code onText} as soon as they are complete UTF-8 and cannot be part of a stop string. With
     * {@link GenerationParams#tokenHealing()} the prompt's last tokens are not evaluated but regenerated, so the
     * text then starts with theirs.
     */
    public GenerationResult generate(int[] prompt, Sampler sampler, GenerationParams params, Consumer<String> onText) {
        return generate(prompt, sampler, params, onText, () -> false);
    }

    /**
     * Like {@link #generate(int[], Sampler, GenerationParams, Consumer)}, checking {@code cancelled} before each
     * token: once it answers true, generation ends with {@link FinishReason#CANCELLED} and the text so far.
     */
    public GenerationResult generate(int[] prompt, Sampler sampler, GenerationParams params, Consumer<String> onText,
                                     BooleanSupplier cancelled) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt must hold at least one token");
        TokenHealing.Constraint constraint = null;
        if (params.tokenHealing() != 0) {
            if (healing == null) healing = new TokenHealing(tokenizer);
            TokenHealing.Healed healed = healing.heal(prompt, params.tokenHealing());
            prompt = healed.prompt();
            constraint = healed.constraint();
        }
        if (cache.length() + prompt.length > cache.capacity()) {
            throw new AmadeusException("the prompt has " + prompt.length + " tokens but the context holds only "
                    + (cache.capacity() - cache.length()) + " more (context size " + cache.capacity() + "; raise it with -c)");
        }
        for (int t : prompt) sampler.accept(t);

        long t0 = System.nanoTime();
        float[] logits = transformer.forward(cache, prompt, false);
        long t1 = System.nanoTime();

        StreamingDecoder decoder = new StreamingDecoder(tokenizer, false);
        StopStringMatcher stops = new StopStringMatcher(params.stopStrings());
        int[] generated = new int[16];
        int count = 0;
        shifts = 0;
        FinishReason reason;
        while (true) {
            if (params.maxTokens() >= 0 && count >= params.maxTokens()) {
                reason = FinishReason.LENGTH;
                break;
            }
            if (cancelled.getAsBoolean()) {
                reason = FinishReason.CANCELLED;
                break;
            }
            int token;
            if (constraint != null && constraint.active()) {
                token = sampler.sample(constraint.mask(logits));
                constraint.accept(token);
            } else {
                token = sampler.sample(logits);
            }
            sampler.accept(token);
            if (count == generated.length) generated = Arrays.copyOf(generated, count * 2);
            generated[count++] = token;
            if (!params.ignoreEos() && tokenizer.vocabulary().isEndOfGeneration(token)) {
                reason = FinishReason.END_OF_GENERATION;
                break;
            }
            if (stops.append(decoder.accept(token))) {
                reason = FinishReason.STOP_STRING;
                break;
            }
            String visible = stops.releasable();
            if (!visible.isEmpty()) onText.accept(visible);
            if (params.maxTokens() >= 0 && count >= params.maxTokens()) {
                reason = FinishReason.LENGTH;
                break;
            }
            if (cache.length() >= cache.capacity()) {
                if (!params.contextShift()) {
                    reason = FinishReason.CONTEXT_FULL;
                    break;
                }
                shiftContext(params.keep());
            }
            logits = transformer.forward(cache, new int[]{token}, false);
        }
        if (reason != FinishReason.STOP_STRING) {
            stops.append(decoder.finish());
            String rest = stops.flush();
            if (!rest.isEmpty()) onText.accept(rest);
        } else {
            String rest = stops.releasable();
            if (!rest.isEmpty()) onText.accept(rest);
        }
        long t2 = System.nanoTime();
        return new GenerationResult(Arrays.copyOf(generated, count), stops.finalText(), reason, prompt.length, t1 - t0, t2 - t1, shifts);
    }

    /** As llama.cpp: keeps the first {@code keep} positions and drops half of the rest. */
    private void shiftContext(int keep) {
        int n = cache.length(), kept = Math.min(keep, n - 2);
        int discard = (n - kept) / 2;
        transformer.shiftContext(cache, kept, discard);
        shifts++;
    }
}
