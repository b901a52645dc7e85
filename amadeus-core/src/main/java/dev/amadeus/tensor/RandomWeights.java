package dev.amadeus.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/** Placeholder (F32/F16) until the kernel package lands. */
public final class RandomWeights {
    public static void fill(GGMLType type, MemorySegment dest, long rows, int cols, long seed, float std) {
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < rows * cols; i++) {
            float v = (float) (r.nextGaussian() * std);
            if (type == GGMLType.F32) dest.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i * 4, v);
            else dest.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i * 2, Float.floatToFloat16(v));
        }
    }
}
