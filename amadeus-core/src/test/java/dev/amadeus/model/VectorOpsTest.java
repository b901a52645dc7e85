package dev.amadeus.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VectorOpsTest {

    /**
     * Decoding cuts a row's SwiGLU into one part per thread, of whole eights: every element then takes the same
     * exponential as in a call over the whole row (the approximation for all but a last part of fewer than eight,
     * the library's exponential for those), so the floats do not depend on the number of threads.
     */
    @ParameterizedTest
    @CsvSource({"172, 88", "5632, 2816", "5632, 8", "13, 8"})
    void swiGluInPartsOfWholeEightsEqualsTheWholeRow(int length, int cut) {
        Random rnd = new Random(length + cut);
        float[] gate = new float[length], up = new float[length];
        for (int i = 0; i < length; i++) {
            gate[i] = (float) (4 * rnd.nextGaussian());
            up[i] = (float) rnd.nextGaussian();
        }
        float[] whole = gate.clone(), parts = gate.clone();
        VectorOps.swiGlu(whole, up, 0, length);
        VectorOps.swiGlu(parts, up, 0, cut);
        VectorOps.swiGlu(parts, up, cut, length - cut);
        for (int i = 0; i < length; i++) {
            assertEquals(Float.floatToIntBits(whole[i]), Float.floatToIntBits(parts[i]), "element " + i);
        }
    }
}
