package dev.amadeus.sampling;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import static dev.amadeus.sampling.SamplerStage.MIN_P;
import static dev.amadeus.sampling.SamplerStage.PENALTIES;
import static dev.amadeus.sampling.SamplerStage.TEMPERATURE;
import static dev.amadeus.sampling.SamplerStage.TOP_K;
import static dev.amadeus.sampling.SamplerStage.TOP_P;
import static dev.amadeus.sampling.SamplerStage.TYPICAL_P;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {

    /** Only the given stages, every parameter at its "off" value, temperature 1 (unused unless listed). */
    private static SamplingParams only(SamplerStage... stages) {
        return SamplingParams.greedy().withTemperature(1.0f).withSeed(7).withOrder(List.of(stages));
    }

    private static int[] survivors(SamplingParams params, float... logits) {
        return new Sampler(params, logits.length).distribution(logits).stream().mapToInt(TokenLogprob::token).toArray();
    }

    private static float ln(double x) { return (float) Math.log(x); }

    /** Softmax over the given tokens' logits, in double. */
    private static double[] softmax(float[] logits, int... tokens) {
        double max = Double.NEGATIVE_INFINITY;
        for (int t : tokens) max = Math.max(max, logits[t]);
        double sum = 0;
        double[] p = new double[tokens.length];
        for (int i = 0; i < tokens.length; i++) sum += p[i] = Math.exp(logits[tokens[i]] - max);
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        return p;
    }

    private static void assertDistribution(List<TokenLogprob> actual, int[] tokens, double[] probabilities) {
        assertArrayEquals(tokens, actual.stream().mapToInt(TokenLogprob::token).toArray());
        for (int i = 0; i < tokens.length; i++) {
            assertEquals(probabilities[i], actual.get(i).probability(), 1e-6, "token " + tokens[i]);
        }
    }

    // --- top-k -----------------------------------------------------------------------------------------------

    @Test
    void topKKeepsTheKHighestWithTiesToLowerId() {
        float[] logits = {1, 5, 3, 5, 2};
        assertArrayEquals(new int[] {1, 3}, survivors(only(TOP_K).withTopK(2), logits));
        assertArrayEquals(new int[] {1}, survivors(only(TOP_K).withTopK(1), logits));
        assertArrayEquals(new int[] {1, 3, 2}, survivors(only(TOP_K).withTopK(3), logits));
        assertArrayEquals(new int[] {1, 3, 2, 4, 0}, survivors(only(TOP_K).withTopK(0), logits));
        assertArrayEquals(new int[] {1, 3, 2, 4, 0}, survivors(only(TOP_K).withTopK(99), logits));
    }

    @Test
    void topKRenormalisesOverSurvivors() {
        float[] logits = {1, 5, 3, 5, 2};
        List<TokenLogprob> d = new Sampler(only(TOP_K).withTopK(3), 5).distribution(logits);
        assertDistribution(d, new int[] {1, 3, 2}, softmax(logits, 1, 3, 2));
    }

    @Test
    void topKOnLargeVocabularyMatchesFullSort() {
        int vocab = 150_000;
        float[] logits = randomLogits(vocab, 11);
        for (int i = 0; i < 500; i++) logits[i * 7] = 4.0f; // plenty of exact ties
        Integer[] order = IntStream.range(0, vocab).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(t -> -logits[t]).thenComparingInt(t -> t));
        for (int k : new int[] {1, 40, 300, 5000, 60_000}) {
            int[] expected = Arrays.stream(order, 0, k).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(expected, survivors(only(TOP_K).withTopK(k), logits), "k=" + k);
        }
    }

    // --- top-p -----------------------------------------------------------------------------------------------

    @Test
    void topPIncludesTheTokenThatReachesP() {
        float[] uniform = {0, 0, 0, 0}; // each exactly 0.25
        assertArrayEquals(new int[] {0, 1}, survivors(only(TOP_P).withTopP(0.5f), uniform));
        assertArrayEquals(new int[] {0, 1, 2}, survivors(only(TOP_P).withTopP(Math.nextUp(0.5f)), uniform));
        assertArrayEquals(new int[] {0}, survivors(only(TOP_P).withTopP(0.25f), uniform));
        assertArrayEquals(new int[] {0}, survivors(only(TOP_P).withTopP(0.0f), uniform));
        assertArrayEquals(new int[] {0, 1, 2, 3}, survivors(only(TOP_P).withTopP(1.0f), uniform));
    }

    @Test
    void topPOrdersByProbability() {
        float[] logits = {ln(0.2), ln(0.5), ln(0.3)};
        assertArrayEquals(new int[] {1}, survivors(only(TOP_P).withTopP(0.49f), logits));
        assertArrayEquals(new int[] {1, 2}, survivors(only(TOP_P).withTopP(0.51f), logits));
        assertArrayEquals(new int[] {1, 2}, survivors(only(TOP_P).withTopP(0.79f), logits));
        assertArrayEquals(new int[] {1, 2, 0}, survivors(only(TOP_P).withTopP(0.81f), logits));
        assertDistribution(new Sampler(only(TOP_P).withTopP(0.79f), 3).distribution(logits),
                new int[] {1, 2}, new double[] {0.5 / 0.8, 0.3 / 0.8});
    }

    @Test
    void topPHonoursMinKeep() {
        float[] logits = {0, 0, 0, 0};
        assertArrayEquals(new int[] {0, 1, 2}, survivors(only(TOP_P).withTopP(0.25f).withMinKeep(3), logits));
        assertArrayEquals(new int[] {0, 1}, survivors(only(TOP_P).withTopP(0.5f).withMinKeep(1), logits));
    }

    @Test
    void topPOnLargeVocabularyMatchesDefinition() {
        int vocab = 150_000;
        // Peaked logits give a nucleus of a few tokens, wide ones thousands; flat ones more than half the vocabulary.
        for (float scale : new float[] {6.0f, 1.0f, 0.3f}) {
            float[] logits = randomLogits(vocab, 5);
            for (int i = 0; i < vocab; i++) logits[i] *= scale;
            for (float p : new float[] {0.5f, 0.9f, 0.95f}) {
                int[] expected = referenceTopP(logits, p, 0);
                assertArrayEquals(expected, survivors(only(TOP_P).withTopP(p), logits), "scale " + scale + " p " + p);
            }
            int[] expected = referenceTopP(logits, 0.5f, 20_000);
            assertArrayEquals(expected, survivors(only(TOP_P).withTopP(0.5f).withMinKeep(20_000), logits),
                    "scale " + scale + " min_keep 20000");
        }
    }

    private static int[] referenceTopP(float[] logits, float p, int minKeep) {
        Integer[] order = IntStream.range(0, logits.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(t -> -logits[t]).thenComparingInt(t -> t));
        float max = logits[order[0]];
        double sum = 0;
        for (float l : logits) sum += (float) Math.exp(l - max);
        // llama.cpp accumulates the nucleus mass in float; over ~10^5 tokens that visibly differs from double.
        float cumulative = 0;
        List<Integer> kept = new ArrayList<>();
        for (Integer t : order) {
            kept.add(t);
            cumulative += (float) ((float) Math.exp(logits[t] - max) / sum);
            if (cumulative >= p && kept.size() >= minKeep) break;
        }
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }

    // --- min-p -----------------------------------------------------------------------------------------------

    @Test
    void minPIsRelativeToTheMostProbableToken() {
        float[] logits = {-1, 0, -2, -1.1f, -3};
        // p_i >= 0.3 * p_max  <=>  logit_i >= max + ln 0.3 (about -1.204)
        assertArrayEquals(new int[] {1, 0, 3}, survivors(only(MIN_P).withMinP(0.3f), logits));
        float[] shifted = logits.clone();
        for (int i = 0; i < shifted.length; i++) shifted[i] += 10;
        assertArrayEquals(new int[] {1, 0, 3}, survivors(only(MIN_P).withMinP(0.3f), shifted));
        assertArrayEquals(new int[] {1, 0, 3, 2}, survivors(only(MIN_P).withMinP(0.1f), logits));
        assertArrayEquals(new int[] {1, 0, 3, 2, 4}, survivors(only(MIN_P).withMinP(0.0f), logits));
        assertArrayEquals(new int[] {1}, survivors(only(MIN_P).withMinP(0.9f), logits));
    }

    @Test
    void minPBoundaryIsIncluded() {
        float threshold = ln(0.3f); // the same float ln(p) the sampler computes
        float[] logits = {0, threshold, Math.nextDown(threshold)};
        assertArrayEquals(new int[] {0, 1}, survivors(only(MIN_P).withMinP(0.3f), logits));
        // The sorted path (after top-k sorted the candidates) draws the same line.
        assertArrayEquals(new int[] {0, 1}, survivors(only(TOP_K, MIN_P).withTopK(3).withMinP(0.3f), logits));
    }

    @Test
    void minPTopsUpToMinKeepWithTheNextBest() {
        float[] logits = {-1, 0, -2, -1.1f, -3};
        assertArrayEquals(new int[] {1, 0, 3, 2}, survivors(only(MIN_P).withMinP(0.3f).withMinKeep(4), logits));
        assertArrayEquals(new int[] {1, 0, 3}, survivors(only(MIN_P).withMinP(0.3f).withMinKeep(2), logits));
    }

    // --- typical-p -------------------------------------------------------------------------------------------

    @Test
    void typicalRanksByDistanceOfSurprisalFromEntropy() {
        float[] logits = {ln(0.4), ln(0.3), ln(0.3)};
        // H = -(0.4 ln 0.4 + 2 * 0.3 ln 0.3) = 1.0889; |-ln 0.4 - H| = 0.173 but |-ln 0.3 - H| = 0.115:
        // the two 0.3 tokens are more typical than the most probable one.
        double h = -(0.4 * Math.log(0.4) + 2 * 0.3 * Math.log(0.3));
        assertTrue(Math.abs(-Math.log(0.3) - h) < Math.abs(-Math.log(0.4) - h));
        assertArrayEquals(new int[] {1, 2}, survivors(only(TYPICAL_P).withTypicalP(0.5f), logits));
        assertArrayEquals(new int[] {1}, survivors(only(TYPICAL_P).withTypicalP(0.2f), logits));
        assertArrayEquals(new int[] {0, 1, 2}, survivors(only(TYPICAL_P).withTypicalP(0.7f), logits));
        assertArrayEquals(new int[] {0, 1, 2}, survivors(only(TYPICAL_P).withTypicalP(1.0f), logits));
        assertDistribution(new Sampler(only(TYPICAL_P).withTypicalP(0.5f), 3).distribution(logits),
                new int[] {1, 2}, new double[] {0.5, 0.5});
    }

    @Test
    void typicalDropsLowProbabilityOutliers() {
        float[] logits = {ln(0.7), ln(0.1), ln(0.1), ln(0.1)};
        // H = 0.9405: the 0.7 token is at distance 0.584, the 0.1 tokens at 1.362.
        assertArrayEquals(new int[] {0}, survivors(only(TYPICAL_P).withTypicalP(0.5f), logits));
        assertArrayEquals(new int[] {0, 1}, survivors(only(TYPICAL_P).withTypicalP(0.5f).withMinKeep(2), logits));
        assertArrayEquals(new int[] {0, 1}, survivors(only(TYPICAL_P).withTypicalP(0.75f), logits));
    }

    @Test
    void typicalNeedsMassStrictlyAboveP() {
        float[] uniform = {0, 0, 0, 0};
        // top-p stops once the mass reaches 0.5; typical-p only once it exceeds 0.5.
        assertArrayEquals(new int[] {0, 1}, survivors(only(TOP_P).withTopP(0.5f), uniform));
        assertArrayEquals(new int[] {0, 1, 2}, survivors(only(TYPICAL_P).withTypicalP(0.5f), uniform));
    }

    @Test
    void typicalOnLargerVocabularyMatchesDefinition() {
        int vocab = 20_000;
        float[] logits = randomLogits(vocab, 21);
        for (int i = 0; i < vocab; i++) logits[i] = Math.round(logits[i] * 8) / 8.0f; // many equal probabilities
        float p = 0.9f;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        double entropy = 0;
        double[] surprisal = new double[vocab];
        for (int t = 0; t < vocab; t++) {
            double prob = Math.exp(logits[t] - max) / sum;
            surprisal[t] = -Math.log(prob);
            entropy += prob * surprisal[t];
        }
        double h = entropy;
        Integer[] order = IntStream.range(0, vocab).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(t -> Math.abs(surprisal[t] - h)).thenComparingInt(t -> t));
        double cumulative = 0;
        List<Integer> expected = new ArrayList<>();
        for (Integer t : order) {
            expected.add(t);
            cumulative += Math.exp(-surprisal[t]);
            if (cumulative > p) break;
        }
        List<Integer> actual = new ArrayList<>(Arrays.stream(survivors(only(TYPICAL_P).withTypicalP(p), logits)).boxed().toList());
        expected.sort(null);
        actual.sort(null);
        assertEquals(expected, actual);
    }

    // --- temperature and greedy ------------------------------------------------------------------------------

    @Test
    void temperatureScalesLogits() {
        float[] logits = {1.0f, 0.5f, -0.5f, 2.0f};
        for (float t : new float[] {0.5f, 1.0f, 1.7f}) {
            float[] scaled = new float[logits.length];
            for (int i = 0; i < logits.length; i++) scaled[i] = logits[i] / t;
            assertDistribution(new Sampler(only(TEMPERATURE).withTemperature(t), 4).distribution(logits),
                    new int[] {3, 0, 1, 2}, softmax(scaled, 3, 0, 1, 2));
        }
    }

    @Test
    void zeroTemperatureLeavesOnlyTheArgmax() {
        float[] logits = {1.0f, 3.0f, 2.0f, 3.0f};
        List<TokenLogprob> d = new Sampler(only(TEMPERATURE).withTemperature(0.0f), 4).distribution(logits);
        assertEquals(List.of(new TokenLogprob(1, 0.0f)), d);
        assertEquals(1, new Sampler(only(TEMPERATURE).withTemperature(-1.0f), 4).sample(logits));
    }

    @Test
    void greedyIsArgmaxWithTiesToLowestId() {
        Random random = new Random(3);
        Sampler greedy = new Sampler(SamplingParams.greedy(), 50);
        for (int round = 0; round < 2000; round++) {
            float[] logits = new float[50];
            for (int i = 0; i < 50; i++) logits[i] = random.nextInt(8) - 4; // many ties
            int expected = 0;
            for (int i = 1; i < 50; i++) if (logits[i] > logits[expected]) expected = i;
            assertEquals(expected, greedy.sample(logits));
        }
    }

    @Test
    void defaultsWithZeroTemperatureAreGreedy() {
        float[] logits = randomLogits(32_000, 17);
        int argmax = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[argmax]) argmax = i;
        Sampler sampler = new Sampler(SamplingParams.defaults().withTemperature(0.0f), logits.length);
        for (int i = 0; i < 5; i++) assertEquals(argmax, sampler.sample(logits));
    }

    // --- penalties -------------------------------------------------------------------------------------------

    private static SamplingParams penalties(float repeat, float frequency, float presence, int lastN) {
        return only(PENALTIES).withRepeatPenalty(repeat).withFrequencyPenalty(frequency)
                .withPresencePenalty(presence).withPenaltyLastN(lastN);
    }

    @Test
    void penaltiesFollowLlamaCppRules() {
        float[] logits = {2, -2, 1, 0, 3};
        Sampler sampler = new Sampler(penalties(2.0f, 0.5f, 0.25f, 64), 5);
        for (int t : new int[] {0, 1, 0, 3}) sampler.accept(t);
        // counts: 0 twice, 1 and 3 once. Positive logits are divided by the repeat penalty, the others
        // multiplied, then count * frequency + presence is subtracted.
        float[] expected = {
                2 / 2.0f - (2 * 0.5f + 0.25f),   // -0.25
                -2 * 2.0f - (0.5f + 0.25f),      // -4.75
                1,                               // never seen
                0 * 2.0f - (0.5f + 0.25f),       // -0.75
                3};
        assertDistribution(sampler.distribution(logits), new int[] {4, 2, 0, 3, 1},
                softmax(expected, 4, 2, 0, 3, 1));
        assertArrayEquals(new float[] {2, -2, 1, 0, 3}, logits, "caller's logits untouched");
    }

    @Test
    void repeatPenaltyMakesRepeatedTokensLessLikelyWhateverTheSign() {
        float[] logits = {1.0f, -1.0f, 0.5f, -3.0f};
        Sampler sampler = new Sampler(penalties(1.5f, 0, 0, 64), 4);
        sampler.accept(0);
        sampler.accept(1);
        List<TokenLogprob> d = sampler.distribution(logits);
        // 1 / 1.5 = 0.667 and -1 * 1.5 = -1.5: both lower than before.
        assertDistribution(d, new int[] {0, 2, 1, 3}, softmax(new float[] {1 / 1.5f, -1.5f, 0.5f, -3.0f}, 0, 2, 1, 3));
    }

    @Test
    void penaltyWindowForgetsOldTokens() {
        float[] logits = {1, 1, 1, 1};
        Sampler sampler = new Sampler(penalties(1.0f, 0.0f, 1.0f, 2), 4);
        sampler.accept(0);
        sampler.accept(1);
        sampler.accept(2); // token 0 leaves the window of 2
        assertArrayEquals(new int[] {0, 3, 1, 2}, sampler.distribution(logits).stream().mapToInt(TokenLogprob::token).toArray());
        // window [2, 2] after 0, 1, 2, 2: token 1 has left, token 2 counts twice
        Sampler frequency = new Sampler(penalties(1.0f, 1.0f, 0.0f, 2), 4);
        for (int t : new int[] {0, 1, 2, 2}) frequency.accept(t);
        assertDistribution(frequency.distribution(logits), new int[] {0, 1, 3, 2},
                softmax(new float[] {1, 1, -1, 1}, 0, 1, 3, 2));
    }

    @Test
    void penaltyLastNZeroDisablesAndMinusOneKeepsEverything() {
        float[] logits = {1, 1, 1};
        Sampler off = new Sampler(penalties(1.0f, 0.0f, 5.0f, 0), 3);
        off.accept(0);
        assertArrayEquals(new int[] {0, 1, 2}, off.distribution(logits).stream().mapToInt(TokenLogprob::token).toArray());

        Sampler whole = new Sampler(penalties(1.0f, 0.0f, 5.0f, -1), 3);
        whole.accept(0);
        for (int i = 0; i < 10_000; i++) whole.accept(1);
        assertArrayEquals(new int[] {2, 0, 1}, whole.distribution(logits).stream().mapToInt(TokenLogprob::token).toArray());

        Sampler bounded = new Sampler(penalties(1.0f, 0.0f, 5.0f, 5000), 3);
        bounded.accept(0);
        for (int i = 0; i < 10_000; i++) bounded.accept(1);
        assertArrayEquals(new int[] {0, 2, 1}, bounded.distribution(logits).stream().mapToInt(TokenLogprob::token).toArray());
    }

    @Test
    void resetForgetsAcceptedTokens() {
        float[] logits = {1, 1};
        Sampler sampler = new Sampler(penalties(1.0f, 0.0f, 5.0f, 64), 2);
        sampler.accept(0);
        assertEquals(1, sampler.distribution(logits).getFirst().token());
        sampler.reset();
        assertEquals(0, sampler.distribution(logits).getFirst().token());
    }

    @Test
    void acceptRejectsTokensOutsideTheVocabulary() {
        Sampler sampler = new Sampler(SamplingParams.defaults(), 10);
        assertThrows(IllegalArgumentException.class, () -> sampler.accept(10));
        assertThrows(IllegalArgumentException.class, () -> sampler.accept(-1));
    }

    // --- logit bias ------------------------------------------------------------------------------------------

    @Test
    void logitBiasIsAddedBeforeEveryStage() {
        float[] logits = {2, -1, 0};
        SamplingParams params = SamplingParams.greedy().withTemperature(1.0f).withSeed(1)
                .withRepeatPenalty(2.0f).withPenaltyLastN(64).withLogitBias(Map.of(1, 5.0f));
        Sampler sampler = new Sampler(params, 3);
        sampler.accept(1);
        // bias first: (-1 + 5) / 2 = 2; the other way round it would be -1 * 2 + 5 = 3.
        assertDistribution(sampler.distribution(logits), new int[] {0, 1, 2},
                softmax(new float[] {2, 2, 0}, 0, 1, 2));
    }

    @Test
    void negativeInfiniteBiasBansATokenAndPositiveBiasForcesOne() {
        float[] logits = {5, 1, 0};
        Sampler banned = new Sampler(SamplingParams.defaults().withSeed(3)
                .withLogitBias(Map.of(0, Float.NEGATIVE_INFINITY)), 3);
        for (int i = 0; i < 200; i++) assertNotEquals(0, banned.sample(logits));
        Sampler forced = new Sampler(SamplingParams.greedy().withLogitBias(Map.of(2, 10.0f)), 3);
        assertEquals(2, forced.sample(logits));
        assertThrows(IllegalArgumentException.class,
                () -> new Sampler(SamplingParams.greedy().withLogitBias(Map.of(3, 1.0f)), 3));
    }

    @Test
    void allTokensBannedIsAnError() {
        Sampler sampler = new Sampler(SamplingParams.greedy().withLogitBias(
                Map.of(0, Float.NEGATIVE_INFINITY, 1, Float.NEGATIVE_INFINITY)), 2);
        assertThrows(IllegalStateException.class, () -> sampler.sample(new float[] {1, 2}));
    }

    // --- order -----------------------------------------------------------------------------------------------

    @Test
    void orderOfMinPAndTemperatureMatters() {
        float[] logits = {0, -1, -2};
        SamplingParams base = SamplingParams.greedy().withTemperature(0.5f).withMinP(0.3f);
        // min-p first: threshold -1.204 on the raw logits keeps 0 and 1. Temperature first: logits become
        // 0, -2, -4 and only token 0 passes.
        assertArrayEquals(new int[] {0, 1}, survivors(base.withOrder(List.of(MIN_P, TEMPERATURE)), logits));
        assertArrayEquals(new int[] {0}, survivors(base.withOrder(List.of(TEMPERATURE, MIN_P)), logits));
    }

    @Test
    void orderOfPenaltiesAndTopKMatters() {
        float[] logits = {3.0f, 2.9f, 1.0f};
        SamplingParams base = SamplingParams.greedy().withTopK(1).withRepeatPenalty(2.0f).withPenaltyLastN(64);
        Sampler penaltiesFirst = new Sampler(base.withOrder(List.of(PENALTIES, TOP_K, TEMPERATURE)), 3);
        Sampler topKFirst = new Sampler(base.withOrder(List.of(TOP_K, PENALTIES, TEMPERATURE)), 3);
        penaltiesFirst.accept(0);
        topKFirst.accept(0);
        assertEquals(1, penaltiesFirst.sample(logits));
        assertEquals(0, topKFirst.sample(logits));
    }

    @Test
    void stagesNotInTheOrderDoNothing() {
        float[] logits = {0, 0, 0, 0};
        assertArrayEquals(new int[] {0, 1, 2, 3},
                survivors(SamplingParams.greedy().withTemperature(1.0f).withTopK(1).withOrder(List.of()), logits));
    }

    // --- randomness ------------------------------------------------------------------------------------------

    private static int[] draws(Sampler sampler, float[] logits, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = sampler.sample(logits);
        return out;
    }

    @Test
    void sameSeedSameSequence() {
        float[] logits = randomLogits(1000, 2);
        SamplingParams params = SamplingParams.defaults().withTemperature(1.5f).withTopK(0).withMinP(0).withSeed(42);
        int[] a = draws(new Sampler(params, 1000), logits, 300);
        int[] b = draws(new Sampler(params, 1000), logits, 300);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, draws(new Sampler(params.withSeed(43), 1000), logits, 300)));
        Sampler again = new Sampler(params, 1000);
        draws(again, logits, 17);
        again.reset();
        assertArrayEquals(a, draws(again, logits, 300), "reset restarts the random stream");
    }

    @Test
    void randomSeedIsDrawnAndReported() {
        Sampler sampler = new Sampler(SamplingParams.defaults(), 10);
        assertNotEquals(SamplingParams.RANDOM_SEED, sampler.seed());
        assertEquals(123L, new Sampler(SamplingParams.defaults().withSeed(123), 10).seed());
    }

    @Test
    void sampledFrequenciesMatchSoftmaxProbabilities() {
        float[] logits = {1.0f, 0.5f, 0.0f, -0.5f, -1.0f, 2.0f, -4.0f};
        float temperature = 0.7f;
        Sampler sampler = new Sampler(only(TEMPERATURE).withTemperature(temperature).withSeed(1234), logits.length);
        int n = 200_000;
        int[] counts = new int[logits.length];
        for (int i = 0; i < n; i++) counts[sampler.sample(logits)]++;
        float[] scaled = new float[logits.length];
        for (int i = 0; i < logits.length; i++) scaled[i] = logits[i] / temperature;
        double[] p = softmax(scaled, 0, 1, 2, 3, 4, 5, 6);
        double chiSquare = 0;
        for (int t = 0; t < logits.length; t++) {
            double frequency = counts[t] / (double) n;
            double standardError = Math.sqrt(p[t] * (1 - p[t]) / n);
            assertEquals(p[t], frequency, 4 * standardError, "token " + t);
            chiSquare += Math.pow(counts[t] - n * p[t], 2) / (n * p[t]);
        }
        // 6 degrees of freedom: P(chi2 > 22.46) = 0.001
        assertTrue(chiSquare < 22.46, "chi-square " + chiSquare);
    }

    @Test
    void truncatedSamplingNeverLeavesTheSurvivors() {
        float[] logits = randomLogits(5000, 9);
        SamplingParams params = SamplingParams.defaults().withSeed(5).withTemperature(1.0f);
        Sampler sampler = new Sampler(params, logits.length);
        List<Integer> allowed = sampler.distribution(logits).stream().map(TokenLogprob::token).toList();
        assertTrue(allowed.size() <= 40);
        for (int i = 0; i < 2000; i++) assertTrue(allowed.contains(sampler.sample(logits)));
    }

    // --- log-probabilities -----------------------------------------------------------------------------------

    @Test
    void sampleReportsLogprobsOfTheFinalDistribution() {
        float[] logits = {0.0f, 2.0f, 1.0f, -1.0f, 1.5f};
        SamplingParams params = only(TOP_K, TEMPERATURE).withTopK(4).withTemperature(0.5f).withSeed(9);
        SampledToken result = new Sampler(params, 5).sample(logits, 3);
        float[] scaled = {0.0f, 4.0f, 2.0f, -2.0f, 3.0f};
        double[] p = softmax(scaled, 1, 4, 2, 0);
        assertEquals(3, result.topLogprobs().size());
        int[] expectedTop = {1, 4, 2};
        for (int i = 0; i < 3; i++) {
            assertEquals(expectedTop[i], result.topLogprobs().get(i).token());
            assertEquals(Math.log(p[i]), result.topLogprobs().get(i).logprob(), 1e-5);
        }
        int index = List.of(1, 4, 2, 0).indexOf(result.token());
        assertTrue(index >= 0, "drew a survivor");
        assertEquals(Math.log(p[index]), result.logprob(), 1e-5);

        SampledToken greedy = new Sampler(SamplingParams.greedy(), 5).sample(logits, 3);
        assertEquals(new SampledToken(1, 0.0f, List.of(new TokenLogprob(1, 0.0f))), greedy);
    }

    @Test
    void sampleWithLogprobsDrawsLikePlainSample() {
        float[] logits = randomLogits(3000, 4);
        SamplingParams params = SamplingParams.defaults().withSeed(77);
        Sampler plain = new Sampler(params, 3000);
        Sampler withLogprobs = new Sampler(params, 3000);
        for (int i = 0; i < 100; i++) assertEquals(plain.sample(logits), withLogprobs.sample(logits, 5).token());
    }

    @Test
    void rawTopLogprobsAreTheModelSoftmax() {
        float[] logits = {0.0f, 2.0f, 1.0f, 2.0f};
        List<TokenLogprob> top = Sampler.topLogprobs(logits, 3);
        double[] p = softmax(logits, 1, 3, 2, 0);
        assertEquals(List.of(1, 3, 2), top.stream().map(TokenLogprob::token).toList());
        for (int i = 0; i < 3; i++) assertEquals(Math.log(p[i]), top.get(i).logprob(), 1e-6);
    }

    // --- misc ------------------------------------------------------------------------------------------------

    @Test
    void defaultsAreLlamaCpps() {
        SamplingParams d = SamplingParams.defaults();
        assertEquals(0.8f, d.temperature());
        assertEquals(40, d.topK());
        assertEquals(0.95f, d.topP());
        assertEquals(0.05f, d.minP());
        assertEquals(1.0f, d.typicalP());
        assertEquals(1.0f, d.repeatPenalty());
        assertEquals(0.0f, d.presencePenalty());
        assertEquals(0.0f, d.frequencyPenalty());
        assertEquals(64, d.penaltyLastN());
        assertEquals(SamplingParams.RANDOM_SEED, d.seed());
        assertEquals(List.of(PENALTIES, TOP_K, TYPICAL_P, TOP_P, MIN_P, TEMPERATURE), d.order());
        assertEquals(Map.of(), d.logitBias());
        assertEquals(0, d.minKeep());
    }

    @Test
    void wrongLogitCountIsRejected() {
        Sampler sampler = new Sampler(SamplingParams.defaults(), 4);
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(new float[3]));
    }

    private static float[] randomLogits(int n, long seed) {
        Random random = new Random(seed);
        float[] logits = new float[n];
        for (int i = 0; i < n; i++) logits[i] = (float) (random.nextGaussian() * 3);
        return logits;
    }
}
