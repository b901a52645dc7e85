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

    /**
     * The vector SwiGLU gives the floats of the element-by-element reference, over inputs that reach the
     * approximation's special scaling and its overflow (|x| beyond 87 and 126 times ln 2), and rows whose length
     * is no multiple of the vector width.
     */
    @ParameterizedTest
    @CsvSource({"5632, 4", "2816, 60", "13, 4", "24, 200", "1000, 0.01"})
    void vectorSwiGluEqualsTheScalarReference(int length, double spread) {
        Random rnd = new Random(length);
        float[] gate = new float[length], up = new float[length];
        for (int i = 0; i < length; i++) {
            gate[i] = (float) (spread * rnd.nextGaussian());
            up[i] = (float) rnd.nextGaussian();
        }
        float[] vector = gate.clone(), scalar = gate.clone();
        VectorOps.swiGlu(vector, up, 0, length);
        VectorOps.swiGluScalar(scalar, up, 0, length);
        for (int i = 0; i < length; i++) {
            assertEquals(Float.floatToIntBits(scalar[i]), Float.floatToIntBits(vector[i]), "element " + i + " of " + gate[i]);
        }
    }
}
