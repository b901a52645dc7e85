package dev.amadeus.tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomWeightsTest {

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void valuesHaveTheRequestedSpreadAndNoNaN(GGMLType type) {
        int rows = 24;
        int cols = 1024;
        for (float std : new float[]{0.02f, 1.0f}) {
            byte[] bytes = new byte[(int) type.byteSize(cols) * rows];
            RandomWeights.fill(type, MemorySegment.ofArray(bytes), rows, cols, 99, std);
            WeightMatrix w = new WeightMatrix("w", type, rows, cols, MemorySegment.ofArray(bytes));
            float[] row = new float[cols];
            double sum = 0;
            double sumSquares = 0;
            for (int r = 0; r < rows; r++) {
                w.dequantizeRow(r, row, 0);
                for (float v : row) {
                    assertTrue(Float.isFinite(v), type + " produced " + v);
                    sum += v;
                    sumSquares += (double) v * v;
                }
            }
            int n = rows * cols;
            double mean = sum / n;
            double measured = Math.sqrt(sumSquares / n - mean * mean);
            assertTrue(Math.abs(measured / std - 1) < 0.2, type + " std " + measured + " for target " + std);
            assertTrue(Math.abs(mean) < 0.05 * std, type + " mean " + mean + " for std " + std);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F16", "Q4_0", "Q5_1", "Q3_K", "Q5_K"})
    void rowsDependOnlyOnSeedAndRowIndex(GGMLType type) {
        int cols = 512;
        int rowBytes = (int) type.byteSize(cols);
        byte[] many = new byte[rowBytes * 64];
        byte[] again = new byte[rowBytes * 64];
        byte[] few = new byte[rowBytes * 3];
        RandomWeights.fill(type, MemorySegment.ofArray(many), 64, cols, 7, 0.1f);
        RandomWeights.fill(type, MemorySegment.ofArray(again), 64, cols, 7, 0.1f);
        RandomWeights.fill(type, MemorySegment.ofArray(few), 3, cols, 7, 0.1f);
        assertArrayEquals(many, again);
        assertArrayEquals(few, java.util.Arrays.copyOf(many, few.length));
        byte[] otherSeed = new byte[rowBytes * 3];
        RandomWeights.fill(type, MemorySegment.ofArray(otherSeed), 3, cols, 8, 0.1f);
        assertTrue(!java.util.Arrays.equals(few, otherSeed));
    }

    @org.junit.jupiter.api.Test
    void fillsSegmentsConfinedToTheCallingThread() {
        int rows = 300;
        int cols = 256;
        long size = GGMLType.Q4_K.byteSize(cols) * rows;
        byte[] heap = new byte[(int) size];
        RandomWeights.fill(GGMLType.Q4_K, MemorySegment.ofArray(heap), rows, cols, 5, 0.1f);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment confined = arena.allocate(size);
            RandomWeights.fill(GGMLType.Q4_K, confined, rows, cols, 5, 0.1f);
            assertArrayEquals(heap, confined.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }
}
