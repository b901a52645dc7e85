package dev.amadeus.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ThroughputTest {

    @Test
    void statisticsAreTakenOverRatesNotTimes() {
        // 10 tokens in 1 s, 2 s and 0.5 s: 10, 5 and 20 t/s.
        Throughput t = Throughput.of(10, new long[]{1_000_000_000L, 2_000_000_000L, 500_000_000L});
        assertArrayEquals(new double[]{10, 5, 20}, t.samples(), 1e-9);
        assertEquals(35.0 / 3, t.mean(), 1e-9);
        double m = 35.0 / 3;
        double sampleVariance = ((10 - m) * (10 - m) + (5 - m) * (5 - m) + (20 - m) * (20 - m)) / 2;
        assertEquals(Math.sqrt(sampleVariance), t.stddev(), 1e-9);
        assertEquals(10, t.median(), 1e-9);
        assertEquals(5, t.min(), 1e-9);
        assertEquals(20, t.max(), 1e-9);
        assertEquals(10, t.tokens());
    }

    @Test
    void oneRepetitionHasZeroDeviationAndEvenCountsAverageTheMiddlePair() {
        Throughput one = Throughput.of(4, new long[]{2_000_000_000L});
        assertEquals(2, one.mean(), 1e-9);
        assertEquals(0, one.stddev());
        Throughput four = Throughput.of(1, new long[]{1_000_000_000L, 500_000_000L, 250_000_000L, 125_000_000L});
        assertEquals(3, four.median(), 1e-9); // rates 1, 2, 4, 8
    }
}
