package dev.amadeus.server;

import dev.amadeus.generate.FinishReason;
import dev.amadeus.generate.StopStringMatcher;
import dev.amadeus.model.KVCache;
import dev.amadeus.model.Transformer;
import dev.amadeus.sampling.Sampler;
import dev.amadeus.sampling.TokenLogprob;
import dev.amadeus.tokenizer.StreamingDecoder;
import dev.amadeus.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One completion, run a step at a time by the {@link Scheduler}: the first steps evaluate the prompt (a batch of
 * up to {@link Transformer#MAX_BATCH} tokens each), each later one samples a token and evaluates it. The loop
 * follows the engine's {@code Generator} (same stop conditions, same text held back while it could still become
 * a stop string) and posts its progress as {@link GenerationEvent}s to a queue the HTTP handler drains, so a slow
 * client never stalls the model.
 */
final class GenerationJob implements Job {
    private final GenerationRequest request;
    private final Tokenizer tokenizer;
    private final Sampler sampler;
    private final Metrics metrics;
    private final StreamingDecoder decoder;
    private final StopStringMatcher stops;
    final BlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();
    private final long submitted = System.nanoTime();
    private volatile boolean cancelled;
    private float[] logits;
    private int promptDone;
    private int generated;

    GenerationJob(GenerationRequest request, ServedModel model, Metrics metrics) {
        this.request = request;
        this.tokenizer = model.tokenizer;
        this.sampler = new Sampler(request.sampling(), model.vocabularySize());
        this.metrics = metrics;
        this.decoder = new StreamingDecoder(tokenizer, false);
        this.stops = new StopStringMatcher(request.stops());
    }

    void cancel() {
        cancelled = true;
    }

    @Override
    public boolean cancelled() {
        return cancelled;
    }

    @Override
    public void abort(Throwable cause) {
        events.add(new GenerationEvent.Failed(cause));
    }

    @Override
    public boolean step(Transformer transformer, KVCache cache) {
        int[] prompt = request.prompt();
        if (promptDone < prompt.length) {
            // One batch of the prompt per step, so a long prompt does not stall the other requests; the batches
            // are the ones Transformer.forward would cut anyway, so the arithmetic is the same as in one call.
            int end = Math.min(prompt.length, promptDone + Transformer.MAX_BATCH);
            for (int i = promptDone; i < end; i++) sampler.accept(prompt[i]);
            logits = transformer.forward(cache, Arrays.copyOfRange(prompt, promptDone, end), false);
            metrics.promptTokens.addAndGet(end - promptDone);
            promptDone = end;
            return false;
        }
        int token = sampler.sample(logits);
        sampler.accept(token);
        if (generated++ == 0) metrics.timeToFirstToken.observe((System.nanoTime() - submitted) / 1e9);
        metrics.completionTokens.incrementAndGet();
        List<GenerationEvent.TokenProbability> probs = request.topLogprobs() >= 0 ? List.of(probability(token)) : List.of();

        if (tokenizer.vocabulary().isEndOfGeneration(token)) return finish(FinishReason.END_OF_GENERATION, probs);
        if (stops.append(decoder.accept(token))) return finish(FinishReason.STOP_STRING, probs);
        String visible = stops.releasable();
        if (!visible.isEmpty() || !probs.isEmpty()) events.add(new GenerationEvent.Delta(visible, probs));
        if (request.maxTokens() >= 0 && generated >= request.maxTokens()) return finish(FinishReason.LENGTH, List.of());
        if (cache.length() >= cache.capacity()) return finish(FinishReason.CONTEXT_FULL, List.of());
        logits = transformer.forward(cache, new int[]{token}, false);
        return false;
    }

    private boolean finish(FinishReason reason, List<GenerationEvent.TokenProbability> probs) {
        String rest;
        if (reason == FinishReason.STOP_STRING) {
            rest = stops.releasable();
        } else {
            stops.append(decoder.finish());
            rest = stops.flush();
        }
        if (!rest.isEmpty() || !probs.isEmpty()) events.add(new GenerationEvent.Delta(rest, probs));
        events.add(new GenerationEvent.Finished(reason.apiName(), request.prompt().length, generated));
        return true;
    }

    /** The token's log-probability under the model's own distribution (softmax of the raw logits), as llama-server reports by default. */
    private GenerationEvent.TokenProbability probability(int token) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        float logprob = (float) (logits[token] - max - Math.log(sum));
        List<GenerationEvent.TokenProbability> top = new ArrayList<>();
        for (TokenLogprob t : Sampler.topLogprobs(logits, request.topLogprobs())) {
            top.add(piece(t.token(), t.logprob(), List.of()));
        }
        return piece(token, logprob, top);
    }

    private GenerationEvent.TokenProbability piece(int token, float logprob, List<GenerationEvent.TokenProbability> top) {
        byte[] bytes = tokenizer.tokenBytes(token, false);
        return new GenerationEvent.TokenProbability(new String(bytes, StandardCharsets.UTF_8), bytes, logprob, top);
    }
}
