package dev.amadeus.model;

import dev.amadeus.model.rope.RotaryEmbedding;
import dev.amadeus.tensor.ThreadPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal (optionally sliding-window) attention of new tokens over the {@link KVCache}, in blocks of
 * {@value #BLOCK} cached positions with an online softmax normalizer: no buffer grows with the context.
 * A first pass over the blocks keeps, per (token, head), a running maximum of the scores and a running
 * sum of exponentials, rescaled by {@code exp(old max - new max)} when a block raises the maximum. A
 * second pass recomputes the scores and adds the values weighted by the normalized probabilities. Where
 * the maximum rose after the first block, a pass in between recomputes the sum with the final maximum,
 * because the rescaled sum is off from llama.cpp's by float roundings.
 * <p>
 * Why two passes rather than flash attention's single one (rescaling the weighted values instead of
 * normalizing first): llama.cpp normalizes the probabilities before the value product and, with an F16
 * value cache (the default), rounds them to f16 there. Reproducing that needs the final sum first; a
 * single pass is off by those roundings (about 1e-4 relative), and with quantized weights they move
 * activations across 8-bit rounding steps, enough to flip 2% of next-token argmaxes against llama.cpp.
 * The price is computing query·key two or three times.
 * <p>
 * A job is a tile of consecutive tokens and one KV head: each block of keys and values is decoded once
 * per pass and used by every query head of the group and every token of the tile.
 * <p>
 * The arithmetic is llama.cpp's: query·key in the order of ggml's {@code ggml_vec_dot_f32} for an F32
 * cache and of tinyBLAS (eight lanes over the head, fused multiply-adds, {@link VectorOps#hsum8}) with the
 * query rounded to f16 (or Q8_0) for the other types; exponentials by ggml's approximation; the sum by
 * aligned groups of eight positions added in double; values weighted in eight lanes by position modulo 8.
 */
final class BlockedAttention {
    /** Cached positions per block; a multiple of eight, so no group of eight straddles two blocks. */
    static final int BLOCK = 64;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final int ONE_BITS = Float.floatToRawIntBits(1f);
    /** Passes over the blocks: running max and sum; exact sums where the max rose; weighted values. */
    private static final int NORMALIZE = 0, RESUM = 1, WEIGH = 2;

    private final ModelConfig c;
    private final ThreadPool pool;
    /** The rounded queries of the current call, kept between calls (one call at a time, as for the pool). */
    private float[] queries = new float[0];

    BlockedAttention(ModelConfig config, ThreadPool pool) {
        this.c = config;
        this.pool = pool;
    }

    /**
     * Attention of {@code n} tokens at positions {@code start..start+n-1} (their keys and values already in
     * {@code cache}) into {@code out} ([n × heads × valueHeadDim]). {@code q} holds rotated, scaled queries.
     * {@code keyRopes}, when not null, rotates cached keys as they are read, one embedding per token.
     */
    void run(int layer, KVCache cache, int start, int n, float[] q, float[] out, RotaryEmbedding[] keyRopes) {
        int heads = c.heads(), kvHeads = c.kvHeads(), hd = c.headDim(), qd = c.queryDim();
        // The n tokens' queries only (q may be a larger scratch array), rounded as the cache type wants them.
        if (queries.length < n * qd) queries = new float[n * qd];
        float[] query = queries;
        System.arraycopy(q, 0, query, 0, n * qd);
        for (int i = 0; i < n * heads; i++) cache.keyType().roundQuery(query, i * hd, hd);
        int tile = keyRopes != null ? 1 : Math.clamp((long) n * kvHeads / (4L * pool.threads()), 1, 16);
        int tiles = (n + tile - 1) / tile;
        pool.parallelFor(tiles * kvHeads, (from, to) -> {
            Worker w = new Worker(layer, cache, start, query, out, keyRopes, tile);
            for (int job = from; job < to; job++) {
                int r0 = (job / kvHeads) * tile;
                w.run(r0, Math.min(n, r0 + tile), job % kvHeads);
            }
        });
    }

    /** One thread's scratch: a decoded block of keys and values, and the running state of a tile. */
    private final class Worker {
        final int layer, start, hd, vhd, group, qd, window;
        final KVCache cache;
        final float[] q, out;
        final RotaryEmbedding[] keyRopes;
        final float scale, cap;
        final boolean f32Order, roundWeights;
        final float[] keys, values, scores, cosSin, lanes = new float[8], fourLanes = new float[32];
        final float[] max, acc;
        final double[] sum;
        final boolean[] rescaled;

        Worker(int layer, KVCache cache, int start, float[] q, float[] out, RotaryEmbedding[] keyRopes, int tile) {
            this.layer = layer;
            this.cache = cache;
            this.start = start;
            this.q = q;
            this.out = out;
            this.keyRopes = keyRopes;
            this.hd = c.headDim();
            this.vhd = c.valueHeadDim();
            this.group = c.groupSize();
            this.qd = c.queryDim();
            this.window = c.slidingWindow()[layer];
            this.scale = c.architecture().scaleQueries ? 1f : c.queryScale();
            this.cap = c.attnSoftCap();
            // llama.cpp multiplies an F32 cache with ggml's own dot product and the others with tinyBLAS.
            this.f32Order = cache.keyType() == KVCacheType.F32 || hd % 8 != 0;
            // ...and converts the probabilities to f16 before multiplying them with an F16 value cache.
            this.roundWeights = cache.valueType() == KVCacheType.F16;
            keys = new float[BLOCK * hd];
            values = new float[BLOCK * vhd];
            scores = new float[BLOCK];
            cosSin = keyRopes != null ? new float[2 * keyRopes[0].pairs()] : null;
            max = new float[tile * group];
            sum = new double[tile * group];
            rescaled = new boolean[tile * group];
            acc = new float[tile * group * 8 * vhd];
        }

        int first(int position) {
            return window > 0 ? Math.max(0, position - window + 1) : 0;
        }

        void run(int r0, int r1, int kvh) {
            java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
            java.util.Arrays.fill(sum, 0);
            java.util.Arrays.fill(acc, 0f);
            java.util.Arrays.fill(rescaled, false);
            for (int pass = NORMALIZE; pass <= WEIGH; pass++) {
                if (pass == RESUM) {
                    boolean any = false;
                    for (int i = 0; i < sum.length; i++) {
                        if (rescaled[i]) sum[i] = 0;
                        any |= rescaled[i];
                    }
                    if (!any) continue;
                }
                boolean weigh = pass == WEIGH;
                if (weigh) {
                    for (int i = 0; i < sum.length; i++) sum[i] = 1.0 / sum[i];
                }
                int lo = first(start + r0), hi = start + r1 - 1;
                for (int b0 = lo - Math.floorMod(lo, BLOCK); b0 <= hi; b0 += BLOCK) {
                    int from = Math.max(b0, lo), to = Math.min(b0 + BLOCK - 1, hi);
                    for (int t = from; t <= to; t++) {
                        cache.readKey(layer, t, kvh * hd, hd, keys, (t - from) * hd);
                        if (weigh) cache.readValue(layer, t, kvh * vhd, vhd, values, (t - from) * vhd);
                        if (keyRopes != null) {
                            keyRopes[r0].angles(t, cosSin);
                            keyRopes[r0].rotate(keys, (t - from) * hd, 1, cosSin);
                        }
                    }
                    for (int r = r0; r < r1; r++) {
                        int p = start + r;
                        int rFrom = Math.max(from, first(p)), rTo = Math.min(to, p);
                        if (rFrom > rTo) continue;
                        for (int g = 0; g < group; g++) {
                            int state = (r - r0) * group + g, qOff = r * qd + (kvh * group + g) * hd;
                            if (weigh) weigh(state, qOff, from, rFrom, rTo);
                            else if (pass == NORMALIZE || rescaled[state]) normalizer(state, qOff, from, rFrom, rTo);
                        }
                    }
                }
            }
            for (int r = r0; r < r1; r++) {
                for (int g = 0; g < group; g++) {
                    int base = ((r - r0) * group + g) * 8 * vhd;
                    int o = r * c.heads() * vhd + (kvh * group + g) * vhd;
                    for (int d = 0; d < vhd; d++) {
                        for (int lane = 0; lane < 8; lane++) lanes[lane] = acc[base + lane * vhd + d];
                        out[o + d] = VectorOps.hsum8(lanes, 0);
                    }
                }
            }
        }

        /** Scaled (and capped) scores of positions {@code rFrom..rTo} of the decoded block into {@code scores}; returns their maximum. */
        float scores(int qOff, int from, int rFrom, int rTo) {
            int count = rTo - rFrom + 1, k0 = rFrom - from, i = 0;
            if (!f32Order) {
                for (; i + 4 <= count; i += 4) dotLanes4(q, qOff, keys, (k0 + i) * hd, hd, scores, i, fourLanes);
            }
            for (; i < count; i++) {
                int kOff = (k0 + i) * hd;
                scores[i] = f32Order ? dotF32(q, qOff, keys, kOff, hd) : dotLanes(q, qOff, keys, kOff, hd);
            }
            float blockMax = Float.NEGATIVE_INFINITY;
            for (i = 0; i < count; i++) {
                float score = scores[i] * scale;
                if (cap > 0) score = (float) Math.tanh(score * (1f / cap)) * cap;
                scores[i] = score;
                blockMax = Math.max(blockMax, score);
            }
            return blockMax;
        }

        /**
         * First pass: the running maximum and sum of exponentials, the sum rescaled when the maximum rises.
         * Such a sum differs from llama.cpp's (exponentials rounded relative to the final maximum) by float
         * roundings, which f16 rounding of the probabilities can turn into whole f16 steps; so those states
         * have their sum recomputed with the final maximum in a pass of their own.
         */
        void normalizer(int s, int qOff, int from, int rFrom, int rTo) {
            int count = rTo - rFrom + 1;
            float blockMax = scores(qOff, from, rFrom, rTo);
            if (blockMax > max[s]) {
                if (max[s] != Float.NEGATIVE_INFINITY) {
                    sum[s] *= Math.exp((double) max[s] - blockMax);
                    rescaled[s] = true;
                }
                max[s] = blockMax;
            }
            exp(scores, count, max[s]);
            // Sum by aligned groups of eight positions, as ggml's softmax over a whole cache row.
            for (int i = 0; i < count; ) {
                if (((rFrom + i) & 7) == 0 && i + 8 <= count) {
                    sum[s] += VectorOps.hsum8(scores, i);
                    i += 8;
                    continue;
                }
                java.util.Arrays.fill(lanes, 0f);
                do {
                    lanes[(rFrom + i) & 7] = scores[i];
                    i++;
                } while (i < count && ((rFrom + i) & 7) != 0);
                sum[s] += VectorOps.hsum8(lanes, 0);
            }
        }

        /** Second pass: values weighted by the normalized probabilities ({@code sum} now holds 1 / sum). */
        void weigh(int s, int qOff, int from, int rFrom, int rTo) {
            int count = rTo - rFrom + 1, k0 = rFrom - from, base = s * 8 * vhd;
            scores(qOff, from, rFrom, rTo);
            exp(scores, count, max[s]);
            float inv = (float) sum[s];
            for (int i = 0; i < count; i++) {
                float p = scores[i] * inv;
                if (roundWeights) p = Float.float16ToFloat(Float.floatToFloat16(p));
                int a = base + ((rFrom + i) & 7) * vhd, v = (k0 + i) * vhd, d = 0;
                FloatVector pv = FloatVector.broadcast(F8, p);
                for (; d <= vhd - 8; d += 8) {
                    FloatVector x = FloatVector.fromArray(F8, values, v + d);
                    x.fma(pv, FloatVector.fromArray(F8, acc, a + d)).intoArray(acc, a + d);
                }
                for (; d < vhd; d++) acc[a + d] = Math.fma(values[v + d], p, acc[a + d]);
            }
        }
    }

    /** {@code x[i] = exp(x[i] - max)} by ggml's approximation ({@link VectorOps#expApprox}), eight lanes at a time. */
    static void exp(float[] x, int n, float max) {
        int i = 0;
        for (; i <= n - 8; i += 8) {
            FloatVector v = FloatVector.fromArray(F8, x, i).sub(max);
            FloatVector z = v.fma(0x1.715476p+0f, 0x1.8p23f);
            FloatVector k = z.sub(0x1.8p23f);
            if (k.abs().compare(VectorOperators.GT, 126f).anyTrue()) {
                for (int j = i; j < i + 8; j++) x[j] = VectorOps.expApprox(x[j] - max); // rare: far below the maximum
                continue;
            }
            FloatVector nk = k.neg();
            FloatVector b = nk.fma(FloatVector.broadcast(F8, 0x1.7f7d1cp-20f), nk.fma(FloatVector.broadcast(F8, 0x1.62e4p-1f), v));
            FloatVector scale = ((IntVector) z.reinterpretAsInts()).lanewise(VectorOperators.LSHL, 23).add(ONE_BITS).reinterpretAsFloats();
            FloatVector u = b.mul(b);
            FloatVector j = b.fma(0x1.0e4020p-7f, 0x1.573e2ep-5f).fma(u, b.fma(0x1.555e66p-3f, 0x1.fffdb6p-2f))
                    .fma(u, b.mul(0x1.ffffecp-1f));
            j.fma(scale, scale).intoArray(x, i);
        }
        for (; i < n; i++) x[i] = VectorOps.expApprox(x[i] - max);
    }

    /** Dot product in ggml's {@code ggml_vec_dot_f32} order (see {@link VectorOps#dot}), vectorized. */
    static float dotF32(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector s0 = FloatVector.zero(F8), s1 = s0, s2 = s0, s3 = s0;
        int np = n & ~31;
        for (int i = 0; i < np; i += 32) {
            s0 = FloatVector.fromArray(F8, a, ao + i).fma(FloatVector.fromArray(F8, b, bo + i), s0);
            s1 = FloatVector.fromArray(F8, a, ao + i + 8).fma(FloatVector.fromArray(F8, b, bo + i + 8), s1);
            s2 = FloatVector.fromArray(F8, a, ao + i + 16).fma(FloatVector.fromArray(F8, b, bo + i + 16), s2);
            s3 = FloatVector.fromArray(F8, a, ao + i + 24).fma(FloatVector.fromArray(F8, b, bo + i + 24), s3);
        }
        FloatVector r = s0.add(s2).add(s1.add(s3));
        float c0 = r.lane(0), c1 = r.lane(1), c2 = r.lane(2), c3 = r.lane(3);
        float c4 = r.lane(4), c5 = r.lane(5), c6 = r.lane(6), c7 = r.lane(7);
        float sum = ((c0 + c4) + (c1 + c5)) + ((c2 + c6) + (c3 + c7));
        for (int i = np; i < n; i++) sum = Math.fma(a[ao + i], b[bo + i], sum);
        return sum;
    }

    /**
     * {@link #dotLanes} of one query with four consecutive keys ({@code n} apart from {@code bo}) into
     * {@code out[at..at+3]}: four independent chains of fused multiply-adds instead of one, each in the same order.
     */
    static void dotLanes4(float[] a, int ao, float[] b, int bo, int n, float[] out, int at, float[] lanes) {
        FloatVector s0 = FloatVector.zero(F8), s1 = s0, s2 = s0, s3 = s0;
        for (int i = 0; i < n; i += 8) {
            FloatVector x = FloatVector.fromArray(F8, a, ao + i);
            s0 = x.fma(FloatVector.fromArray(F8, b, bo + i), s0);
            s1 = x.fma(FloatVector.fromArray(F8, b, bo + n + i), s1);
            s2 = x.fma(FloatVector.fromArray(F8, b, bo + 2 * n + i), s2);
            s3 = x.fma(FloatVector.fromArray(F8, b, bo + 3 * n + i), s3);
        }
        s0.intoArray(lanes, 0);
        s1.intoArray(lanes, 8);
        s2.intoArray(lanes, 16);
        s3.intoArray(lanes, 24);
        out[at] = VectorOps.hsum8(lanes, 0);
        out[at + 1] = VectorOps.hsum8(lanes, 8);
        out[at + 2] = VectorOps.hsum8(lanes, 16);
        out[at + 3] = VectorOps.hsum8(lanes, 24);
    }

    /** Dot product as tinyBLAS computes one output: eight lanes over the row (a multiple of 8), then {@link VectorOps#hsum8}'s order. */
    static float dotLanes(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector s = FloatVector.zero(F8);
        for (int i = 0; i < n; i += 8) {
            s = FloatVector.fromArray(F8, a, ao + i).fma(FloatVector.fromArray(F8, b, bo + i), s);
        }
        float b0 = s.lane(0) + s.lane(4), b1 = s.lane(1) + s.lane(5), b2 = s.lane(2) + s.lane(6), b3 = s.lane(3) + s.lane(7);
        return (b0 + b2) + (b1 + b3);
    }
}
