package dev.amadeus.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Vector API kernels against the scalar reference kernels, on random blocks of every type. */
class KernelAgreementTest {
    private static final TensorKernels SCALAR = TensorKernels.scalar();
    private static final TensorKernels VECTOR = TensorKernels.vector();

    /** Row lengths with an odd number of blocks (and, for float types, ragged tails and whole steps of 32). */
    static int[] oddLengths(GGMLType type) {
        return switch (type.blockSize) {
            case 1 -> new int[]{1, 7, 173, 1001, 256, 1056};
            case 32 -> new int[]{32, 96, 224, 1056};
            default -> new int[]{256, 768, 1280};
        };
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void dequantizeIsBitIdentical(GGMLType type) {
        Random rnd = new Random(1000 + type.id);
        for (int cols : oddLengths(type)) {
            MemorySegment data = TestBlocks.random(type, 3, cols, rnd);
            for (int row = 0; row < 3; row++) {
                float[] expected = new float[cols + 2];
                float[] actual = new float[cols + 2];
                SCALAR.dequantize(type, data, row * type.byteSize(cols), cols, expected, 1);
                VECTOR.dequantize(type, data, row * type.byteSize(cols), cols, actual, 1);
                for (int i = 0; i < cols + 2; i++) {
                    assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                            type + " cols " + cols + " row " + row + " element " + i);
                }
            }
        }
    }

    @Test
    void halfToFloatAgreesForEveryBitPattern() {
        MemorySegment all = MemorySegment.ofArray(new short[65536]);
        for (int h = 0; h < 65536; h++) all.setAtIndex(TestBlocks.F16, h, (short) h);
        float[] expected = new float[65536];
        float[] actual = new float[65536];
        SCALAR.dequantize(GGMLType.F16, all, 0, 65536, expected, 0);
        VECTOR.dequantize(GGMLType.F16, all, 0, 65536, actual, 0);
        for (int h = 0; h < 65536; h++) {
            assertEquals(Float.floatToIntBits(Float.float16ToFloat((short) h)), Float.floatToIntBits(expected[h]), "bits " + h);
            assertEquals(Float.floatToIntBits(expected[h]), Float.floatToIntBits(actual[h]), "bits " + h);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void dotsAgreeWithReferenceAndWithFloatArithmetic(GGMLType type) {
        Random rnd = new Random(2000 + type.id);
        for (int cols : oddLengths(type)) {
            int rows = 4;
            MemorySegment data = TestBlocks.random(type, rows, cols, rnd);
            float[] x = TestBlocks.gaussian(2 * cols, rnd);
            Activations a = new Activations();
            a.convert(type, x, 0, 2, cols);
            float[] w = new float[cols];
            for (int row = 0; row < rows; row++) {
                long offset = row * type.byteSize(cols);
                SCALAR.dequantize(type, data, offset, cols, w, 0);
                for (int xRow = 0; xRow < 2; xRow++) {
                    double exact = 0;      // dequantized weights times converted activations, in double
                    double floatDot = 0;   // dequantized weights times the original activations
                    double magnitude = 0;
                    double floatMagnitude = 0;
                    for (int i = 0; i < cols; i++) {
                        double xi = TestBlocks.activationValue(a, xRow * cols + i);
                        exact += w[i] * xi;
                        magnitude += Math.abs(w[i] * xi);
                        floatDot += w[i] * (double) x[xRow * cols + i];
                        floatMagnitude += Math.abs(w[i] * (double) x[xRow * cols + i]);
                    }
                    double minTerm = 0;  // Q8_1 carries sum(q)*d rounded to f16: allow for that rounding
                    if (a.format == GGMLType.Q8_1) {
                        for (int b = 0; b < cols / 32; b++) {
                            float m = Float.float16ToFloat(data.get(TestBlocks.F16, offset + (long) b * type.bytesPerBlock + 2));
                            minTerm += Math.abs(m * a.blockSums[xRow * cols / 32 + b]) * 0x1p-10;
                        }
                    }
                    float scalar = SCALAR.dot(type, data, offset, a, xRow * cols, cols);
                    float vector = VECTOR.dot(type, data, offset, a, xRow * cols, cols);
                    String where = type + " cols " + cols + " row " + row + " x " + xRow;
                    // Both sum in the same order (llama.cpp's, or for Q4_0 the 16-bit-lane kernel's, which the
                    // scalar code reproduces lane by lane): integer block sums are exact, and the float steps are
                    // the same operations, so they agree to the bit (a tolerance of 0 ulp).
                    assertEquals(Float.floatToIntBits(scalar), Float.floatToIntBits(vector), where + " vector vs scalar");
                    // A matrix of 3 rows: ggml's vec_dot order for float types.
                    float scalarVecDot = SCALAR.dot(type, data, offset, a, xRow * cols, cols, 3);
                    float vectorVecDot = VECTOR.dot(type, data, offset, a, xRow * cols, cols, 3);
                    assertEquals(Float.floatToIntBits(scalarVecDot), Float.floatToIntBits(vectorVecDot), where + " vec_dot order");
                    assertEquals(exact, scalarVecDot, 2e-6 * magnitude + minTerm + 1e-30, where + " vec_dot order vs exact");
                    assertEquals(exact, scalar, 2e-6 * magnitude + minTerm + 1e-30, where + " scalar vs exact");
                    // Converting x costs at most ~1% (Q8 rounding, relative to the block maximum) of sum |w x|.
                    assertEquals(floatDot, vector, 0.02 * floatMagnitude + 1e-6, where + " quantized vs float");
                }
            }
        }
    }

    /**
     * The Q8_0 and Q4_0 kernels add pairs of 8-bit products in 16-bit lanes; the largest products (weights
     * -128 or -8 against activations of ±127, all of one sign) must not overflow them. Every block's sum is
     * then an integer the float lanes hold exactly, so the result is known in closed form.
     */
    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"Q8_0", "Q4_0"})
    void extremeQuantsDoNotOverflowSixteenBitLanes(GGMLType type) {
        int cols = 256;
        int rows = 5;
        MemorySegment data = MemorySegment.ofArray(new byte[(int) type.byteSize(cols) * rows]);
        for (long o = 0; o < data.byteSize(); o += type.bytesPerBlock) {
            data.set(TestBlocks.F16, o, Float.floatToFloat16(1.0f));
            for (int j = 2; j < type.bytesPerBlock; j++) data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o + j, (byte) (type == GGMLType.Q8_0 ? 0x80 : 0));
        }
        float[] x = new float[cols];
        java.util.Arrays.fill(x, -1.0f);
        Activations a = new Activations();
        a.convert(type, x, 0, 1, cols);
        assertEquals(-127, a.quants[0]);
        float expected = (type == GGMLType.Q8_0 ? -128 : -8) * -127f * cols * a.scales[0];
        float[] out = new float[rows];
        for (TensorKernels kernels : new TensorKernels[]{SCALAR, VECTOR}) {
            kernels.dotTile(type, data, 0, type.byteSize(cols), rows, rows, a, 0, 1, out, 0, 0);
            for (float v : out) assertEquals(expected, v, Math.ulp(expected) * 8, kernels.getClass().getSimpleName());
        }
    }

    @Test
    void vectorKernelsUseAtLeastFourLanes() {
        assertTrue(VectorKernels.L >= 4 && VectorKernels.L <= 16, "float lanes " + VectorKernels.L);
        assertEquals(0, 32 % VectorKernels.BYTES_PER_CHUNK);
    }
}
