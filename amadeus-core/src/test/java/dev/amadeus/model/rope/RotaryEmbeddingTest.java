package dev.amadeus.model.rope;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Rotation against the definition: pair i of the rotated part turns by {@code pos · base^(-2i/ropeDims)};
 * dimensions past {@code ropeDims} are left alone (partial rotary). Angles are exact (formed in double) even
 * at 131071 positions, where a float angle would be off by hundredths of a radian.
 */
class RotaryEmbeddingTest {

    @Test
    void interleavedPairsFullRotary() {
        check(64, 64, false);
    }

    @Test
    void neoxHalvesFullRotary() {
        check(64, 64, true);
    }

    @Test
    void partialRotaryLeavesTheRestUntouched() {
        check(64, 32, true);
        check(128, 64, false);
    }

    private static void check(int headDim, int ropeDims, boolean neox) {
        double base = 10000;
        int heads = 3;
        RotaryEmbedding rope = new RotaryEmbedding(headDim, ropeDims, neox, base, new NoScaling());
        Random random = new Random(7);
        for (int pos : new int[]{0, 1, 17, 4095, 131071}) {
            float[] v = new float[heads * headDim];
            for (int i = 0; i < v.length; i++) v[i] = (float) random.nextGaussian();
            float[] original = v.clone();
            float[] cosSin = new float[ropeDims];
            rope.angles(pos, cosSin);
            rope.rotate(v, 0, heads, cosSin);
            for (int h = 0; h < heads; h++) {
                int o = h * headDim;
                for (int i = 0; i < ropeDims / 2; i++) {
                    int a = neox ? o + i : o + 2 * i;
                    int b = neox ? o + i + ropeDims / 2 : o + 2 * i + 1;
                    double theta = pos * Math.pow(base, -2.0 * i / ropeDims);
                    double x0 = original[a], x1 = original[b];
                    assertEquals(x0 * Math.cos(theta) - x1 * Math.sin(theta), v[a], 2e-6, "pos " + pos + " pair " + i);
                    assertEquals(x0 * Math.sin(theta) + x1 * Math.cos(theta), v[b], 2e-6, "pos " + pos + " pair " + i);
                }
                for (int d = ropeDims; d < headDim; d++) {
                    assertEquals(original[o + d], v[o + d], 0.0, "dimension " + d + " must not rotate");
                }
            }
        }
    }
}
