package dev.amadeus.model;

import dev.amadeus.model.rope.RopeOptions;
import dev.amadeus.model.rope.RopeScaling;
import dev.amadeus.model.rope.RotaryEmbedding;
import dev.amadeus.tensor.MatMul;
import dev.amadeus.tensor.ThreadPool;
import dev.amadeus.tensor.WeightMatrix;

/**
 * The decoder forward pass shared by LLaMA, Qwen2, Phi-3 and Gemma: a stack of pre-norm blocks
 * (attention, then a gated feed-forward network), each added to the residual stream.
 * Tokens are processed in batches: every matrix product runs on all rows of the batch at once.
 */
public final class Transformer {
    /** Largest number of tokens pushed through the layers at once; longer prompts are split. */
    public static final int MAX_BATCH = 256;

    private final ModelConfig c;
    private final ModelWeights w;
    private final ThreadPool pool;
    private final double ropeBase;
    private final boolean ggmlAngles;
    private final RopeScaling scaling;
    private final RotaryEmbedding rope;
    private final BlockedAttention attention;
    /**
     * The largest batch's activations so far, reused by later calls: allocated per call, they outlived young
     * collections within the call and piled up in the old generation (a few hundred MB of RSS over a benchmark).
     * One caller at a time, as for the thread pool.
     */
    private Scratch scratch;

    /** RoPE as the model file declares it. */
    public Transformer(ModelConfig config, ModelWeights weights, ThreadPool pool) {
        this(config, weights, pool, RopeOptions.FROM_FILE);
    }

    /** RoPE as the model file declares it, overridden by {@code rope}. */
    public Transformer(ModelConfig config, ModelWeights weights, ThreadPool pool, RopeOptions rope) {
        this(config, weights, pool, RopeScalings.freqBase(config, rope), RopeScalings.create(config, weights, rope),
                rope.ggmlAngles());
    }

    /** An explicit scaling at the file's RoPE base. */
    public Transformer(ModelConfig config, ModelWeights weights, ThreadPool pool, RopeScaling scaling) {
        this(config, weights, pool, config.ropeFreqBase(), scaling, false);
    }

    private Transformer(ModelConfig config, ModelWeights weights, ThreadPool pool, double ropeBase, RopeScaling scaling,
                        boolean ggmlAngles) {
        this.c = config;
        this.w = weights;
        this.pool = pool;
        this.ropeBase = ropeBase;
        this.ggmlAngles = ggmlAngles;
        this.scaling = scaling;
        this.rope = ropeWith(scaling);
        this.attention = new BlockedAttention(config, pool);
    }

    private RotaryEmbedding ropeWith(RopeScaling s) {
        return new RotaryEmbedding(c.headDim(), c.ropeDims(), c.architecture().neoxRope, ropeBase, s, ggmlAngles);
    }

    /**
     * Whether keys are cached unrotated and rotated as they are read. With a scaling whose frequencies
     * depend on the sequence length (dynamic NTK), the query at position p and every key it sees are rotated
     * with {@code scaling.forLength(p + 1)}. Rotating keys once when written would fix each key to the
     * scaling of its own time (HF's behaviour: a prompt evaluated in one batch and token by token then
     * disagree); re-rotating the cached keys whenever the length grows would turn each step's rounding into
     * drift and compound the scale. Rotating on read costs a rotation per key and query, and is exact.
     */
    public boolean rotatesKeysOnRead() {
        return scaling.dependsOnLength();
    }

    /** The rotary embedding applied to queries and keys. */
    public RotaryEmbedding rope() {
        return rope;
    }

    public ModelConfig config() {
        return c;
    }

    public ThreadPool pool() {
        return pool;
    }

    /**
     * Runs {@code tokens} at the next positions of {@code cache}, appends their keys and values, and
     * returns logits: of the last token only ([vocab]), or of every token ([n × vocab]) when {@code allLogits}.
     */
    public float[] forward(KVCache cache, int[] tokens, boolean allLogits) {
        int n = tokens.length;
        if (n == 0) throw new IllegalArgumentException("no tokens to evaluate");
        if (cache.length() + n > cache.capacity()) {
            throw new dev.amadeus.AmadeusException("context is full: " + cache.length() + " + " + n
                    + " tokens exceed the context size of " + cache.capacity());
        }
        int vocab = c.vocabularySize();
        float[] logits = new float[(allLogits ? n : 1) * vocab];
        for (int start = 0; start < n; start += MAX_BATCH) {
            int count = Math.min(MAX_BATCH, n - start);
            int[] batch = java.util.Arrays.copyOfRange(tokens, start, start + count);
            boolean lastBatch = start + count == n;
            float[] out = forwardBatch(cache, batch, allLogits || lastBatch, allLogits);
            if (allLogits) {
                System.arraycopy(out, 0, logits, start * vocab, count * vocab);
            } else if (lastBatch) {
                System.arraycopy(out, 0, logits, 0, vocab);
            }
        }
        return logits;
    }

    /**
     * Runs {@code tokens} at the next positions of {@code cache} like {@link #forward} and returns the final
     * hidden state of each token after the output norm ([n × embedding length]): the vectors llama.cpp pools
     * into embeddings.
     */
    public float[] hiddenStates(KVCache cache, int[] tokens) {
        int n = tokens.length, e = c.embeddingLength();
        if (n == 0) throw new IllegalArgumentException("no tokens to evaluate");
        if (cache.length() + n > cache.capacity()) {
            throw new dev.amadeus.AmadeusException("context is full: " + cache.length() + " + " + n
                    + " tokens exceed the context size of " + cache.capacity());
        }
        float[] normed = new float[n * e];
        for (int start = 0; start < n; start += MAX_BATCH) {
            int count = Math.min(MAX_BATCH, n - start);
            float[] x = layers(cache, java.util.Arrays.copyOfRange(tokens, start, start + count));
            for (int i = 0; i < count; i++) {
                VectorOps.rmsNorm(normed, (start + i) * e, x, i * e, w.outputNorm(), e, c.rmsNormEps());
            }
        }
        return normed;
    }

    /**
     * llama.cpp's context shift: keeps the first {@code keep} positions, drops the next {@code discard}, and
     * moves the rest down, rotating their keys back by {@code discard} positions: a pure rotation, without
     * the attention factor (applying that again would compound it at every shift). Keys rotated on read
     * are only moved.
     */
    public void shiftContext(KVCache cache, int keep, int discard) {
        if (rotatesKeysOnRead()) {
            cache.shift(keep, discard, null);
            return;
        }
        float[] cosSin = new float[2 * rope.pairs()];
        rope.rotationAngles(-discard, cosSin);
        cache.shift(keep, discard, key -> rope.rotate(key, 0, c.kvHeads(), cosSin));
    }

    private float[] forwardBatch(KVCache cache, int[] tokens, boolean wantLogits, boolean allLogits) {
        int n = tokens.length, e = c.embeddingLength();
        float[] x = layers(cache, tokens);
        if (!wantLogits) return null;

        int rows = allLogits ? n : 1, first = allLogits ? 0 : n - 1;
        float[] normed = new float[rows * e];
        for (int i = 0; i < rows; i++) {
            VectorOps.rmsNorm(normed, i * e, x, (first + i) * e, w.outputNorm(), e, c.rmsNormEps());
        }
        float[] logits = new float[rows * c.vocabularySize()];
        MatMul.matMul(w.output(), normed, rows, logits, pool);
        if (c.finalSoftCap() > 0) softCap(logits, c.finalSoftCap());
        return logits;
    }

    /** The residual stream after every block for a batch of tokens, whose keys and values join the cache. */
    private float[] layers(KVCache cache, int[] tokens) {
        int n = tokens.length, e = c.embeddingLength(), start = cache.length();
        float[] x = new float[n * e];
        for (int i = 0; i < n; i++) {
            w.tokenEmbedding().dequantizeRow(checkToken(tokens[i]), x, i * e);
        }
        if (c.architecture().scaleEmbeddings) {
            float s = (float) Math.sqrt(e);
            for (int i = 0; i < x.length; i++) x[i] *= s;
        }
        if (scratch == null || scratch.capacity < n) scratch = new Scratch(c, n);
        Scratch s = scratch;
        s.n = n;
        s.ropes = null;
        if (rotatesKeysOnRead()) {
            s.ropes = new RotaryEmbedding[n];
            for (int i = 0; i < n; i++) s.ropes[i] = ropeWith(scaling.forLength(start + i + 1));
        }
        for (int l = 0; l < c.layers(); l++) {
            attentionBlock(l, cache, start, x, s);
            feedForwardBlock(l, x, s);
        }
        cache.setLength(start + n);
        return x;
    }

    /** x += Wo · attention(rope(Wq·h), rope(Wk·h), Wv·h), h = norm(x). */
    private void attentionBlock(int l, KVCache cache, int start, float[] x, Scratch s) {
        ModelWeights.Layer lw = w.layers()[l];
        int n = s.n, e = c.embeddingLength(), qd = c.queryDim(), kd = c.kvDim(), vd = c.kvValueDim();
        eachRow(n, i -> VectorOps.rmsNorm(s.h, i * e, x, i * e, lw.attnNorm(), e, c.rmsNormEps()));

        if (lw.qkv() != null) {
            float[] qkv = s.qkv(qd + kd + vd);
            MatMul.matMul(lw.qkv(), s.h, n, qkv, pool);
            for (int i = 0; i < n; i++) {
                int row = i * (qd + kd + vd);
                System.arraycopy(qkv, row, s.q, i * qd, qd);
                System.arraycopy(qkv, row + qd, s.k, i * kd, kd);
                System.arraycopy(qkv, row + qd + kd, s.v, i * vd, vd);
            }
        } else {
            linearAll(new WeightMatrix[]{lw.wq(), lw.wk(), lw.wv()}, new float[][]{lw.bq(), lw.bk(), lw.bv()}, s.h, n,
                    new float[][]{s.q, s.k, s.v});
        }

        pool.parallelFor(n, (i0, i1) -> {
            float[] cosSin = new float[2 * rope.pairs()];
            for (int i = i0; i < i1; i++) {
                RotaryEmbedding r = s.ropes != null ? s.ropes[i] : rope;
                r.angles(start + i, cosSin);
                r.rotate(s.q, i * qd, c.heads(), cosSin);
                if (c.architecture().scaleQueries) {
                    for (int j = i * qd; j < (i + 1) * qd; j++) s.q[j] *= c.queryScale();
                }
                if (s.ropes == null) r.rotate(s.k, i * kd, c.kvHeads(), cosSin);
            }
        });
        for (int i = 0; i < n; i++) {
            cache.writeKey(l, start + i, s.k, i * kd);
            cache.writeValue(l, start + i, s.v, i * vd);
        }

        attention.run(l, cache, start, n, s.q, s.attn, s.ropes);
        float[] o = s.o;
        linear(lw.wo(), lw.bo(), s.attn, n, o);
        if (lw.postAttnNorm() != null) {
            eachRow(n, i -> VectorOps.rmsNorm(o, i * e, o, i * e, lw.postAttnNorm(), e, c.rmsNormEps()));
        }
        eachRow(n, i -> VectorOps.addInPlace(x, i * e, o, i * e, e));
    }

    /** x += down(act(gate·h) ⊙ up·h), h = norm(x); act is SiLU (SwiGLU) or tanh-GELU (GeGLU). */
    private void feedForwardBlock(int l, float[] x, Scratch s) {
        ModelWeights.Layer lw = w.layers()[l];
        int n = s.n, e = c.embeddingLength(), ff = c.feedForwardLength();
        eachRow(n, i -> VectorOps.rmsNorm(s.h, i * e, x, i * e, lw.ffnNorm(), e, c.rmsNormEps()));
        float[] gate = s.gate, up = s.up;
        if (lw.gate() == null) {
            float[] fused = s.fusedGateUp(ff);
            MatMul.matMul(lw.up(), s.h, n, fused, pool);
            for (int i = 0; i < n; i++) {
                System.arraycopy(fused, i * 2 * ff, gate, i * ff, ff);
                System.arraycopy(fused, i * 2 * ff + ff, up, i * ff, ff);
            }
        } else {
            linearAll(new WeightMatrix[]{lw.gate(), lw.up()}, new float[2][], s.h, n, new float[][]{gate, up});
        }
        if (c.architecture().geluFfn) {
            for (int i = 0; i < n * ff; i++) gate[i] = VectorOps.gelu(gate[i]) * up[i];
        } else {
            // Parts of whole eights, so that every element takes the same exponential as in a whole-row call.
            eachRowInParts(n, ff, 8, (i, from, to) -> VectorOps.swiGlu(gate, up, i * ff + from, to - from));
        }
        float[] f = s.o;
        MatMul.matMul(lw.down(), gate, n, f, pool);
        if (lw.postFfnNorm() != null) {
            eachRow(n, i -> VectorOps.rmsNorm(f, i * e, f, i * e, lw.postFfnNorm(), e, c.rmsNormEps()));
        }
        eachRow(n, i -> VectorOps.addInPlace(x, i * e, f, i * e, e));
    }

    /** Runs a row-wise step over the batch's rows on the pool's threads (a single row on the caller's). */
    private void eachRow(int n, java.util.function.IntConsumer step) {
        pool.parallelFor(n, (i0, i1) -> {
            for (int i = i0; i < i1; i++) step.accept(i);
        });
    }

    /**
     * Runs a step that works on parts of a row over the batch's rows; with fewer rows than threads (decoding), each
     * row is cut into one part per thread, of whole multiples of {@code unit} elements, so that the other cores
     * work too instead of waiting for the next matrix product.
     */
    private void eachRowInParts(int n, int length, int unit, RowPart step) {
        if (n >= pool.threads()) {
            eachRow(n, i -> step.run(i, 0, length));
            return;
        }
        int units = Math.ceilDiv(length, unit);
        pool.parallelFor(units, (u0, u1) -> {
            for (int i = 0; i < n; i++) step.run(i, u0 * unit, Math.min(length, u1 * unit));
        });
    }

    @FunctionalInterface
    private interface RowPart {
        void run(int row, int from, int to);
    }

    private void linear(WeightMatrix m, float[] bias, float[] in, int n, float[] out) {
        MatMul.matMul(m, in, n, out, pool);
        if (bias != null) {
            for (int i = 0; i < n; i++) VectorOps.addInPlace(out, i * m.rows(), bias, 0, m.rows());
        }
    }

    /** {@link #linear} for matrices that share their input, in one parallel pass when their types allow it. */
    private void linearAll(WeightMatrix[] ms, float[][] biases, float[] in, int n, float[][] outs) {
        if (MatMul.canShareActivations(ms)) {
            MatMul.matMulAll(ms, in, n, outs, pool);
        } else {
            for (int i = 0; i < ms.length; i++) MatMul.matMul(ms[i], in, n, outs[i], pool);
        }
        for (int i = 0; i < ms.length; i++) {
            if (biases[i] == null) continue;
            for (int t = 0; t < n; t++) VectorOps.addInPlace(outs[i], t * ms[i].rows(), biases[i], 0, ms[i].rows());
        }
    }

    private static void softCap(float[] v, float cap) {
        // As llama.cpp's graph: scale by 1/cap, tanh, scale by cap.
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.tanh(v[i] * (1f / cap)) * cap;
    }

    private int checkToken(int token) {
        if (token < 0 || token >= c.vocabularySize()) {
            throw new dev.amadeus.AmadeusException("token id " + token + " is outside the vocabulary (size " + c.vocabularySize() + ")");
        }
        return token;
    }

    /** Per-batch activations for up to {@code capacity} tokens, reused by every layer and later calls. */
    private static final class Scratch {
        final int capacity;
        /** Tokens of the current batch. */
        int n;
        final float[] h, q, k, v, attn, o, gate, up;
        /** Fused projections' outputs (Phi-3), allocated at first use. */
        private float[] qkv, fusedGateUp;
        /** Per token, the embedding that rotates its query and the keys it reads; null when keys are cached rotated. */
        RotaryEmbedding[] ropes;

        Scratch(ModelConfig c, int n) {
            this.capacity = n;
            this.n = n;
            h = new float[n * c.embeddingLength()];
            q = new float[n * c.queryDim()];
            k = new float[n * c.kvDim()];
            v = new float[n * c.kvValueDim()];
            attn = new float[n * c.heads() * c.valueHeadDim()];
            o = new float[n * c.embeddingLength()];
            gate = new float[n * c.feedForwardLength()];
            up = new float[n * c.feedForwardLength()];
        }

        float[] qkv(int width) {
            if (qkv == null) qkv = new float[capacity * width];
            return qkv;
        }

        float[] fusedGateUp(int ff) {
            if (fusedGateUp == null) fusedGateUp = new float[capacity * 2 * ff];
            return fusedGateUp;
        }
    }
}
