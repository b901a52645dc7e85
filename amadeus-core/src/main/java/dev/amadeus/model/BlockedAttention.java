package dev.amadeus.model;

import dev.amadeus.model.rope.RotaryEmbedding;
import dev.amadeus.tensor.ThreadPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
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
 * The scores of the first pass are kept for the others while they fit {@value #KEPT_SCORES} floats per
 * thread (a prompt's tile over a context of thousands), and so are their exponentials relative to the final
 * maximum, which the last pass then takes as they are; beyond that both are computed again in each pass.
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
    /** For element-wise work over a head's values, where the vector width does not change the arithmetic. */
    private static final VectorSpecies<Float> FV = VectorOps.FV;
    /**
     * Whether the last pass weighs two query heads at once ({@link Worker#addWeightedGroupsPair}): its sixteen
     * accumulators and the shared value row fit the 32 registers of 512-bit CPUs, not the 16 of AVX2.
     */
    private static final boolean PAIRED = FV.vectorBitSize() >= 512;
    /** Passes over the blocks: running max and sum; exact sums where the max rose; weighted values. */
    private static final int NORMALIZE = 0, RESUM = 1, WEIGH = 2;
    /** Scores a thread keeps from the first pass for the others (4 MiB); a job needing more computes them again. */
    static final int KEPT_SCORES = 1 << 20;

    private final ModelConfig c;
    private final ThreadPool pool;
    /** The rounded queries of the current call, kept between calls (one call at a time, as for the pool). */
    private float[] queries = new float[0];
    /** Each thread's buffers, kept between calls: a call per layer and token would otherwise allocate them anew. */
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** Scores a thread keeps per job, {@link #KEPT_SCORES} but for tests of the other path. */
    private final int keptScores;

    BlockedAttention(ModelConfig config, ThreadPool pool) {
        this(config, pool, KEPT_SCORES);
    }

    BlockedAttention(ModelConfig config, ThreadPool pool, int keptScores) {
        this.c = config;
        this.pool = pool;
        this.keptScores = keptScores;
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
        // A tile's work grows with its last position (causal attention), so a fixed split would leave the thread
        // with the first tiles idle for much of the call: jobs are handed out one at a time, the latest tiles first.
        pool.parallelForChunks(tiles * kvHeads, 1, (from, to) -> {
            Worker w = new Worker(layer, cache, start, query, out, keyRopes, tile);
            for (int job = from; job < to; job++) {
                int r0 = (tiles - 1 - job / kvHeads) * tile;
                w.run(r0, Math.min(n, r0 + tile), job % kvHeads);
            }
        });
    }

    /** One thread's buffers, grown as calls need them. */
    private static final class Scratch {
        float[] keys = new float[0], values = new float[0], scores = new float[0], pairScores = new float[0], cosSin = new float[0];
        float[] max = new float[0], acc = new float[0], kept = new float[0], keptExp = new float[0];
        final float[] lanes = new float[8], fourLanes = new float[32];
        double[] sum = new double[0];
        boolean[] rescaled = new boolean[0];

        float[] kept(int size) {
            if (kept.length < size) kept = new float[size];
            return kept;
        }

        float[] keptExp(int size) {
            if (keptExp.length < size) keptExp = new float[size];
            return keptExp;
        }
    }

    /** One thread's part of a call: a decoded block of keys and values, and the running state of a tile. */
    private final class Worker {
        final int layer, start, hd, vhd, group, qd, window;
        final KVCache cache;
        final float[] q, out;
        final RotaryEmbedding[] keyRopes;
        final float scale, cap;
        final boolean f32Order, roundWeights;
        final Scratch scratch;
        final float[] keys, values, scores, pairScores, cosSin, lanes, fourLanes;
        final float[] max, acc;
        final double[] sum;
        final boolean[] rescaled;
        /** The current job's scores from the first pass, per state and position from {@code keptFrom}, or null. */
        float[] kept;
        /**
         * Beside {@link #kept}, their exponentials relative to the state's final maximum, for the last pass: those of
         * the first pass where the maximum never rose after a state's first block, else those of the pass between.
         */
        float[] keptExp;
        int keptFrom, keptSpan;

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
            Scratch b = scratch = BlockedAttention.this.scratch.get();
            int states = tile * group;
            if (b.keys.length < BLOCK * hd) b.keys = new float[BLOCK * hd];
            if (b.values.length < BLOCK * vhd) b.values = new float[BLOCK * vhd];
            if (b.scores.length < BLOCK) {
                b.scores = new float[BLOCK];
                b.pairScores = new float[BLOCK];
            }
            if (keyRopes != null && b.cosSin.length < 2 * keyRopes[0].pairs()) b.cosSin = new float[2 * keyRopes[0].pairs()];
            if (b.max.length < states) {
                b.max = new float[states];
                b.sum = new double[states];
                b.rescaled = new boolean[states];
            }
            if (b.acc.length < states * 8 * vhd) b.acc = new float[states * 8 * vhd];
            keys = b.keys;
            values = b.values;
            scores = b.scores;
            pairScores = b.pairScores;
            cosSin = b.cosSin;
            lanes = b.lanes;
            fourLanes = b.fourLanes;
            max = b.max;
            sum = b.sum;
            rescaled = b.rescaled;
            acc = b.acc;
        }

        int first(int position) {
            return window > 0 ? Math.max(0, position - window + 1) : 0;
        }

        void run(int r0, int r1, int kvh) {
            int states = (r1 - r0) * group;
            java.util.Arrays.fill(max, 0, states, Float.NEGATIVE_INFINITY);
            java.util.Arrays.fill(sum, 0, states, 0);
            java.util.Arrays.fill(acc, 0, states * 8 * vhd, 0f);
            java.util.Arrays.fill(rescaled, 0, states, false);
            int lo = first(start + r0), hi = start + r1 - 1;
            keptFrom = lo;
            keptSpan = hi - lo + 1;
            kept = (long) states * keptSpan <= keptScores ? scratch.kept(states * keptSpan) : null;
            keptExp = kept != null ? scratch.keptExp(states * keptSpan) : null;
            for (int pass = NORMALIZE; pass <= WEIGH; pass++) {
                if (pass == RESUM) {
                    boolean any = false;
                    for (int i = 0; i < states; i++) {
                        if (rescaled[i]) sum[i] = 0;
                        any |= rescaled[i];
                    }
                    if (!any) continue;
                }
                boolean weigh = pass == WEIGH;
                if (weigh) {
                    for (int i = 0; i < states; i++) sum[i] = 1.0 / sum[i];
                }
                boolean needKeys = pass == NORMALIZE || kept == null;
                for (int b0 = lo - Math.floorMod(lo, BLOCK); b0 <= hi; b0 += BLOCK) {
                    int from = Math.max(b0, lo), to = Math.min(b0 + BLOCK - 1, hi);
                    for (int t = from; t <= to; t++) {
                        if (needKeys) {
                            cache.readKey(layer, t, kvh * hd, hd, keys, (t - from) * hd);
                            if (keyRopes != null) {
                                keyRopes[r0].angles(t, cosSin);
                                keyRopes[r0].rotate(keys, (t - from) * hd, 1, cosSin);
                            }
                        }
                        if (weigh) cache.readValue(layer, t, kvh * vhd, vhd, values, (t - from) * vhd);
                    }
                    for (int r = r0; r < r1; r++) {
                        int p = start + r;
                        int rFrom = Math.max(from, first(p)), rTo = Math.min(to, p);
                        if (rFrom > rTo) continue;
                        for (int g = 0; g < group; g++) {
                            int state = (r - r0) * group + g, qOff = r * qd + (kvh * group + g) * hd;
                            if (weigh && PAIRED && vhd % FV.length() == 0 && g + 1 < group) {
                                weighPair(state, qOff, from, rFrom, rTo);
                                g++;
                            } else if (weigh) weigh(state, qOff, from, rFrom, rTo);
                            else if (pass == NORMALIZE) normalizer(state, qOff, from, rFrom, rTo);
                            else if (rescaled[state]) resum(state, qOff, from, rFrom, rTo);
                        }
                    }
                }
            }
            for (int r = r0; r < r1; r++) {
                for (int g = 0; g < group; g++) {
                    sumLanes(((r - r0) * group + g) * 8 * vhd, r * c.heads() * vhd + (kvh * group + g) * vhd);
                }
            }
        }

        /** Output {@code o..o+vhd} from the eight position lanes at {@code base}: {@link VectorOps#hsum8} per element, across elements in vectors. */
        void sumLanes(int base, int o) {
            int d = 0;
            for (; d <= vhd - FV.length(); d += FV.length()) {
                int a = base + d;
                FloatVector b0 = FloatVector.fromArray(FV, acc, a).add(FloatVector.fromArray(FV, acc, a + 4 * vhd));
                FloatVector b1 = FloatVector.fromArray(FV, acc, a + vhd).add(FloatVector.fromArray(FV, acc, a + 5 * vhd));
                FloatVector b2 = FloatVector.fromArray(FV, acc, a + 2 * vhd).add(FloatVector.fromArray(FV, acc, a + 6 * vhd));
                FloatVector b3 = FloatVector.fromArray(FV, acc, a + 3 * vhd).add(FloatVector.fromArray(FV, acc, a + 7 * vhd));
                b0.add(b2).add(b1.add(b3)).intoArray(out, o + d);
            }
            for (; d < vhd; d++) {
                for (int lane = 0; lane < 8; lane++) lanes[lane] = acc[base + lane * vhd + d];
                out[o + d] = VectorOps.hsum8(lanes, 0);
            }
        }

        /** Scaled (and capped) scores of positions {@code rFrom..rTo} of the decoded block into {@code scores}; returns their maximum. */
        float scores(int qOff, int from, int rFrom, int rTo) {
            int count = rTo - rFrom + 1, k0 = rFrom - from, i = 0;
            if (!f32Order) {
                for (; i + 8 <= count; i += 8) dotLanes8(q, qOff, keys, (k0 + i) * hd, hd, scores, i);
                for (; i + 4 <= count; i += 4) dotLanes4(q, qOff, keys, (k0 + i) * hd, hd, scores, i, fourLanes);
            }
            for (; i < count; i++) {
                int kOff = (k0 + i) * hd;
                scores[i] = f32Order ? dotF32(q, qOff, keys, kOff, hd) : dotLanes(q, qOff, keys, kOff, hd);
            }
            float blockMax = Float.NEGATIVE_INFINITY;
            i = 0;
            if (cap <= 0) {
                FloatVector m = FloatVector.broadcast(F8, Float.NEGATIVE_INFINITY);
                for (; i + 8 <= count; i += 8) {
                    FloatVector score = FloatVector.fromArray(F8, scores, i).mul(scale);
                    score.intoArray(scores, i);
                    m = m.max(score);
                }
                blockMax = m.reduceLanes(VectorOperators.MAX);
            }
            for (; i < count; i++) {
                float score = scores[i] * scale;
                if (cap > 0) score = (float) Math.tanh(score * (1f / cap)) * cap;
                scores[i] = score;
                blockMax = Math.max(blockMax, score);
            }
            return blockMax;
        }

        /** State {@code s}'s scores of positions {@code rFrom..rFrom+count-1} as the first pass left them, into {@code scores}. */
        void keptScores(int s, int rFrom, int count) {
            System.arraycopy(kept, s * keptSpan + rFrom - keptFrom, scores, 0, count);
        }

        /**
         * First pass: the running maximum and sum of exponentials, the sum rescaled when the maximum rises.
         * Such a sum differs from llama.cpp's (exponentials rounded relative to the final maximum) by float
         * roundings, which f16 rounding of the probabilities can turn into whole f16 steps; so those states
         * have their sum recomputed with the final maximum in a pass of their own ({@link #resum}).
         */
        void normalizer(int s, int qOff, int from, int rFrom, int rTo) {
            int count = rTo - rFrom + 1;
            float blockMax = scores(qOff, from, rFrom, rTo);
            if (kept != null) System.arraycopy(scores, 0, kept, s * keptSpan + rFrom - keptFrom, count);
            if (blockMax > max[s]) {
                if (max[s] != Float.NEGATIVE_INFINITY) {
                    sum[s] *= Math.exp((double) max[s] - blockMax);
                    rescaled[s] = true;
                }
                max[s] = blockMax;
            }
            addExponentials(s, rFrom, count);
        }

        /** The pass between: a rescaled state's sum of exponentials again, now with its final maximum. */
        void resum(int s, int qOff, int from, int rFrom, int rTo) {
            int count = rTo - rFrom + 1;
            if (kept != null) keptScores(s, rFrom, count);
            else scores(qOff, from, rFrom, rTo);
            addExponentials(s, rFrom, count);
        }

        /** Adds the exponentials of the scores (relative to the state's maximum) to its sum, by aligned groups of eight positions as ggml's softmax over a whole cache row. */
        void addExponentials(int s, int rFrom, int count) {
            exp(scores, count, max[s]);
            if (keptExp != null) System.arraycopy(scores, 0, keptExp, s * keptSpan + rFrom - keptFrom, count);
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

        /**
         * Last pass: values weighted by the normalized probabilities ({@code sum} now holds 1 / sum), into eight
         * lanes by position modulo 8. Positions before the block's first aligned group of eight and after its
         * last come one at a time; each whole group updates the eight lanes held in registers, so every lane
         * still takes its positions in order.
         */
        void weigh(int s, int qOff, int from, int rFrom, int rTo) {
            int count = rTo - rFrom + 1, k0 = rFrom - from, base = s * 8 * vhd;
            probabilities(s, qOff, from, rFrom, rTo);
            int head = Math.min(count, Math.floorMod(-rFrom, 8));
            int tail = head + (count - head) / 8 * 8;
            if (vhd % FV.length() == 0) {
                addWeighted(scores, base, k0, rFrom, 0, head);
                addWeightedGroups(base, k0, head, tail);
                addWeighted(scores, base, k0, rFrom, tail, count);
            } else {
                addWeighted(scores, base, k0, rFrom, 0, count);
            }
        }

        /**
         * {@link #weigh} for states {@code s} and {@code s + 1}, two query heads of one token (the same positions):
         * their whole groups of eight positions share each value row loaded ({@link #addWeightedGroupsPair}).
         */
        void weighPair(int s, int qOff, int from, int rFrom, int rTo) {
            int count = rTo - rFrom + 1, k0 = rFrom - from, base = s * 8 * vhd, next = base + 8 * vhd;
            probabilities(s, qOff, from, rFrom, rTo);
            System.arraycopy(scores, 0, pairScores, 0, count);
            probabilities(s + 1, qOff + hd, from, rFrom, rTo);
            int head = Math.min(count, Math.floorMod(-rFrom, 8));
            int tail = head + (count - head) / 8 * 8;
            addWeighted(pairScores, base, k0, rFrom, 0, head);
            addWeighted(scores, next, k0, rFrom, 0, head);
            addWeightedGroupsPair(base, next, k0, head, tail);
            addWeighted(pairScores, base, k0, rFrom, tail, count);
            addWeighted(scores, next, k0, rFrom, tail, count);
        }

        /** State {@code s}'s probabilities of positions {@code rFrom..rTo} into {@code scores}: normalized, rounded as llama.cpp's. */
        void probabilities(int s, int qOff, int from, int rFrom, int rTo) {
            int count = rTo - rFrom + 1;
            if (keptExp != null) {
                System.arraycopy(keptExp, s * keptSpan + rFrom - keptFrom, scores, 0, count);
            } else {
                scores(qOff, from, rFrom, rTo);
                exp(scores, count, max[s]);
            }
            float inv = (float) sum[s];
            for (int i = 0; i < count; i++) {
                float p = scores[i] * inv;
                scores[i] = roundWeights ? Float.float16ToFloat(Float.floatToFloat16(p)) : p;
            }
        }

        /** Probabilities {@code p[i0..i1)} of the block times their value rows, each into the lane of its position. */
        void addWeighted(float[] probabilities, int base, int k0, int rFrom, int i0, int i1) {
            for (int i = i0; i < i1; i++) {
                float p = probabilities[i];
                int a = base + ((rFrom + i) & 7) * vhd, v = (k0 + i) * vhd, d = 0;
                FloatVector pv = FloatVector.broadcast(F8, p);
                for (; d <= vhd - 8; d += 8) {
                    FloatVector x = FloatVector.fromArray(F8, values, v + d);
                    x.fma(pv, FloatVector.fromArray(F8, acc, a + d)).intoArray(acc, a + d);
                }
                for (; d < vhd; d++) acc[a + d] = Math.fma(values[v + d], p, acc[a + d]);
            }
        }

        /** {@link #addWeighted} for whole aligned groups of eight positions ({@code i0} the first's), the lanes in registers. */
        void addWeightedGroups(int base, int k0, int i0, int i1) {
            if (i0 >= i1) return;
            for (int d = 0; d < vhd; d += FV.length()) {
                int a = base + d;
                FloatVector a0 = FloatVector.fromArray(FV, acc, a), a1 = FloatVector.fromArray(FV, acc, a + vhd),
                        a2 = FloatVector.fromArray(FV, acc, a + 2 * vhd), a3 = FloatVector.fromArray(FV, acc, a + 3 * vhd),
                        a4 = FloatVector.fromArray(FV, acc, a + 4 * vhd), a5 = FloatVector.fromArray(FV, acc, a + 5 * vhd),
                        a6 = FloatVector.fromArray(FV, acc, a + 6 * vhd), a7 = FloatVector.fromArray(FV, acc, a + 7 * vhd);
                for (int g = i0; g < i1; g += 8) {
                    int v = (k0 + g) * vhd + d;
                    a0 = FloatVector.fromArray(FV, values, v).fma(FloatVector.broadcast(FV, scores[g]), a0);
                    a1 = FloatVector.fromArray(FV, values, v + vhd).fma(FloatVector.broadcast(FV, scores[g + 1]), a1);
                    a2 = FloatVector.fromArray(FV, values, v + 2 * vhd).fma(FloatVector.broadcast(FV, scores[g + 2]), a2);
                    a3 = FloatVector.fromArray(FV, values, v + 3 * vhd).fma(FloatVector.broadcast(FV, scores[g + 3]), a3);
                    a4 = FloatVector.fromArray(FV, values, v + 4 * vhd).fma(FloatVector.broadcast(FV, scores[g + 4]), a4);
                    a5 = FloatVector.fromArray(FV, values, v + 5 * vhd).fma(FloatVector.broadcast(FV, scores[g + 5]), a5);
                    a6 = FloatVector.fromArray(FV, values, v + 6 * vhd).fma(FloatVector.broadcast(FV, scores[g + 6]), a6);
                    a7 = FloatVector.fromArray(FV, values, v + 7 * vhd).fma(FloatVector.broadcast(FV, scores[g + 7]), a7);
                }
                a0.intoArray(acc, a);
                a1.intoArray(acc, a + vhd);
                a2.intoArray(acc, a + 2 * vhd);
                a3.intoArray(acc, a + 3 * vhd);
                a4.intoArray(acc, a + 4 * vhd);
                a5.intoArray(acc, a + 5 * vhd);
                a6.intoArray(acc, a + 6 * vhd);
                a7.intoArray(acc, a + 7 * vhd);
            }
        }

        /**
         * {@link #addWeightedGroups} for two states at once ({@code scores} the second's, {@link #pairScores} the first's):
         * sixteen accumulators, each value row loaded once for both. The same operations per state in the same order.
         */
        void addWeightedGroupsPair(int base, int next, int k0, int i0, int i1) {
            if (i0 >= i1) return;
            float[] p = pairScores, q = scores;
            for (int d = 0; d < vhd; d += FV.length()) {
                int a = base + d, b = next + d;
                FloatVector a0 = FloatVector.fromArray(FV, acc, a), a1 = FloatVector.fromArray(FV, acc, a + vhd),
                        a2 = FloatVector.fromArray(FV, acc, a + 2 * vhd), a3 = FloatVector.fromArray(FV, acc, a + 3 * vhd),
                        a4 = FloatVector.fromArray(FV, acc, a + 4 * vhd), a5 = FloatVector.fromArray(FV, acc, a + 5 * vhd),
                        a6 = FloatVector.fromArray(FV, acc, a + 6 * vhd), a7 = FloatVector.fromArray(FV, acc, a + 7 * vhd);
                FloatVector b0 = FloatVector.fromArray(FV, acc, b), b1 = FloatVector.fromArray(FV, acc, b + vhd),
                        b2 = FloatVector.fromArray(FV, acc, b + 2 * vhd), b3 = FloatVector.fromArray(FV, acc, b + 3 * vhd),
                        b4 = FloatVector.fromArray(FV, acc, b + 4 * vhd), b5 = FloatVector.fromArray(FV, acc, b + 5 * vhd),
                        b6 = FloatVector.fromArray(FV, acc, b + 6 * vhd), b7 = FloatVector.fromArray(FV, acc, b + 7 * vhd);
                for (int g = i0; g < i1; g += 8) {
                    int v = (k0 + g) * vhd + d;
                    FloatVector x = FloatVector.fromArray(FV, values, v);
                    a0 = x.fma(FloatVector.broadcast(FV, p[g]), a0);
                    b0 = x.fma(FloatVector.broadcast(FV, q[g]), b0);
                    x = FloatVector.fromArray(FV, values, v + vhd);
                    a1 = x.fma(FloatVector.broadcast(FV, p[g + 1]), a1);
                    b1 = x.fma(FloatVector.broadcast(FV, q[g + 1]), b1);
                    x = FloatVector.fromArray(FV, values, v + 2 * vhd);
                    a2 = x.fma(FloatVector.broadcast(FV, p[g + 2]), a2);
                    b2 = x.fma(FloatVector.broadcast(FV, q[g + 2]), b2);
                    x = FloatVector.fromArray(FV, values, v + 3 * vhd);
                    a3 = x.fma(FloatVector.broadcast(FV, p[g + 3]), a3);
                    b3 = x.fma(FloatVector.broadcast(FV, q[g + 3]), b3);
                    x = FloatVector.fromArray(FV, values, v + 4 * vhd);
                    a4 = x.fma(FloatVector.broadcast(FV, p[g + 4]), a4);
                    b4 = x.fma(FloatVector.broadcast(FV, q[g + 4]), b4);
                    x = FloatVector.fromArray(FV, values, v + 5 * vhd);
                    a5 = x.fma(FloatVector.broadcast(FV, p[g + 5]), a5);
                    b5 = x.fma(FloatVector.broadcast(FV, q[g + 5]), b5);
                    x = FloatVector.fromArray(FV, values, v + 6 * vhd);
                    a6 = x.fma(FloatVector.broadcast(FV, p[g + 6]), a6);
                    b6 = x.fma(FloatVector.broadcast(FV, q[g + 6]), b6);
                    x = FloatVector.fromArray(FV, values, v + 7 * vhd);
                    a7 = x.fma(FloatVector.broadcast(FV, p[g + 7]), a7);
                    b7 = x.fma(FloatVector.broadcast(FV, q[g + 7]), b7);
                }
                a0.intoArray(acc, a);
                a1.intoArray(acc, a + vhd);
                a2.intoArray(acc, a + 2 * vhd);
                a3.intoArray(acc, a + 3 * vhd);
                a4.intoArray(acc, a + 4 * vhd);
                a5.intoArray(acc, a + 5 * vhd);
                a6.intoArray(acc, a + 6 * vhd);
                a7.intoArray(acc, a + 7 * vhd);
                b0.intoArray(acc, b);
                b1.intoArray(acc, b + vhd);
                b2.intoArray(acc, b + 2 * vhd);
                b3.intoArray(acc, b + 3 * vhd);
                b4.intoArray(acc, b + 4 * vhd);
                b5.intoArray(acc, b + 5 * vhd);
                b6.intoArray(acc, b + 6 * vhd);
                b7.intoArray(acc, b + 7 * vhd);
            }
        }
    }

    /**
     * {@code x[i] = exp(x[i] - max)} by ggml's approximation ({@link VectorOps#expApprox}), a vector at a time. In
     * {@link #FV}, as {@link VectorOps#swiGlu}: the vector exponential called with two vector widths ran in the
     * Vector API's generic Java code for one of them (and prompts at half speed).
     */
    static void exp(float[] x, int n, float max) {
        int i = 0;
        for (; i <= n - FV.length(); i += FV.length()) VectorOps.expApprox(FloatVector.fromArray(FV, x, i).sub(max)).intoArray(x, i);
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
     * {@link #dotLanes} of one query with eight consecutive keys ({@code n} apart from {@code bo}) into
     * {@code out[at..at+7]}. The eight sums are reduced together, each step of {@link VectorOps#hsum8} taking
     * two keys' lanes into one vector: upper halves onto lower ones, lanes two apart, then the pairs.
     */
    static void dotLanes8(float[] a, int ao, float[] b, int bo, int n, float[] out, int at) {
        FloatVector s0 = FloatVector.zero(F8), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int i = 0; i < n; i += 8) {
            FloatVector x = FloatVector.fromArray(F8, a, ao + i);
            s0 = x.fma(FloatVector.fromArray(F8, b, bo + i), s0);
            s1 = x.fma(FloatVector.fromArray(F8, b, bo + n + i), s1);
            s2 = x.fma(FloatVector.fromArray(F8, b, bo + 2 * n + i), s2);
            s3 = x.fma(FloatVector.fromArray(F8, b, bo + 3 * n + i), s3);
            s4 = x.fma(FloatVector.fromArray(F8, b, bo + 4 * n + i), s4);
            s5 = x.fma(FloatVector.fromArray(F8, b, bo + 5 * n + i), s5);
            s6 = x.fma(FloatVector.fromArray(F8, b, bo + 6 * n + i), s6);
            s7 = x.fma(FloatVector.fromArray(F8, b, bo + 7 * n + i), s7);
        }
        FloatVector p01 = s0.rearrange(LOWER_HALVES, s1).add(s0.rearrange(UPPER_HALVES, s1));
        FloatVector p23 = s2.rearrange(LOWER_HALVES, s3).add(s2.rearrange(UPPER_HALVES, s3));
        FloatVector p45 = s4.rearrange(LOWER_HALVES, s5).add(s4.rearrange(UPPER_HALVES, s5));
        FloatVector p67 = s6.rearrange(LOWER_HALVES, s7).add(s6.rearrange(UPPER_HALVES, s7));
        FloatVector q03 = p01.rearrange(FIRST_PAIRS, p23).add(p01.rearrange(SECOND_PAIRS, p23));
        FloatVector q47 = p45.rearrange(FIRST_PAIRS, p67).add(p45.rearrange(SECOND_PAIRS, p67));
        q03.rearrange(EVEN_LANES, q47).add(q03.rearrange(ODD_LANES, q47)).intoArray(out, at);
    }

    /** Lanes of two eight-lane vectors (8..15 the second's) for {@link #dotLanes8}'s reduction steps. */
    private static final VectorShuffle<Float> LOWER_HALVES = VectorShuffle.fromValues(F8, 0, 1, 2, 3, 8, 9, 10, 11),
            UPPER_HALVES = VectorShuffle.fromValues(F8, 4, 5, 6, 7, 12, 13, 14, 15),
            FIRST_PAIRS = VectorShuffle.fromValues(F8, 0, 1, 4, 5, 8, 9, 12, 13),
            SECOND_PAIRS = VectorShuffle.fromValues(F8, 2, 3, 6, 7, 10, 11, 14, 15),
            EVEN_LANES = VectorShuffle.fromValues(F8, 0, 2, 4, 6, 8, 10, 12, 14),
            ODD_LANES = VectorShuffle.fromValues(F8, 1, 3, 5, 7, 9, 11, 13, 15);

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
