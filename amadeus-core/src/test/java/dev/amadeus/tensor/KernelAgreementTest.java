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
                    // Both follow llama.cpp's order of operations, so they agree to the bit, in both orders.
                    assertEquals(Float.floatToIntBits(scalar), Float.floatToIntBits(vector), where + " vector vs scalar");
                    // A matrix of 3 rows: ggml's vec_dot order for float types, no repacking for Q4_0.
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

    @Test
    void vectorKernelsUseAtLeastFourLanes() {
        assertTrue(VectorKernels.L >= 4 && VectorKernels.L <= 16, "float lanes " + VectorKernels.L);
        assertEquals(0, 32 % VectorKernels.BYTES_PER_CHUNK);
    }
}
