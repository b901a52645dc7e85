package dev.amadeus.tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MatMulTest {

    /**
     * A single activation row of 4096 elements or more is converted by all the threads, each taking whole blocks
     * (three threads: parts that do not start at a multiple of anything but the block); the products equal those
     * of the same row converted whole in a batch, bit for bit, plain and row-interleaved weights alike.
     */
    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void longRowsConvertedInPartsGiveTheSameProducts(GGMLType type) {
        Random rnd = new Random(500 + type.id);
        int rows = 40, cols = 256 * 19, batch = 3;
        MemorySegment data = MemorySegment.ofArray(new byte[(int) type.byteSize(cols) * rows]);
        RandomWeights.fill(type, data, rows, cols, 43, 0.05f);
        float[] x = TestBlocks.gaussian(batch * cols, rnd);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared(); ThreadPool pool = new ThreadPool(3)) {
            WeightMatrix plain = new WeightMatrix("w", type, rows, cols, data);
            for (WeightMatrix w : new WeightMatrix[]{plain, plain.interleaved(arena)}) {
                float[] batched = new float[batch * rows];
                MatMul.matMul(w, x, batch, batched, pool);
                for (int b = 0; b < batch; b++) {
                    float[] single = new float[rows];
                    MatMul.matVec(w, x, b * cols, single, 0, pool);
                    for (int r = 0; r < rows; r++) {
                        assertEquals(Float.floatToIntBits(batched[b * rows + r]), Float.floatToIntBits(single[r]),
                                type + " row " + b + " output " + r);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void matVecAndMatMulAgreeExactly(GGMLType type) {
        Random rnd = new Random(300 + type.id);
        int rows = 37;
        int cols = type.blockSize == 1 ? 173 : type.blockSize == 32 ? 224 : 768;
        int batch = 5;
        MemorySegment data = MemorySegment.ofArray(new byte[(int) type.byteSize(cols) * rows]);
        RandomWeights.fill(type, data, rows, cols, 42, 0.05f);
        WeightMatrix w = new WeightMatrix("w", type, rows, cols, data);
        float[] x = TestBlocks.gaussian(batch * cols, rnd);
        try (ThreadPool pool = new ThreadPool(3)) {
            float[] batched = new float[batch * rows];
            MatMul.matMul(w, x, batch, batched, pool);
            for (int b = 0; b < batch; b++) {
                float[] single = new float[rows + 3];
                MatMul.matVec(w, x, b * cols, single, 3, pool);
                for (int r = 0; r < rows; r++) {
                    assertEquals(Float.floatToIntBits(batched[b * rows + r]), Float.floatToIntBits(single[3 + r]),
                            type + " batch row " + b + " output " + r);
                }
                // Serial, scalar reference gives (nearly) the same numbers.
                float[] reference = new float[rows];
                try (ThreadPool serial = new ThreadPool(1)) {
                    MatMul.matVec(TensorKernels.scalar(), w, x, b * cols, reference, 0, serial);
                }
                float[] row = new float[cols];
                for (int r = 0; r < rows; r++) {
                    w.dequantizeRow(r, row, 0);
                    double magnitude = 0;
                    for (int i = 0; i < cols; i++) magnitude += Math.abs(row[i] * x[b * cols + i]);
                    assertEquals(reference[r], single[3 + r], 2e-6 * magnitude + 1e-30, type + " output " + r);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"Q8_0", "Q4_K"})
    void largeBatchesTileTheActivationsWithoutChangingResults(GGMLType type) {
        Random rnd = new Random(5);
        int rows = 9;
        int cols = 4096;
        int batch = 70;   // more than one activation tile at this row length
        MemorySegment data = MemorySegment.ofArray(new byte[(int) type.byteSize(cols) * rows]);
        RandomWeights.fill(type, data, rows, cols, 1, 0.02f);
        WeightMatrix w = new WeightMatrix("w", type, rows, cols, data);
        float[] x = TestBlocks.gaussian(batch * cols, rnd);
        try (ThreadPool pool = new ThreadPool(2)) {
            float[] batched = new float[batch * rows];
            MatMul.matMul(w, x, batch, batched, pool);
            float[] expected = new float[batch * rows];
            for (int b = 0; b < batch; b++) MatMul.matVec(w, x, b * cols, expected, b * rows, pool);
            assertArrayEquals(expected, batched);
        }
    }

    /**
     * Several matrices sharing one input (Q4_K and Q6_K share Q8_K activations, as a Q4_K_M file's projections
     * do), interleaved and not, with a partial row group each: every output equals its own matMul bit for bit.
     * The first matrix is Q6_K, whose kernels need less of the converted activations than Q4_K's; likewise Q4_0
     * before Q8_0, which share Q8_0 activations.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"Q6_K, Q4_K", "Q4_0, Q8_0"})
    void productsSharingTheirInputEqualSeparateProducts(GGMLType first, GGMLType others) {
        Random rnd = new Random(8);
        int cols = 512, batch = 6;
        GGMLType[] types = {first, others, others};
        int[] rows = {21, 43, 7};
        WeightMatrix[] ws = new WeightMatrix[types.length];
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared(); ThreadPool pool = new ThreadPool(2)) {
            for (int m = 0; m < ws.length; m++) {
                MemorySegment data = MemorySegment.ofArray(new byte[(int) types[m].byteSize(cols) * rows[m]]);
                RandomWeights.fill(types[m], data, rows[m], cols, 20 + m, 0.05f);
                ws[m] = new WeightMatrix("w" + m, types[m], rows[m], cols, data);
                if (m != 2) ws[m] = ws[m].interleaved(arena);
            }
            float[] x = TestBlocks.gaussian(batch * cols, rnd);
            for (int n : new int[]{1, batch}) {
                // A product of the first matrix alone, on other inputs, leaves what its kernels do not read stale.
                MatMul.matMul(ws[0], TestBlocks.gaussian(batch * cols, rnd), n, new float[n * rows[0]], pool);
                float[][] together = new float[ws.length][];
                for (int m = 0; m < ws.length; m++) together[m] = new float[n * rows[m]];
                assertEquals(true, MatMul.canShareActivations(ws));
                MatMul.matMulAll(ws, x, n, together, pool);
                for (int m = 0; m < ws.length; m++) {
                    float[] alone = new float[n * rows[m]];
                    for (int b = 0; b < n; b++) MatMul.matVec(ws[m], x, b * cols, alone, b * rows[m], pool);
                    assertArrayEquals(alone, together[m], "matrix " + m + ", batch " + n);
                }
            }
            WeightMatrix f16 = new WeightMatrix("f16", GGMLType.F16, 8, cols, MemorySegment.ofArray(new byte[(int) GGMLType.F16.byteSize(cols) * 8]));
            assertEquals(false, MatMul.canShareActivations(ws[0], f16));
        }
    }

    /**
     * The first calls run interpreted, later ones compiled by C1 and C2; a row must come out the same
     * float every time (the Vector API's own lane reduction does not guarantee that).
     */
    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "Q8_0", "Q4_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void resultsDoNotChangeOnceTheKernelsAreCompiled(GGMLType type) {
        int rows = 8;
        int cols = 2048;
        MemorySegment data = MemorySegment.ofArray(new byte[(int) type.byteSize(cols) * rows]);
        RandomWeights.fill(type, data, rows, cols, 11, 0.02f);
        WeightMatrix w = new WeightMatrix("w", type, rows, cols, data);
        float[] x = TestBlocks.gaussian(cols, new Random(12));
        try (ThreadPool pool = new ThreadPool(1)) {
            float[] first = new float[rows];
            MatMul.matVec(w, x, 0, first, 0, pool);
            float[] again = new float[rows];
            for (int call = 0; call < 400; call++) {
                MatMul.matVec(w, x, 0, again, 0, pool);
                assertArrayEquals(first, again, type + " call " + call);
            }
        }
    }
}
