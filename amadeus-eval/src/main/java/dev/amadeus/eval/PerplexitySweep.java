package dev.amadeus.eval;

import dev.amadeus.AmadeusException;
import dev.amadeus.model.Model;
import dev.amadeus.model.Transformer;
import dev.amadeus.model.rope.RopeScaling;
import dev.amadeus.tensor.ThreadPool;

import java.util.ArrayList;
import java.util.List;

/**
 * Perplexity of one model over one text for every (scaling method, context length) pair, methods outer.
 * The text is tokenized once; everything that can be wrong (a method name, a text too short for a
 * context) is checked when the sweep is planned, before any evaluation starts.
 */
public final class PerplexitySweep {

    /** One evaluation to run: method, context length and the chunks it will evaluate. */
    public record Point(String method, int contextLength, int chunks) {
        /** Tokens pushed through the model for this point: the progress weight of its chunks. */
        public long work() {
            return (long) chunks * contextLength;
        }
    }

    /** One evaluation's outcome. */
    public record Outcome(Point point, Perplexity.Result result) {
    }

    /** Told after every chunk of every point. */
    public interface Progress {
        void chunkDone(Point point, int done);
    }

    private final Model model;
    private final int[] tokens;
    private final int maxChunks;
    private final List<Point> points = new ArrayList<>();
    private final List<RopeScaling> pointScalings = new ArrayList<>();

    /**
     * Plans the sweep.
     *
     * @param maxChunks chunks per point at most; 0 or less for all the text holds
     * @throws AmadeusException for an unknown method, a context below {@link Perplexity#MIN_CONTEXT} or a
     *                          text shorter than two chunks of the longest context
     */
    public PerplexitySweep(Model model, RopeScalingFactory scalings, List<String> methods, List<Integer> contextLengths,
                           String text, int maxChunks) {
        if (methods.isEmpty()) throw new AmadeusException("no RoPE scaling method given");
        if (contextLengths.isEmpty()) throw new AmadeusException("no context length given");
        this.model = model;
        this.maxChunks = maxChunks;
        for (int ctx : contextLengths) {
            if (ctx < Perplexity.MIN_CONTEXT) {
                throw new AmadeusException("context length must be at least " + Perplexity.MIN_CONTEXT + ", got " + ctx);
            }
        }
        // llama-perplexity tokenizes with add_special = true: BOS when the model adds one.
        this.tokens = model.tokenizer().encode(text, true, false);
        int longest = contextLengths.stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (tokens.length < Perplexity.tokensNeeded(longest)) {
            throw new AmadeusException("the text has only " + tokens.length + " tokens; a context of " + longest
                    + " needs at least " + Perplexity.tokensNeeded(longest) + " (two chunks)");
        }
        for (String method : methods) {
            for (int ctx : contextLengths) {
                pointScalings.add(scalings.create(method, model, ctx));
                points.add(new Point(method, ctx, Perplexity.chunks(tokens.length, ctx, maxChunks)));
            }
        }
    }

    public List<Point> points() {
        return List.copyOf(points);
    }

    /** Tokens of the text, BOS included when the model adds one. */
    public int tokenCount() {
        return tokens.length;
    }

    public List<Outcome> run(ThreadPool pool, Progress progress) {
        int bos = model.tokenizer().vocabulary().addBos() ? model.tokenizer().vocabulary().bos() : -1;
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            Point point = points.get(i);
            Transformer transformer = new Transformer(model.config(), model.weights(), pool, pointScalings.get(i));
            ChunkModel chunkModel = new TransformerChunkModel(transformer, point.contextLength());
            Perplexity.Result r = Perplexity.evaluate(chunkModel, tokens, point.contextLength(), maxChunks, bos,
                    (done, total) -> progress.chunkDone(point, done));
            outcomes.add(new Outcome(point, r));
        }
        return outcomes;
    }
}
