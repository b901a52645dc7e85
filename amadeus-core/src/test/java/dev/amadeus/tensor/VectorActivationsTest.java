package dev.amadeus.tensor;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vector activation conversions give the scalar references' arrays to the bit, special values included. */
class VectorActivationsTest {

    @Test
    void vectorsAreUsedOnThisMachine() {
        // Otherwise the comparisons below would compare the scalar code with itself.
        assertTrue(VectorActivations.SUPPORTED, "vector activation conversion needs eight float lanes");
    }

    @Test
    void q8_0ConversionMatchesTheScalarReference() {
        for (int cols : new int[]{64, 2048, 5632}) {
            for (int rows : new int[]{1, 3}) {
                float[] x = activations(rows, cols, 32, cols * 31L + rows);
                for (GGMLType weights : new GGMLType[]{GGMLType.Q8_0, GGMLType.Q4_0}) {
                    compare(weights, x, rows, cols);
                }
            }
        }
    }

    @Test
    void q8_KConversionMatchesTheScalarReference() {
        for (int cols : new int[]{256, 2048, 5632}) {
            for (int rows : new int[]{1, 3}) {
                float[] x = activations(rows, cols, 256, cols * 17L + rows);
                for (GGMLType weights : new GGMLType[]{GGMLType.Q4_K, GGMLType.Q6_K}) {
                    compare(weights, x, rows, cols);
                }
            }
        }
    }

    private static void compare(GGMLType weights, float[] x, int rows, int cols) {
        for (int threads : new int[]{1, 2}) {
            try (ThreadPool pool = new ThreadPool(threads)) {
                Set<Activations.Extra> extras = Activations.formatFor(weights) == GGMLType.Q8_0
                        ? EnumSet.allOf(Activations.Extra.class)
                        : EnumSet.of(Activations.Extra.EVEN_ODD, Activations.Extra.PAIRS, Activations.Extra.PAIR_QUADS);
                Activations vector = new Activations(true), scalar = new Activations(false);
                vector.convert(weights, x, 0, rows, cols, extras, pool);
                scalar.convert(weights, x, 0, rows, cols, extras, pool);
                String what = weights + " activations, " + rows + " x " + cols + ", " + threads + " threads: ";
                int n = rows * cols;
                assertArrayEquals(Arrays.copyOf(scalar.quants, n), Arrays.copyOf(vector.quants, n), what + "quants");
                int blocks = n / scalar.format().blockSize;
                assertArrayEquals(bits(scalar.scales, blocks), bits(vector.scales, blocks), what + "scales");
                assertArrayEquals(Arrays.copyOf(scalar.pairs, n / 2), Arrays.copyOf(vector.pairs, n / 2), what + "pairs");
                assertArrayEquals(Arrays.copyOf(scalar.pairQuads, n / 4), Arrays.copyOf(vector.pairQuads, n / 4), what + "quads");
                if (scalar.format() == GGMLType.Q8_0) {
                    assertArrayEquals(Arrays.copyOf(scalar.wide, n), Arrays.copyOf(vector.wide, n), what + "16-bit quants");
                    assertArrayEquals(Arrays.copyOf(scalar.evenOdd, n), Arrays.copyOf(vector.evenOdd, n), what + "even and odd");
                    assertArrayEquals(Arrays.copyOf(scalar.quantSums, n / 32), Arrays.copyOf(vector.quantSums, n / 32), what + "sums");
                    assertArrayEquals(Arrays.copyOf(scalar.quantFloats, n), Arrays.copyOf(vector.quantFloats, n), what + "quants as floats");
                } else {
                    assertArrayEquals(Arrays.copyOf(scalar.groupSums, n / 16), Arrays.copyOf(vector.groupSums, n / 16), what + "group sums");
                }
            }
        }
    }

    private static int[] bits(float[] a, int n) {
        int[] b = new int[n];
        for (int i = 0; i < n; i++) b[i] = Float.floatToRawIntBits(a[i]);
        return b;
    }

    /**
     * Gaussian activations of varied magnitude per block, and blocks that test the edges: quants exactly
     * halfway between integers, all zeros (some negative), subnormals only, an infinity, a NaN, and the largest
     * magnitude twice with opposite signs (the Q8_K reference takes the first one's sign).
     */
    private static float[] activations(int rows, int cols, int block, long seed) {
        Random random = new Random(seed);
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        int blocks = x.length / block;
        for (int b = 0; b < blocks; b++) {
            int o = b * block;
            float scale = (float) Math.pow(10, random.nextInt(9) - 6);
            for (int j = 0; j < block; j++) x[o + j] *= scale;
            switch (b % 9) {
                case 1 -> {
                    // Largest magnitude 127: the scale is 1, so these land halfway between two quants.
                    for (int j = 0; j < block; j++) x[o + j] = (random.nextInt(254) - 127) + (j % 2 == 0 ? 0.5f : 0f);
                    x[o] = 127;
                    x[o + 1] = -126.5f;
                }
                case 2 -> {
                    for (int j = 0; j < block; j++) x[o + j] = j % 3 == 0 ? -0.0f : 0.0f;
                }
                case 3 -> {
                    for (int j = 0; j < block; j++) x[o + j] = Float.MIN_VALUE * (random.nextInt(2000) - 1000);
                }
                case 4 -> x[o + random.nextInt(block)] = random.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
                case 5 -> x[o + random.nextInt(block)] = Float.NaN;
                case 6 -> {
                    int first = random.nextInt(block / 2), second = block / 2 + random.nextInt(block / 2);
                    x[o + first] = -50 * scale;
                    x[o + second] = 50 * scale;
                }
                default -> {
                }
            }
        }
        return x;
    }
}
