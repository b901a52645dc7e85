package dev.amadeus.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class RowInterleavingTest {

    private static WeightMatrix randomQ4_0(int rows, int cols, long seed) {
        return random(GGMLType.Q4_0, rows, cols, seed);
    }

    /**
     * Random weights whose Q4_0 and Q8_0 block scales differ from block to block ({@link RandomWeights} gives
     * them all one scale), so that a kernel applying the wrong block's scale cannot pass; one in eight is an f16
     * subnormal, which the kernels convert by another path than normal halves.
     */
    private static WeightMatrix random(GGMLType type, int rows, int cols, long seed) {
        MemorySegment data = MemorySegment.ofArray(new byte[(int) type.byteSize(cols) * rows]);
        RandomWeights.fill(type, data, rows, cols, seed, 0.05f);
        if (type == GGMLType.Q4_0 || type == GGMLType.Q8_0) {
            Random rnd = new Random(seed);
            for (long o = 0; o < data.byteSize(); o += type.bytesPerBlock) {
                float d = Float.float16ToFloat(data.get(TestBlocks.F16, o));
                float scaled = rnd.nextInt(8) == 0 ? 0x1p-24f * (1 + rnd.nextInt(1023)) : d * (0.25f + 1.5f * rnd.nextFloat());
                data.set(TestBlocks.F16, o, Float.floatToFloat16(scaled));
            }
        }
        return new WeightMatrix("w", type, rows, cols, data);
    }

    /**
     * The copies, which move eight bytes at a time through transposes, put every byte where the layout (see
     * {@link RowInterleaving}) says, as a byte-by-byte placement does: rows of whole groups and a partial one, short
     * rows and rows of many blocks.
     */
    @ParameterizedTest
    @CsvSource({"Q4_0, 32, 1", "Q4_0, 70, 9", "Q4_0, 64, 176", "Q8_0, 8, 1", "Q8_0, 21, 9", "Q8_0, 16, 176"})
    void copiesPlaceEveryByteAsTheLayoutSays(GGMLType type, int rows, int blocks) {
        int cols = 32 * blocks;
        WeightMatrix w = random(type, rows, cols, 23);
        byte[] expected = type == GGMLType.Q4_0 ? placedQ4_0(w) : placedQ8_0(w);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment copy = w.interleaved(arena).interleavedData();
            assertEquals(expected.length, copy.byteSize());
            assertArrayEquals(expected, copy.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }

    /** Q4_0's layout byte by byte: per group of 32 rows and block, the scales by lane, then chunk t of quant byte t. */
    private static byte[] placedQ4_0(WeightMatrix w) {
        int groupRows = RowInterleaving.Q4_0_ROWS, blocks = w.cols() / 32, groups = w.rows() / groupRows;
        byte[] out = new byte[groups * blocks * groupRows * 18];
        for (int g = 0; g < groups; g++) {
            for (int b = 0; b < blocks; b++) {
                int dst = (g * blocks + b) * groupRows * 18;
                for (int r = 0; r < groupRows; r++) {
                    long src = (long) (g * groupRows + r) * w.rowBytes() + b * 18L;
                    int lane = RowInterleaving.q4_0Lane(r);
                    out[dst + 2 * lane] = w.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, src);
                    out[dst + 2 * lane + 1] = w.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, src + 1);
                    for (int t = 0; t < 16; t++) {
                        out[dst + 2 * groupRows + groupRows * t + lane] = w.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, src + 2 + t);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Q8_0's layout byte by byte: per group of eight rows and block, the scales, then chunk t of quant bytes 2t,
     * 2t + 1; every group's first 64 blocks, then every group's next 64, and so on.
     */
    private static byte[] placedQ8_0(WeightMatrix w) {
        int groupRows = RowInterleaving.ROWS, blocks = w.cols() / 32, groups = w.rows() / groupRows, panel = 64;
        int blockBytes = groupRows * 34;
        byte[] out = new byte[groups * blocks * blockBytes];
        for (int g = 0; g < groups; g++) {
            for (int b = 0; b < blocks; b++) {
                int first = b / panel * panel, width = Math.min(panel, blocks - first);
                int dst = groups * first * blockBytes + (g * width + b - first) * blockBytes;
                for (int r = 0; r < groupRows; r++) {
                    long src = (long) (g * groupRows + r) * w.rowBytes() + b * 34L;
                    for (int k = 0; k < 2; k++) out[dst + 2 * r + k] = w.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, src + k);
                    for (int t = 0; t < 16; t++) {
                        for (int k = 0; k < 2; k++) {
                            out[dst + 16 + 16 * t + 2 * r + k] = w.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, src + 2 + 2 * t + k);
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void onlyWholeGroupsOfQ4_0RowsAreInterleaved() {
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix w = randomQ4_0(70, 64, 1);
            WeightMatrix i = w.interleaved(arena);
            assertNotSame(w, i);
            assertEquals(64, i.interleavedRows());
            assertEquals(0, w.interleavedRows());
            assertSame(i, i.interleaved(arena));
            assertSame(w.data(), i.data());
            WeightMatrix few = randomQ4_0(31, 64, 2);
            assertSame(few, few.interleaved(arena));
            WeightMatrix other = random(GGMLType.Q5_K, 16, 256, 3);
            assertSame(other, other.interleaved(arena));
            assertEquals(16, random(GGMLType.Q8_0, 16, 64, 4).interleaved(arena).interleavedRows());
            assertEquals(8, random(GGMLType.Q4_K, 9, 512, 4).interleaved(arena).interleavedRows());
        }
    }

    /**
     * The vector kernels equal the scalar reference bit for bit, batched and one row at a time alike, and both
     * equal the exact dot product of the dequantized weights with the quantized activations up to float rounding.
     * Q8_0 rows of 4800 elements lie in three panels of their columns.
     */
    @ParameterizedTest
    @CsvSource({"Q4_0, 288", "Q8_0, 288", "Q8_0, 4800", "Q4_K, 768", "Q6_K, 768"})
    void interleavedProductsMatchTheScalarReferenceExactly(GGMLType type, int cols) {
        Random rnd = new Random(11);
        int rows = RowInterleaving.rowsPerGroup(type) * 5 + 3;   // five groups and a partial one, which stays in the original layout
        int batch = 7;          // a group of four activation rows and three single ones
        float[] x = TestBlocks.gaussian(batch * cols, rnd);
        try (Arena arena = Arena.ofShared(); ThreadPool pool = new ThreadPool(2); ThreadPool serial = new ThreadPool(1)) {
            WeightMatrix plain = random(type, rows, cols, 5);
            WeightMatrix w = plain.interleaved(arena);
            float[] batched = new float[batch * rows];
            MatMul.matMul(w, x, batch, batched, pool);
            float[] scalarBatched = new float[batch * rows];
            MatMul.matMul(TensorKernels.scalar(), w, x, batch, scalarBatched, serial);
            Activations a = new Activations();
            a.convert(type, x, 0, batch, cols);
            int scaleBlock = a.format().blockSize;
            float[] row = new float[cols];
            for (int b = 0; b < batch; b++) {
                float[] single = new float[rows];
                MatMul.matVec(w, x, b * cols, single, 0, pool);
                for (int r = 0; r < rows; r++) {
                    int at = b * rows + r;
                    assertEquals(Float.floatToIntBits(scalarBatched[at]), Float.floatToIntBits(batched[at]), "batched " + b + "," + r);
                    assertEquals(Float.floatToIntBits(batched[at]), Float.floatToIntBits(single[r]), "single " + b + "," + r);
                    plain.dequantizeRow(r, row, 0);
                    double exact = 0, magnitude = 0;
                    for (int i = 0; i < cols; i++) {
                        double xi = (double) a.quants[b * cols + i] * a.scales[(b * cols + i) / scaleBlock];
                        exact += row[i] * xi;
                        magnitude += Math.abs(row[i] * xi);
                    }
                    assertEquals(exact, batched[at], 1e-6 * magnitude + 1e-30, "exact " + b + "," + r);
                }
            }
        }
    }

    /**
     * Prompt-sized Q4_0, Q8_0, Q4_K and Q6_K products: the 512-bit kernels take two (Q4_0) or four (the others)
     * neighbouring groups at a time where a thread's range has them, and the remaining groups otherwise; all give the
     * reference's floats. Q8_0 rows of 150 blocks lie in three panels of their columns (64, 64 and 22 blocks); Q4_K and
     * Q6_K rows of ten super-blocks are widened in two panels (eight and two).
     */
    @ParameterizedTest
    @CsvSource({"Q4_0, 6", "Q8_0, 6", "Q8_0, 150", "Q4_K, 80", "Q6_K, 80"})
    void groupsTakenInPairsMatchTheReference(GGMLType type, int blocks) {
        Random rnd = new Random(17);
        int rows = RowInterleaving.rowsPerGroup(type) * 41 + 5, cols = 32 * blocks, batch = 6;
        float[] x = TestBlocks.gaussian(batch * cols, rnd);
        try (Arena arena = Arena.ofShared(); ThreadPool serial = new ThreadPool(1); ThreadPool pool = new ThreadPool(2)) {
            WeightMatrix w = random(type, rows, cols, 19).interleaved(arena);
            float[] reference = new float[batch * rows];
            MatMul.matMul(TensorKernels.scalar(), w, x, batch, reference, serial);
            for (ThreadPool threads : new ThreadPool[]{serial, pool}) {
                for (VectorKernels kernels : new VectorKernels[]{VectorKernels.NARROW, VectorKernels.WIDE}) {
                    float[] got = new float[batch * rows];
                    MatMul.matMul(kernels, w, x, batch, got, threads);
                    for (int i = 0; i < got.length; i++) {
                        assertEquals(Float.floatToIntBits(reference[i]), Float.floatToIntBits(got[i]),
                                kernels + ", " + threads.threads() + " threads, output " + i);
                    }
                }
            }
        }
    }

    /** The 512-bit kernels' product of a batch with these weights, one thread, bit for bit the scalar reference's. */
    private static void assertWidePrefillMatchesTheReference(GGMLType type, MemorySegment data, int rows, int cols, float[] x, int batch) {
        try (Arena arena = Arena.ofShared(); ThreadPool serial = new ThreadPool(1)) {
            WeightMatrix w = new WeightMatrix("extreme", type, rows, cols, data).interleaved(arena);
            float[] reference = new float[batch * rows];
            MatMul.matMul(TensorKernels.scalar(), w, x, batch, reference, serial);
            float[] got = new float[batch * rows];
            MatMul.matMul(VectorKernels.WIDE, w, x, batch, got, serial);
            for (int i = 0; i < got.length; i++) {
                assertEquals(Float.floatToIntBits(reference[i]), Float.floatToIntBits(got[i]), type + " output " + i);
            }
        }
    }

    /**
     * Q6_K weights of the largest magnitudes (six-bit values 0 and 63, sub-block scales -128 and 127) and wide
     * activations: super-block sums reach about 2^27, beyond what a float holds exactly, and the float prefill kernel
     * must still round each to the float nearest the integer sum, as the integer kernels and the reference do.
     */
    @Test
    void q6_KPrefillOfExtremeWeightsMatchesTheReference() {
        Random rnd = new Random(29);
        int rows = RowInterleaving.ROWS * 41, cols = 256 * 9, batch = 4;
        MemorySegment data = MemorySegment.ofArray(new byte[(int) GGMLType.Q6_K.byteSize(cols) * rows]);
        for (long o = 0; o < data.byteSize(); o += GGMLType.Q6_K.bytesPerBlock) {
            // Mostly -32 times -128 and positive activations, so that most products add up.
            for (int i = 0; i < 192; i++) data.set(ValueLayout.JAVA_BYTE, o + i, (byte) (rnd.nextInt(10) > 0 ? 0 : 0xFF));
            for (int i = 0; i < 16; i++) data.set(ValueLayout.JAVA_BYTE, o + 192 + i, (byte) (rnd.nextInt(10) > 0 ? -128 : 127));
            data.set(TestBlocks.F16, o + 208, Float.floatToFloat16(0.001f * (1 + rnd.nextInt(4))));
        }
        float[] x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) x[i] = (rnd.nextInt(10) > 0 ? 1 : -1) * (0.5f + rnd.nextFloat());
        assertWidePrefillMatchesTheReference(GGMLType.Q6_K, data, rows, cols, x, batch);
    }

    /**
     * Q4_K weights of the largest magnitudes (nibbles 15, scales and minimums 63) and positive activations: the
     * super-block sums of scaled products exceed 2^24, and the float prefill kernel must round them as the integer
     * kernels and the reference do.
     */
    @Test
    void q4_KPrefillOfExtremeWeightsMatchesTheReference() {
        Random rnd = new Random(31);
        int rows = RowInterleaving.ROWS * 41, cols = 256 * 9, batch = 4;
        MemorySegment data = MemorySegment.ofArray(new byte[(int) GGMLType.Q4_K.byteSize(cols) * rows]);
        for (long o = 0; o < data.byteSize(); o += GGMLType.Q4_K.bytesPerBlock) {
            data.set(TestBlocks.F16, o, Float.floatToFloat16(0.001f * (1 + rnd.nextInt(4))));
            data.set(TestBlocks.F16, o + 2, Float.floatToFloat16(0.002f * (1 + rnd.nextInt(4))));
            // Six-bit scales and minimums, mostly 63 (all bits set).
            for (int i = 0; i < 12; i++) data.set(ValueLayout.JAVA_BYTE, o + 4 + i, (byte) (rnd.nextInt(10) > 0 ? 0xFF : rnd.nextInt(256)));
            for (int i = 0; i < 128; i++) data.set(ValueLayout.JAVA_BYTE, o + 16 + i, (byte) (rnd.nextInt(10) > 0 ? 0xFF : rnd.nextInt(256)));
        }
        float[] x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) x[i] = (rnd.nextInt(10) > 0 ? 1 : -1) * (0.5f + rnd.nextFloat());
        assertWidePrefillMatchesTheReference(GGMLType.Q4_K, data, rows, cols, x, batch);
    }

    /**
     * The 512-bit kernels run where the CPU has them, the 256-bit ones elsewhere; both equal the scalar reference
     * bit for bit, one activation row and a batch alike (on a CPU without 512-bit vectors the wide ones run
     * emulated, slowly but exactly).
     */
    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"Q4_0", "Q8_0", "Q4_K", "Q6_K"})
    void kernelsOfEitherWidthMatchTheReference(GGMLType type) {
        Random rnd = new Random(5);
        int rows = RowInterleaving.rowsPerGroup(type) * 6, cols = type.blockSize == 256 ? 256 * 4 : 32 * 12;
        int batch = 5;
        float[] x = TestBlocks.gaussian(batch * cols, rnd);
        try (Arena arena = Arena.ofShared(); ThreadPool pool = new ThreadPool(2)) {
            WeightMatrix w = random(type, rows, cols, 13).interleaved(arena);
            float[] reference = new float[rows];
            MatMul.matVec(TensorKernels.scalar(), w, x, 0, reference, 0, pool);
            float[] batchReference = new float[batch * rows];
            MatMul.matMul(TensorKernels.scalar(), w, x, batch, batchReference, pool);
            for (VectorKernels kernels : new VectorKernels[]{VectorKernels.NARROW, VectorKernels.WIDE}) {
                float[] got = new float[rows];
                MatMul.matVec(kernels, w, x, 0, got, 0, pool);
                for (int r = 0; r < rows; r++) {
                    assertEquals(Float.floatToIntBits(reference[r]), Float.floatToIntBits(got[r]), kernels + " row " + r);
                }
                float[] batched = new float[batch * rows];
                MatMul.matMul(kernels, w, x, batch, batched, pool);
                for (int i = 0; i < batched.length; i++) {
                    assertEquals(Float.floatToIntBits(batchReference[i]), Float.floatToIntBits(batched[i]), kernels + " batched " + i);
                }
            }
        }
    }

    /**
     * The Q4_0 kernels sum nibbles times quants in 16-bit lanes; the largest sums (every nibble 15 or 0, every
     * quant -127) must not overflow them. Every block's sum is then an integer the floats hold exactly, so the
     * result is known in closed form, for one activation row and for four.
     */
    @Test
    void extremeQ4_0QuantsDoNotOverflowSixteenBitLanes() {
        int rows = 2 * RowInterleaving.Q4_0_ROWS, cols = 512;
        GGMLType type = GGMLType.Q4_0;
        MemorySegment data = MemorySegment.ofArray(new byte[(int) type.byteSize(cols) * rows]);
        for (int r = 0; r < rows; r++) {
            for (long o = r * type.byteSize(cols); o < (r + 1) * type.byteSize(cols); o += type.bytesPerBlock) {
                data.set(TestBlocks.F16, o, Float.floatToFloat16(1.0f));
                for (int j = 2; j < type.bytesPerBlock; j++) data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o + j, (byte) (r % 2 == 0 ? 0xFF : 0));
            }
        }
        int batch = 5;
        float[] x = new float[batch * cols];
        java.util.Arrays.fill(x, -1.0f);
        Activations a = new Activations();
        a.convert(type, x, 0, 1, cols);
        assertEquals(-127, a.quants[0]);
        try (Arena arena = Arena.ofShared(); ThreadPool pool = new ThreadPool(2)) {
            WeightMatrix w = new WeightMatrix("w", type, rows, cols, data).interleaved(arena);
            assertEquals(rows, w.interleavedRows());
            for (TensorKernels kernels : new TensorKernels[]{TensorKernels.scalar(), VectorKernels.NARROW, VectorKernels.WIDE}) {
                float[] out = new float[batch * rows];
                MatMul.matMul(kernels, w, x, batch, out, pool);
                float[] single = new float[rows];
                MatMul.matVec(kernels, w, x, 0, single, 0, pool);
                for (int r = 0; r < rows; r++) {
                    float expected = (r % 2 == 0 ? 7 : -8) * -127f * cols * a.scales[0];
                    assertEquals(expected, single[r], Math.ulp(expected) * 8, kernels + " row " + r);
                    for (int b = 0; b < batch; b++) assertEquals(expected, out[b * rows + r], Math.ulp(expected) * 8, kernels + " batched " + b + "," + r);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"Q4_0", "Q8_0", "Q4_K", "Q6_K"})
    void resultsDoNotChangeOnceTheKernelsAreCompiled(GGMLType type) {
        Random rnd = new Random(3);
        int rows = 64, cols = 2048;
        float[] x = TestBlocks.gaussian(cols, rnd);
        try (Arena arena = Arena.ofShared(); ThreadPool pool = new ThreadPool(2)) {
            WeightMatrix w = random(type, rows, cols, 9).interleaved(arena);
            float[] first = new float[rows];
            MatMul.matVec(w, x, 0, first, 0, pool);
            float[] later = new float[rows];
            for (int i = 0; i < 3000; i++) MatMul.matVec(w, x, 0, later, 0, pool);
            for (int r = 0; r < rows; r++) assertEquals(Float.floatToIntBits(first[r]), Float.floatToIntBits(later[r]), "row " + r);
        }
    }
}
