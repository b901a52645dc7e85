package dev.amadeus.sampling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Picks the next token from a logit vector the way llama.cpp's common sampler chain does: logit biases, then the
 * configured stages in order, then a draw from the softmax of what survives.
 *
 * <p>The candidate set lives in buffers sized to the vocabulary, allocated once. Sorting is avoided where
 * llama.cpp avoids it: top-k selects with a bounded heap, top-p sorts only the candidates its nucleus can reach,
 * min-p filters without sorting. Ties between equal logits always go to the lower token id, which makes every
 * stage deterministic where llama.cpp's unstable sorts leave the order unspecified.
 *
 * <p>The same seed gives the same token sequence for the same logits and accepted tokens; the random stream is
 * Java's {@link SplittableRandom}, so it does not reproduce llama.cpp's mt19937 draws. Not thread-safe.
 */
public final class Sampler {
    /** Below this many candidates top-p simply sorts them all. */
    private static final int PARTIAL_SORT_THRESHOLD = 1024;
    /**
     * Logit buckets for top-p's mass histogram: 1/32 logit wide, reaching 32 logits below the best token; the
     * last bucket also holds everything further down (relative probability under e^-32).
     */
    private static final int MASS_BUCKETS = 1024;
    private static final float MASS_BUCKETS_PER_LOGIT = 32.0f;

    private final SamplingParams params;
    private final int vocabSize;
    private final int[] biasTokens;
    private final float[] biasValues;

    // The candidate set: tokens[i] has logit logits[i]; probs[i] is filled by the stages that need it.
    private final int[] tokens;
    private final float[] logits;
    private final float[] probs;
    private int size;
    /** Candidates are in descending logit order, ties by ascending token id. */
    private boolean sorted;

    // Scratch for sorting and reordering.
    private final long[] keys;
    private final int[] spareTokens;
    private final float[] spareLogits;
    private final float[] spareProbs;
    private final int[] positionOfToken;
    private final double[] bucketMass = new double[MASS_BUCKETS];
    private final int[] bucketCount = new int[MASS_BUCKETS];

    // Penalty window: occurrence count per token over the last penaltyLastN accepted tokens.
    private final int[] countByToken;
    private int[] window;
    private int windowStart;
    private int windowSize;

    private SplittableRandom random;
    private long seed;

    public Sampler(SamplingParams params, int vocabSize) {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabSize);
        }
        this.params = params;
        this.vocabSize = vocabSize;
        this.biasTokens = new int[params.logitBias().size()];
        this.biasValues = new float[biasTokens.length];
        int b = 0;
        for (Map.Entry<Integer, Float> bias : params.logitBias().entrySet()) {
            if (bias.getKey() >= vocabSize) {
                throw new IllegalArgumentException("logit bias for token " + bias.getKey()
                        + " outside the vocabulary of " + vocabSize + " tokens");
            }
            biasTokens[b] = bias.getKey();
            biasValues[b] = bias.getValue();
            b++;
        }
        this.tokens = new int[vocabSize];
        this.logits = new float[vocabSize];
        this.probs = new float[vocabSize];
        this.keys = new long[vocabSize];
        this.spareTokens = new int[vocabSize];
        this.spareLogits = new float[vocabSize];
        this.spareProbs = new float[vocabSize];
        this.positionOfToken = new int[vocabSize];
        this.countByToken = new int[vocabSize];
        this.window = params.penaltyLastN() > 0 ? new int[Math.min(params.penaltyLastN(), 1024)] : new int[0];
        reseed();
    }

    public SamplingParams params() { return params; }

    public int vocabSize() { return vocabSize; }

    /** The seed in use: the configured one, or the one drawn for {@link SamplingParams#RANDOM_SEED}. */
    public long seed() { return seed; }

    /** Draws the next token. The caller's array is left untouched. */
    public int sample(float[] logits) {
        prepare(logits);
        return tokens[draw()];
    }

    /**
     * Draws the next token and reports log-probabilities of the final distribution (after every stage,
     * temperature included), as needed for OpenAI-style {@code logprobs}.
     *
     * @param topLogprobs how many of the most probable surviving tokens to report (0 for none)
     */
    public SampledToken sample(float[] logits, int topLogprobs) {
        if (topLogprobs < 0) {
            throw new IllegalArgumentException("topLogprobs must not be negative, got " + topLogprobs);
        }
        prepare(logits);
        int chosen = draw();
        float max = maxLogit();
        double logSum = Math.log(sumExp(max));
        float chosenLogprob = (float) (this.logits[chosen] - max - logSum);
        List<TokenLogprob> top = new ArrayList<>(Math.min(topLogprobs, size));
        if (topLogprobs > 0) {
            int n = Math.min(topLogprobs, size);
            if (sorted) {
                for (int i = 0; i < n; i++) addIfPossible(top, tokens[i], this.logits[i], max, logSum);
            } else {
                selectBestKeys(n);
                for (int i = 0; i < n; i++) addIfPossible(top, keyToken(keys[i]), keyLogit(keys[i]), max, logSum);
            }
        }
        return new SampledToken(tokens[chosen], chosenLogprob, top);
    }

    /**
     * The distribution the next draw would use: every surviving candidate with its log-probability, most probable
     * first (ties: lower id first), zero-probability tokens left out. Consumes no randomness and records nothing.
     */
    public List<TokenLogprob> distribution(float[] logits) {
        prepare(logits);
        if (!sorted) sortDescending();
        float max = maxLogit();
        double logSum = Math.log(sumExp(max));
        List<TokenLogprob> result = new ArrayList<>();
        for (int i = 0; i < size; i++) addIfPossible(result, tokens[i], this.logits[i], max, logSum);
        return result;
    }

    /**
     * Records a token of the sequence (prompt or generated) for the penalties window. Like llama.cpp, the
     * caller decides which tokens count; {@link #sample} does not record its own result.
     */
    public void accept(int token) {
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException("token " + token + " outside the vocabulary of " + vocabSize + " tokens");
        }
        int lastN = params.penaltyLastN();
        if (lastN == 0) return;
        countByToken[token]++;
        if (lastN < 0) return; // whole context: nothing ever leaves the window
        if (windowSize < lastN) {
            if (windowSize == window.length) {
                window = Arrays.copyOf(window, (int) Math.min(lastN, 2L * window.length));
            }
            window[windowSize++] = token; // no wrap-around yet, so the window starts at 0
        } else {
            countByToken[window[windowStart]]--;
            window[windowStart] = token;
            windowStart = windowStart + 1 == lastN ? 0 : windowStart + 1;
        }
    }

    /** Forgets every accepted token and restarts the random stream (with a fresh seed if the seed is random). */
    public void reset() {
        Arrays.fill(countByToken, 0);
        windowStart = 0;
        windowSize = 0;
        reseed();
    }

    /**
     * Log-probabilities of the model's own distribution (softmax of the raw logits, before any stage), best
     * {@code n} first; llama.cpp's server reports these when post-sampling probabilities are not requested.
     */
    public static List<TokenLogprob> topLogprobs(float[] logits, int n) {
        if (n < 0) throw new IllegalArgumentException("n must not be negative, got " + n);
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        double logSum = Math.log(sum);
        n = Math.min(n, logits.length);
        long[] heap = new long[n];
        int count = 0;
        for (int t = 0; t < logits.length && n > 0; t++) {
            long key = key(logits[t], t);
            if (count < n) {
                heap[count] = key;
                siftUp(heap, count++);
            } else if (key < heap[0]) {
                heap[0] = key;
                siftDown(heap, 0, n);
            }
        }
        Arrays.sort(heap, 0, count);
        List<TokenLogprob> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            addIfPossible(result, keyToken(heap[i]), keyLogit(heap[i]), max, logSum);
        }
        return result;
    }

    // ---------------------------------------------------------------------------------------------------------

    private void reseed() {
        long s = params.seed();
        if (s == SamplingParams.RANDOM_SEED) {
            SplittableRandom entropy = new SplittableRandom();
            do s = entropy.nextLong() & 0xFFFFFFFFL; while (s == SamplingParams.RANDOM_SEED);
        }
        seed = s;
        random = new SplittableRandom(s);
    }

    /** Loads the logits with biases applied, then runs the stages. */
    private void prepare(float[] input) {
        if (input.length != vocabSize) {
            throw new IllegalArgumentException("expected " + vocabSize + " logits, got " + input.length);
        }
        System.arraycopy(input, 0, logits, 0, vocabSize);
        for (int t = 0; t < vocabSize; t++) tokens[t] = t;
        for (int b = 0; b < biasTokens.length; b++) logits[biasTokens[b]] += biasValues[b];
        size = vocabSize;
        sorted = false;
        if (maxLogit() == Float.NEGATIVE_INFINITY) {
            throw new IllegalStateException("every token has logit -infinity; nothing can be sampled");
        }
        for (SamplerStage stage : params.order()) {
            switch (stage) {
                case PENALTIES -> applyPenalties();
                case TOP_K -> applyTopK(params.topK());
                case TYPICAL_P -> applyTypical(params.typicalP());
                case TOP_P -> applyTopP(params.topP());
                case MIN_P -> applyMinP(params.minP());
                case TEMPERATURE -> applyTemperature(params.temperature());
            }
        }
    }

    /**
     * llama.cpp's penalties: for a token seen {@code c > 0} times in the window, a positive logit is divided by
     * the repeat penalty and a non-positive one multiplied (so a penalty above 1 always lowers it), then
     * {@code c * frequency + presence} is subtracted.
     */
    private void applyPenalties() {
        float repeat = params.repeatPenalty();
        float frequency = params.frequencyPenalty();
        float presence = params.presencePenalty();
        if (params.penaltyLastN() == 0 || (repeat == 1.0f && frequency == 0.0f && presence == 0.0f)) return;
        boolean changed = false;
        for (int i = 0; i < size; i++) {
            int count = countByToken[tokens[i]];
            if (count == 0) continue;
            float l = logits[i];
            l = l <= 0 ? l * repeat : l / repeat;
            logits[i] = l - ((float) count * frequency + presence);
            changed = true;
        }
        if (changed) sorted = false;
    }

    /** Keeps the k highest logits, sorted; k <= 0 keeps everything (llama.cpp). */
    private void applyTopK(int k) {
        if (k <= 0) return;
        k = Math.min(k, size);
        if (!sorted) {
            selectBestKeys(k);
            for (int i = 0; i < k; i++) {
                tokens[i] = keyToken(keys[i]);
                logits[i] = keyLogit(keys[i]);
            }
            sorted = true;
        }
        size = k;
    }

    /**
     * Nucleus: walking down from the most probable token, stops at the first token where the running probability
     * reaches p ({@code >=}, that token included) once at least minKeep tokens are kept; p >= 1 keeps everything.
     */
    private void applyTopP(float p) {
        if (p >= 1.0f) return;
        float max = maxLogit();
        if (!sorted && size > PARTIAL_SORT_THRESHOLD) {
            // Usually the nucleus is a small part of the vocabulary: find from a histogram of probability mass
            // over logit buckets how far down it can reach, and sort only the candidates above that line.
            double sum = fillMassHistogram(max);
            int lastBucket = bucketReachingMass(p * sum);
            if (lastBucket >= 0) {
                // One more bucket of margin absorbs the float rounding of the exact walk below.
                int limit = Math.min(lastBucket + 1, MASS_BUCKETS - 1);
                int m = 0;
                for (int i = 0; i < size; i++) {
                    if (massBucket(logits[i], max) <= limit) keys[m++] = key(logits[i], tokens[i]);
                }
                if (2L * m < size) {
                    Arrays.sort(keys, 0, m);
                    int last = nucleusLength(p, m, sum, max, true);
                    if (last > 0) {
                        for (int i = 0; i < last; i++) {
                            tokens[i] = keyToken(keys[i]);
                            logits[i] = keyLogit(keys[i]);
                        }
                        size = last;
                        sorted = true;
                        return;
                    }
                }
            }
        }
        double sum = sumExp(max);
        if (!sorted) sortDescending();
        int last = nucleusLength(p, size, sum, max, false);
        size = last > 0 ? last : size;
    }

    private static int massBucket(float logit, float max) {
        int bucket = (int) ((max - logit) * MASS_BUCKETS_PER_LOGIT); // -infinity lands on Integer.MAX_VALUE
        return Math.min(bucket, MASS_BUCKETS - 1);
    }

    /** Fills the mass histogram of the candidates and returns their total unnormalised mass. */
    private double fillMassHistogram(float max) {
        Arrays.fill(bucketMass, 0.0);
        Arrays.fill(bucketCount, 0);
        double sum = 0.0;
        for (int i = 0; i < size; i++) {
            float weight = (float) Math.exp(logits[i] - max);
            int bucket = massBucket(logits[i], max);
            bucketMass[bucket] += weight;
            bucketCount[bucket]++;
            sum += weight;
        }
        return sum;
    }

    /** The first bucket by which the best buckets hold the target mass and minKeep candidates, or -1. */
    private int bucketReachingMass(double targetMass) {
        double mass = 0.0;
        long count = 0;
        for (int b = 0; b < MASS_BUCKETS; b++) {
            mass += bucketMass[b];
            count += bucketCount[b];
            if (mass >= targetMass && count >= params.minKeep()) return b;
        }
        return -1;
    }

    /** Length of the nucleus within the first n sorted candidates (from keys or from the arrays), 0 if not reached. */
    private int nucleusLength(float p, int n, double sum, float max, boolean fromKeys) {
        float cumulative = 0.0f;
        int minKeep = params.minKeep();
        for (int i = 0; i < n; i++) {
            float logit = fromKeys ? keyLogit(keys[i]) : logits[i];
            cumulative += probability(logit, max, sum);
            if (cumulative >= p && i + 1 >= minKeep) return i + 1;
        }
        return 0;
    }

    /**
     * Keeps tokens whose probability is at least p times the highest one, i.e. whose logit is at least
     * {@code max + ln p} (boundary included), and at least minKeep tokens; p <= 0 keeps everything.
     */
    private void applyMinP(float p) {
        if (p <= 0.0f || size == 0) return;
        float threshold = (float) Math.log(p);
        int minKeep = params.minKeep();
        if (!sorted) {
            float minLogit = maxLogit() + threshold;
            int kept = 0;
            for (int i = 0; i < size; i++) if (logits[i] >= minLogit) kept++;
            if (kept > 0 && kept >= minKeep) {
                int j = 0;
                for (int i = 0; i < size; i++) {
                    if (logits[i] >= minLogit) {
                        tokens[j] = tokens[i];
                        logits[j] = logits[i];
                        j++;
                    }
                }
                size = kept;
                return;
            }
            // Too few pass: fall back to the sorted walk, which tops up to minKeep with the next best.
            sortDescending();
        }
        float minLogit = logits[0] + threshold;
        int i = 1; // the best token always passes
        while (i < size && !(logits[i] < minLogit && i >= minKeep)) i++;
        size = i;
    }

    /**
     * Locally typical sampling: ranks tokens by how far their surprisal {@code -ln p} is from the entropy H of
     * the distribution, and keeps the closest ones until their probability mass exceeds p (strictly {@code >},
     * that token included) with at least minKeep tokens; p >= 1 keeps everything. The survivors stay in
     * typicality order, not probability order.
     */
    private void applyTypical(float p) {
        if (p >= 1.0f) return;
        float max = maxLogit();
        double sum = sumExp(max);
        fillProbabilities(max, sum);
        float[] logProbs = spareLogits; // free until the survivors are reordered below
        float entropy = 0.0f;
        for (int i = 0; i < size; i++) {
            logProbs[i] = (float) Math.log(probs[i]);
            // A zero probability contributes nothing (the limit of p ln p); llama.cpp would turn it into NaN.
            if (probs[i] > 0.0f) entropy += -probs[i] * logProbs[i];
        }
        for (int i = 0; i < size; i++) {
            float shifted = Math.abs(-logProbs[i] - entropy);
            // Equal distances go to the lower id; no need to sort by probability first as llama.cpp does.
            keys[i] = ((long) orderedBits(shifted) << 32) | tokens[i];
            positionOfToken[tokens[i]] = i;
        }
        Arrays.sort(keys, 0, size);
        for (int i = 0; i < size; i++) keys[i] = positionOfToken[keyToken(keys[i])];
        float cumulative = 0.0f;
        int minKeep = params.minKeep();
        int last = size;
        for (int i = 0; i < size; i++) {
            cumulative += probs[(int) keys[i]];
            if (cumulative > p && (minKeep == 0 || i >= minKeep - 1)) {
                last = i + 1;
                break;
            }
        }
        for (int i = 0; i < last; i++) {
            int from = (int) keys[i];
            spareTokens[i] = tokens[from];
            spareLogits[i] = logits[from];
            spareProbs[i] = probs[from];
        }
        System.arraycopy(spareTokens, 0, tokens, 0, last);
        System.arraycopy(spareLogits, 0, logits, 0, last);
        System.arraycopy(spareProbs, 0, probs, 0, last);
        size = last;
        sorted = false;
    }

    /**
     * Divides logits by the temperature. At or below 0 only the highest logit (lowest id among equals) survives:
     * llama.cpp sets the others to -infinity, which can never be drawn, so here they are dropped.
     */
    private void applyTemperature(float temperature) {
        if (temperature <= 0.0f) {
            int best = 0;
            for (int i = 1; i < size; i++) {
                if (logits[i] > logits[best] || (logits[i] == logits[best] && tokens[i] < tokens[best])) best = i;
            }
            tokens[0] = tokens[best];
            logits[0] = logits[best];
            size = 1;
            sorted = true;
            return;
        }
        for (int i = 0; i < size; i++) logits[i] /= temperature;
    }

    /** Index of a candidate drawn in proportion to exp(logit); a single candidate costs no randomness (llama.cpp). */
    private int draw() {
        if (size == 1) return 0;
        float max = maxLogit();
        double total = sumExp(max);
        double target = random.nextDouble() * total;
        double running = 0.0;
        int lastPossible = 0;
        for (int i = 0; i < size; i++) {
            double weight = Math.exp(logits[i] - max);
            if (weight == 0.0) continue;
            running += weight;
            lastPossible = i;
            if (running > target) return i;
        }
        return lastPossible; // rounding left the running sum a hair below the target
    }

    private float maxLogit() {
        if (sorted) return logits[0];
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) if (logits[i] > max) max = logits[i];
        return max;
    }

    private double sumExp(float max) {
        double sum = 0.0;
        for (int i = 0; i < size; i++) sum += (float) Math.exp(logits[i] - max);
        return sum;
    }

    private static float probability(float logit, float max, double sum) {
        return (float) ((float) Math.exp(logit - max) / sum);
    }

    private void fillProbabilities(float max, double sum) {
        for (int i = 0; i < size; i++) probs[i] = probability(logits[i], max, sum);
    }

    private static void addIfPossible(List<TokenLogprob> out, int token, float logit, float max, double logSum) {
        if (logit == Float.NEGATIVE_INFINITY) return;
        out.add(new TokenLogprob(token, (float) (logit - max - logSum)));
    }

    // --- ordering: a long key per candidate, smaller is better: higher logit, then lower token id ---------------

    private static long key(float logit, int token) {
        return ((long) ~orderedBits(logit) << 32) | (token & 0xFFFFFFFFL);
    }

    private static int keyToken(long key) { return (int) key; }

    private static float keyLogit(long key) { return fromOrderedBits(~(int) (key >> 32)); }

    /** An int whose signed order is the float order (-0 folded into +0). */
    private static int orderedBits(float f) {
        int bits = Float.floatToIntBits(f + 0.0f);
        return bits ^ ((bits >> 31) & 0x7FFFFFFF);
    }

    private static float fromOrderedBits(int ordered) {
        return Float.intBitsToFloat(ordered ^ ((ordered >> 31) & 0x7FFFFFFF));
    }

    /** Puts the whole candidate set in order. */
    private void sortDescending() {
        for (int i = 0; i < size; i++) keys[i] = key(logits[i], tokens[i]);
        Arrays.sort(keys, 0, size);
        for (int i = 0; i < size; i++) {
            tokens[i] = keyToken(keys[i]);
            logits[i] = keyLogit(keys[i]);
        }
        sorted = true;
    }

    /**
     * Leaves the keys of the n best candidates, best first, in keys[0..n) without touching the candidate arrays.
     * A bounded max-heap costs O(size log n) instead of a full sort.
     */
    private void selectBestKeys(int n) {
        if (sorted) {
            for (int i = 0; i < n; i++) keys[i] = key(logits[i], tokens[i]);
            return;
        }
        if (4L * n >= size) {
            for (int i = 0; i < size; i++) keys[i] = key(logits[i], tokens[i]);
            Arrays.sort(keys, 0, size);
            return;
        }
        for (int i = 0; i < n; i++) {
            keys[i] = key(logits[i], tokens[i]);
            siftUp(keys, i);
        }
        for (int i = n; i < size; i++) {
            long k = key(logits[i], tokens[i]);
            if (k < keys[0]) {
                keys[0] = k;
                siftDown(keys, 0, n);
            }
        }
        Arrays.sort(keys, 0, n);
    }

    private static void siftUp(long[] heap, int i) {
        long k = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] >= k) break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = k;
    }

    private static void siftDown(long[] heap, int i, int n) {
        long k = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) break;
            if (child + 1 < n && heap[child + 1] > heap[child]) child++;
            if (heap[child] <= k) break;
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = k;
    }
}
