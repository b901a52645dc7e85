package dev.amadeus.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Quantizers. The weight quantizers reproduce ggml's {@code quantize_row_q8_0_ref} and
 * {@code quantize_row_q4_0_ref} byte for byte, so files we write match files llama.cpp writes.
 * The activation quantizers reproduce what llama.cpp's CPU backend does to the input of a matrix product.
 */
public final class Quantizers {
    static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Quantizers() {
    }

    /** Q8_0 blocks of {@code n} floats (a multiple of 32) written at {@code dst[dstOffset..]}. */
    public static void quantizeQ8_0(float[] x, int xOffset, int n, MemorySegment dst, long dstOffset) {
        checkBlocks(n, 32);
        for (int b = 0; b < n / 32; b++) {
            int xb = xOffset + b * 32;
            long o = dstOffset + b * 34L;
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[xb + j]));
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            dst.set(F16, o, Float.floatToFloat16(d));
            for (int j = 0; j < 32; j++) {
                dst.set(ValueLayout.JAVA_BYTE, o + 2 + j, (byte) roundHalfAwayFromZero(x[xb + j] * id));
            }
        }
    }

    /** Q4_0 blocks of {@code n} floats (a multiple of 32) written at {@code dst[dstOffset..]}. */
    public static void quantizeQ4_0(float[] x, int xOffset, int n, MemorySegment dst, long dstOffset) {
        checkBlocks(n, 32);
        for (int b = 0; b < n / 32; b++) {
            int xb = xOffset + b * 32;
            long o = dstOffset + b * 18L;
            float amax = 0;
            float max = 0;
            for (int j = 0; j < 32; j++) {
                float v = x[xb + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            dst.set(F16, o, Float.floatToFloat16(d));
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(15, (int) (x[xb + j] * id + 8.5f));
                int q1 = Math.min(15, (int) (x[xb + j + 16] * id + 8.5f));
                dst.set(ValueLayout.JAVA_BYTE, o + 2 + j, (byte) (q0 | (q1 << 4)));
            }
        }
    }

    /**
     * Q8_0 (and, with {@code blockSums}, Q8_1) activations. We follow llama.cpp's x86 AVX path, not the
     * {@code _ref} one, because that is what our llama.cpp oracle runs: the reciprocal is {@code 127/amax}
     * and quants are rounded half to even. The stored scale is f16-rounded; the quants use the unrounded one.
     */
    static void activationQ8_0(float[] x, int xOffset, int n, byte[] quants, int qOffset,
                               float[] scales, int scaleOffset, float[] blockSums) {
        for (int b = 0; b < n / 32; b++) {
            int xb = xOffset + b * 32;
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[xb + j]));
            float d = amax / 127.0f;
            float id = amax != 0 ? 127.0f / amax : 0.0f;
            int sum = 0;
            for (int j = 0; j < 32; j++) {
                int q = (int) Math.rint(x[xb + j] * id);
                quants[qOffset + b * 32 + j] = (byte) q;
                sum += q;
            }
            scales[scaleOffset + b] = FloatFormats.roundToF16(d);
            if (blockSums != null) blockSums[scaleOffset + b] = FloatFormats.roundToF16(d * sum);
        }
    }

    /** Q8_K activations exactly as {@code quantize_row_q8_K_ref} (which llama.cpp's x86 backend uses). */
    static void activationQ8_K(float[] x, int xOffset, int n, byte[] quants, int qOffset,
                               float[] scales, int scaleOffset, int[] groupSums) {
        for (int b = 0; b < n / 256; b++) {
            int xb = xOffset + b * 256;
            int qb = qOffset + b * 256;
            float amax = 0;
            float max = 0;
            for (int j = 0; j < 256; j++) {
                float ax = Math.abs(x[xb + j]);
                if (ax > amax) {
                    amax = ax;
                    max = x[xb + j];
                }
            }
            int groups = qb / 16;
            if (amax == 0) {
                scales[scaleOffset + b] = 0;
                for (int j = 0; j < 256; j++) quants[qb + j] = 0;
                for (int g = 0; g < 16; g++) groupSums[groups + g] = 0;
                continue;
            }
            float iscale = -127.0f / max;
            for (int j = 0; j < 256; j++) {
                int q = (int) Math.rint(iscale * x[xb + j]);
                quants[qb + j] = (byte) Math.min(127, q);
            }
            for (int g = 0; g < 16; g++) {
                int sum = 0;
                for (int j = 0; j < 16; j++) sum += quants[qb + g * 16 + j];
                groupSums[groups + g] = sum;
            }
            scales[scaleOffset + b] = 1 / iscale;
        }
    }

    /** C's {@code roundf}: ties go away from zero, unlike {@link Math#round(float)}. */
    static float roundHalfAwayFromZero(float v) {
        return (float) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }

    private static void checkBlocks(int n, int blockSize) {
        if (n % blockSize != 0) throw new IllegalArgumentException(n + " is not a multiple of " + blockSize);
    }
}
