package dev.amadeus.tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link TensorKernels#dotTile} must give every output exactly the bits of the per-output {@link TensorKernels#dot}. */
class DotTileTest {
    private static final TensorKernels SCALAR = TensorKernels.scalar();
    private static final TensorKernels VECTOR = TensorKernels.vector();

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void tileEqualsPerOutputDot(GGMLType type) {
        Random rnd = new Random(4000 + type.id);
        // Matrix heights with and without factors 4 and 8 (they select different llama.cpp orders), tiles
        // that start mid-matrix and end short of a full group of rows.
        int[][] tiles = {{8, 0, 8}, {16, 0, 16}, {24, 8, 13}, {12, 4, 8}, {13, 0, 13}, {37, 3, 33}, {40, 8, 32}, {1, 0, 1}};
        for (int cols : KernelAgreementTest.oddLengths(type)) {
            for (int[] t : tiles) {
                int matrixRows = t[0], first = t[1], rows = t[2];
                MemorySegment data = TestBlocks.random(type, matrixRows, cols, rnd);
                long rowBytes = type.byteSize(cols);
                for (int n = 1; n <= 9; n += (n < 5 ? 1 : 4)) {
                    int xRows = n;
                    int xRow = xRows % 2;
                    float[] x = TestBlocks.gaussian((xRow + xRows) * cols, rnd);
                    Activations a = new Activations();
                    a.convert(type, x, 0, xRow + xRows, cols);
                    int stride = rows + 3;
                    for (TensorKernels kernels : new TensorKernels[]{SCALAR, VECTOR}) {
                        float[] out = new float[2 + xRows * stride];
                        Arrays.fill(out, Float.NaN);
                        kernels.dotTile(type, data, first * rowBytes, rowBytes, rows, matrixRows, a, xRow, xRows, out, 2, stride);
                        for (int b = 0; b < xRows; b++) {
                            for (int r = 0; r < rows; r++) {
                                float expected = SCALAR.dot(type, data, (first + r) * rowBytes, a, (xRow + b) * cols, cols, matrixRows);
                                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(out[2 + b * stride + r]),
                                        () -> kernels.getClass().getSimpleName() + " " + type + " cols " + cols + " matrix rows "
                                                + matrixRows + " tile " + Arrays.toString(t) + " x rows " + xRows);
                            }
                            for (int r = rows; r < stride && 2 + b * stride + r < out.length; r++) {
                                assertEquals(Float.NaN, out[2 + b * stride + r], "written outside the tile");
                            }
                        }
                    }
                }
            }
        }
    }
}
