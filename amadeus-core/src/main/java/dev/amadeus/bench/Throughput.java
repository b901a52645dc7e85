package dev.amadeus.bench;

import java.util.Arrays;

/**
 * Tokens per second of the repetitions of one test, summarised as llama-bench does: each repetition's
 * rate is {@code tokens / seconds}, and the mean and sample standard deviation are taken over those
 * rates (its {@code avg_ts} and {@code stddev_ts}), not over the times.
 *
 * @param tokens       tokens evaluated per repetition
 * @param samples      tokens per second of each repetition, in run order
 * @param samplesNanos wall time of each repetition, in run order
 */
public record Throughput(int tokens, double mean, double stddev, double median, double min, double max,
                         double[] samples, long[] samplesNanos) {

    public static Throughput of(int tokens, long[] nanos) {
        if (nanos.length == 0) throw new IllegalArgumentException("no repetitions");
        double[] rates = new double[nanos.length];
        for (int i = 0; i < nanos.length; i++) rates[i] = tokens * 1e9 / Math.max(1, nanos[i]);
        double mean = 0;
        for (double r : rates) mean += r;
        mean /= rates.length;
        // Sample (n - 1) deviation, zero for a single repetition, as llama-bench's stdev.
        double sq = 0;
        for (double r : rates) sq += (r - mean) * (r - mean);
        double stddev = rates.length > 1 ? Math.sqrt(sq / (rates.length - 1)) : 0;
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        double median = sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Throughput(tokens, mean, stddev, median, sorted[0], sorted[sorted.length - 1], rates, nanos.clone());
    }

    @Override
    public double[] samples() {
        return samples.clone();
    }

    @Override
    public long[] samplesNanos() {
        return samplesNanos.clone();
    }
}
