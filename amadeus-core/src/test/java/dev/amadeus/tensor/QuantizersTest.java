package dev.amadeus.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantizersTest {

    @Test
    void roundfTiesGoAwayFromZero() {
        assertEquals(3f, Quantizers.roundHalfAwayFromZero(2.5f));
        assertEquals(-3f, Quantizers.roundHalfAwayFromZero(-2.5f));
        assertEquals(0f, Quantizers.roundHalfAwayFromZero(0.49999997f));
        assertEquals(1f, Quantizers.roundHalfAwayFromZero(0.5f));
    }

    @Test
    void q8_0KnownBlock() {
        // amax 127 gives d = 1 exactly, so quants are roundf(x): ties away from zero.
        float[] x = new float[32];
        x[0] = 127;
        x[1] = 2.5f;
        x[2] = -2.5f;
        x[3] = 1.49f;
        x[4] = -126.5f;
        byte[] out = new byte[34];
        Quantizers.quantizeQ8_0(x, 0, 32, MemorySegment.ofArray(out), 0);
        assertEquals(0x3C00, (out[0] & 0xFF) | (out[1] & 0xFF) << 8);
        assertEquals(127, out[2]);
        assertEquals(3, out[3]);
        assertEquals(-3, out[4]);
        assertEquals(1, out[5]);
        assertEquals(-127, out[6]);
        assertEquals(0, out[7]);
    }

    @Test
    void q4_0KnownBlock() {
        // The signed maximum -4 gives d = 0.5 and id = 2; q = min(15, trunc(x * 2 + 8.5)).
        float[] x = new float[32];
        x[0] = -4;
        x[1] = 1;      // 10.5 -> 10
        x[2] = 4;      // 16.5 -> clamped to 15
        x[16] = -1.3f; // 5.9 -> 5
        x[17] = 0.2f;  // 8.9 -> 8
        byte[] out = new byte[18];
        Quantizers.quantizeQ4_0(x, 0, 32, MemorySegment.ofArray(out), 0);
        assertEquals(0x3800, (out[0] & 0xFF) | (out[1] & 0xFF) << 8);
        assertEquals(0 | 5 << 4, out[2] & 0xFF);
        assertEquals(10 | 8 << 4, out[3] & 0xFF);
        assertEquals(15 | 8 << 4, out[4] & 0xFF);
    }

    @Test
    void q8_0AndQ4_0RoundTrip() {
        Random rnd = new Random(7);
        int n = 32 * 41;
        float[] x = TestBlocks.gaussian(n, rnd);
        for (int i = 0; i < n; i += 97) x[i] *= 20;   // a few outliers
        for (GGMLType type : new GGMLType[]{GGMLType.Q8_0, GGMLType.Q4_0}) {
            MemorySegment data = MemorySegment.ofArray(new byte[(int) type.byteSize(n)]);
            if (type == GGMLType.Q8_0) Quantizers.quantizeQ8_0(x, 0, n, data, 0);
            else Quantizers.quantizeQ4_0(x, 0, n, data, 0);
            float[] y = new float[n];
            TensorKernels.scalar().dequantize(type, data, 0, n, y, 0);
            for (int b = 0; b < n / 32; b++) {
                float amax = 0;
                for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[32 * b + j]));
                // Half a step, plus the step itself for Q4_0's clamp at +7, plus the f16 rounding of d.
                double step = type == GGMLType.Q8_0 ? amax / 127.0 : amax / 8.0;
                double bound = (type == GGMLType.Q8_0 ? 0.5 : 1.0) * step + 128 * step * 0x1p-11;
                for (int j = 0; j < 32; j++) {
                    int i = 32 * b + j;
                    assertTrue(Math.abs(y[i] - x[i]) <= bound, type + " element " + i + ": " + x[i] + " -> " + y[i]);
                }
            }
        }
    }

    @Test
    void activationQ8_0RoundsHalfToEven() {
        float[] x = new float[32];
        x[0] = 127;
        x[1] = 2.5f;
        x[2] = 3.5f;
        x[3] = -2.5f;
        Activations a = new Activations();
        a.convert(GGMLType.Q4_0, x, 0, 1, 32);
        assertEquals(GGMLType.Q8_0, a.format());
        assertEquals(1f, a.scales[0]);
        assertEquals(127, a.quants[0]);
        assertEquals(2, a.quants[1]);
        assertEquals(4, a.quants[2]);
        assertEquals(-2, a.quants[3]);

        a.convert(GGMLType.Q5_1, x, 0, 1, 32);
        assertEquals(GGMLType.Q8_1, a.format());
        assertEquals(127 + 2 + 4 - 2, a.blockSums[0]);
    }

    @Test
    void activationQ8_KUsesSignedMaximum() {
        float[] x = new float[512];
        x[3] = 127;        // block 0: max positive, so iscale = -1 and d = -1 (negative, as in ggml)
        x[4] = 2.5f;       // rint(-2.5) = -2
        x[20] = -3.5f;     // rint(3.5) = 4
        // block 1 stays all zero
        Activations a = new Activations();
        a.convert(GGMLType.Q4_K, x, 0, 1, 512);
        assertEquals(GGMLType.Q8_K, a.format());
        assertEquals(-1f, a.scales[0]);
        assertEquals(-127, a.quants[3]);
        assertEquals(-2, a.quants[4]);
        assertEquals(4, a.quants[20]);
        assertEquals(-129, a.groupSums[0]);
        assertEquals(4, a.groupSums[1]);
        assertEquals(0f, a.scales[1]);
        for (int g = 16; g < 32; g++) assertEquals(0, a.groupSums[g]);
    }

    @Test
    void bf16RoundsToNearestEvenAndQuietsNaN() {
        assertEquals((short) 0x3F80, FloatFormats.floatToBf16(Float.intBitsToFloat(0x3F808000)));  // tie, even below
        assertEquals((short) 0x3F82, FloatFormats.floatToBf16(Float.intBitsToFloat(0x3F818000)));  // tie, even above
        assertEquals((short) 0x3F81, FloatFormats.floatToBf16(Float.intBitsToFloat(0x3F808001)));
        assertEquals((short) 0x7FC0, FloatFormats.floatToBf16(Float.intBitsToFloat(0x7F800001)));
        assertEquals((short) 0x7F80, FloatFormats.floatToBf16(Float.POSITIVE_INFINITY));
    }
}
