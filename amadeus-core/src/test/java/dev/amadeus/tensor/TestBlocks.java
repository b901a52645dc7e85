package dev.amadeus.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/** Random raw blocks for kernel tests: every quant bit pattern is random, scales are finite and varied. */
final class TestBlocks {
    static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final GGMLType[] WEIGHT_TYPES = {
            GGMLType.F32, GGMLType.F16, GGMLType.BF16, GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.Q4_1, GGMLType.Q5_0,
            GGMLType.Q5_1, GGMLType.Q2_K, GGMLType.Q3_K, GGMLType.Q4_K, GGMLType.Q5_K, GGMLType.Q6_K};

    private TestBlocks() {
    }

    /** Byte offsets of the f16 scale fields inside one block. */
    static int[] scaleOffsets(GGMLType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q5_0 -> new int[]{0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[]{0, 2};
            case Q2_K -> new int[]{80, 82};
            case Q3_K -> new int[]{108};
            case Q6_K -> new int[]{208};
            default -> new int[0];
        };
    }

    /** {@code rows} rows of {@code cols} random elements, heap-backed. */
    static MemorySegment random(GGMLType type, int rows, int cols, Random rnd) {
        long size = type.byteSize(cols) * rows;
        byte[] bytes = new byte[Math.toIntExact(size)];
        rnd.nextBytes(bytes);
        MemorySegment s = MemorySegment.ofArray(bytes);
        switch (type) {
            case F32 -> {
                for (long i = 0; i < size / 4; i++) s.set(F32, 4 * i, (float) rnd.nextGaussian());
            }
            case F16 -> {
                for (long i = 0; i < size / 2; i++) s.set(F16, 2 * i, Float.floatToFloat16((float) rnd.nextGaussian()));
            }
            case BF16 -> {
                for (long i = 0; i < size / 2; i++) s.set(F16, 2 * i, FloatFormats.floatToBf16((float) rnd.nextGaussian()));
            }
            default -> {
                int[] offsets = scaleOffsets(type);
                for (long b = 0; b < size / type.bytesPerBlock; b++) {
                    for (int off : offsets) {
                        // Mostly ordinary magnitudes of either sign; now and then an f16 subnormal.
                        float v = rnd.nextInt(10) == 0 ? 3e-6f * rnd.nextFloat() : (float) (0.001 + 0.05 * rnd.nextDouble());
                        if (rnd.nextBoolean()) v = -v;
                        s.set(F16, b * type.bytesPerBlock + off, Float.floatToFloat16(v));
                    }
                }
            }
        }
        return s;
    }

    static float[] gaussian(int n, Random rnd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    /** The value an activation element stands for after conversion. */
    static double activationValue(Activations a, int i) {
        return switch (a.format) {
            case F32, F16, BF16 -> a.values[i];
            case Q8_0, Q8_1 -> a.quants[i] * (double) a.scales[i / 32];
            case Q8_K -> a.quants[i] * (double) a.scales[i / 256];
            default -> throw new IllegalStateException();
        };
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) b[i] = (byte) values[i];
        return b;
    }
}
