package dev.amadeus.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Reference kernels: plain loops that follow ggml's {@code dequantize_row_*} and scalar
 * {@code ggml_vec_dot_*} code, operation for operation. Slow, but the yardstick for {@link VectorKernels}.
 */
final class ScalarKernels implements TensorKernels {
    static final ScalarKernels INSTANCE = new ScalarKernels();

    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ScalarKernels() {
    }

    static int u8(MemorySegment s, long offset) {
        return s.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    static int i8(MemorySegment s, long offset) {
        return s.get(ValueLayout.JAVA_BYTE, offset);
    }

    static float f16(MemorySegment s, long offset) {
        return Float.float16ToFloat(s.get(SHORT, offset));
    }

    /** Q4_K/Q5_K packing of eight 6-bit scales and eight 6-bit mins in 12 bytes; returns {@code scale | min << 8}. */
    static int scaleMinK4(MemorySegment s, long scales, int j) {
        int sc;
        int m;
        if (j < 4) {
            sc = u8(s, scales + j) & 63;
            m = u8(s, scales + j + 4) & 63;
        } else {
            sc = (u8(s, scales + j + 4) & 15) | ((u8(s, scales + j - 4) >> 6) << 4);
            m = (u8(s, scales + j + 4) >> 4) | ((u8(s, scales + j) >> 6) << 4);
        }
        return sc | m << 8;
    }

    /** Q3_K's 6-bit signed scale of sub-block {@code j} (0..15). */
    static int scaleQ3K(MemorySegment s, long scales, int j) {
        int low4 = j < 8 ? u8(s, scales + j) & 15 : u8(s, scales + j - 8) >> 4;
        int high2 = (u8(s, scales + 8 + j % 4) >> (2 * (j / 4))) & 3;
        return (low4 | high2 << 4) - 32;
    }

    @Override
    public void dequantize(GGMLType type, MemorySegment s, long o, int count, float[] y, int yo) {
        switch (type) {
            case F32 -> dequantizeF32(type, s, o, count, y, yo);
            case F16 -> dequantizeF16(type, s, o, count, y, yo);
            case BF16 -> dequantizeBF16(type, s, o, count, y, yo);
            case Q8_0 -> dequantizeQ8_0(type, s, o, count, y, yo);
            case Q4_0 -> dequantizeQ4_0(type, s, o, count, y, yo);
            case Q4_1 -> dequantizeQ4_1(type, s, o, count, y, yo);
            case Q5_0 -> dequantizeQ5_0(type, s, o, count, y, yo);
            case Q5_1 -> dequantizeQ5_1(type, s, o, count, y, yo);
            case Q2_K -> dequantizeQ2_K(type, s, o, count, y, yo);
            case Q3_K -> dequantizeQ3_K(type, s, o, count, y, yo);
            case Q4_K, Q5_K -> dequantizeQ4_KOrQ5_K(type, s, o, count, y, yo);
            case Q6_K -> dequantizeQ6_K(type, s, o, count, y, yo);
            default -> throw new IllegalArgumentException("unsupported weight type " + type);
        }
    }

    private static void dequantizeF32(GGMLType type, MemorySegment s, long o, int count, float[] y, int yo) {
        for (int i = 0; i < count; i++) y[yo + i] = s.get(FLOAT, o + 4L * i);
    }

    private static void dequantizeF16(GGMLType type, MemorySegment s, long o, int count, float[] y, int yo) {
        for (int i = 0; i < count; i++) y[yo + i] = f16(s, o + 2L * i);
    }

    private static void dequantizeBF16(GGMLType type, MemorySegment s, long o, int count, float[] y, int yo) {
        for (int i = 0; i < count; i++) y[yo + i] = FloatFormats.bf16ToFloat(s.get(SHORT, o + 2L * i));
    }

    private static void dequantizeQ8_0(GGMLType type, MemorySegment s, long o, int count, float[] y, int yo) {
        int blocks = count / type.blockSize;
        for (int b = 0; b < blocks; b++, o += 34, yo += 32) {
            float d = f16(s, o);
            for (int j = 0; j < 32; j++) y[yo + j] = i8(s, o + 2 + j) * d;
        }
    }

    private static void dequantizeQ4_0(GGMLType type, MemorySegment s, long o, int count, float[] y, int yo) {
        int blocks = count / type.blockSize;
        for (int b = 0; b < blocks; b++, o += 18, yo += 32) {
            float d = f16(s, o);
            for (int j = 0; j < 16; j++) {
                int q = u8(s, o + 2 + j);
                y[yo + j] = ((q & 0xF) - 8) * d;
                y[yo + j + 16] = ((q >> 4) - 8) * d;
            }
        }
    }

    private static void dequantizeQ4_1(GGMLType type, MemorySegment s, long o, int count, float[] y, int yo) {
        int blocks = count / type.blockSize;
        for (int b = 0; b < blocks; b++, o += 20, yo += 32) {
            float d = f16(s, o);
            float m = f16(s, o + 2);
            for (int j = 0; j < 16; j++) {
                int q = u8(s, o + 4 + j);
                y[yo + j] = (q & 0xF) * d + m;
                y[yo + j + 16] = (q >> 4) * d + m;
            }
        }
    }

    private static void dequantizeQ5_0(GGMLType type, MemorySegment s, long o, int count, float[] y, int yo) {
        int blocks = count / type.blockSize;
        for (int b = 0; b < blocks; b++, o += 22, yo += 32) {
            float d = f16(s, o);
            int qh = s.get(INT, o + 2);
            for (int j = 0; j < 16; j++) {
                int q = u8(s, o + 6 + j);
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                y[yo + j] = (((q & 0xF) | h0) - 16) * d;
                y[yo + j + 16] = (((q >> 4) | h1) - 16) * d;
            }
        }
    }

    private static void dequantizeQ5_1(GGMLType type, MemorySegment s, long o, int count, float[] y, int yo) {
        int blocks = count / type.blockSize;
        for (int b = 0; b < blocks; b++, o += 24, yo += 32) {
            float d = f16(s, o);
            float m = f16(s, o + 2);
            int qh = s.get(INT, o + 4);
            for (int j = 0; j < 16; j++) {
                int q = u8(s, o + 8 + j);
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                y[yo + j] = ((q & 0xF) | h0) * d + m;
                y[yo + j + 16] = ((q >> 4) | h1) * d + m;
            }
        }
    }

    private static void dequantizeQ2_K(GGMLType type, MemorySegment s, long o, int count, float[] y, int yo) {
        int blocks = count / type.blockSize;
        for (int b = 0; b < blocks; b++, o += 84, yo += 256) {
            float d = f16(s, o + 80);
            float min = f16(s, o + 82);
            for (int e = 0; e < 256; e++) {
                int sc = u8(s, o + e / 16);
                int q = (u8(s, o + 16 + 32 * (e / 128) + e % 32) >> (2 * ((e % 128) / 32))) & 3;
                float dl = d * (sc & 0xF);
                float ml = min * (sc >> 4);
                y[yo + e] = dl * q - ml;
            }
        }
    }

    private static void dequantizeQ3_K(GGMLType type, MemorySegment s, long o, int count, float[] y, int yo) {
        int blocks = count / type.blockSize;
        for (int b = 0; b < blocks; b++, o += 110, yo += 256) {
            float d = f16(s, o + 108);
            for (int e = 0; e < 256; e++) {
                float dl = d * scaleQ3K(s, o + 96, e / 16);
                int q2 = (u8(s, o + 32 + 32 * (e / 128) + e % 32) >> (2 * ((e % 128) / 32))) & 3;
                int hbit = (u8(s, o + e % 32) >> (e / 32)) & 1;
                y[yo + e] = dl * (q2 - (hbit != 0 ? 0 : 4));
            }
        }
    }

    private static void dequantizeQ4_KOrQ5_K(GGMLType type, MemorySegment s, long o, int count, float[] y, int yo) {
        int blocks = count / type.blockSize;
        boolean five = type == GGMLType.Q5_K;
        long qs = o + (five ? 48 : 16);
        for (int b = 0; b < blocks; b++, o += type.bytesPerBlock, qs += type.bytesPerBlock, yo += 256) {
            float d = f16(s, o);
            float min = f16(s, o + 2);
            for (int j = 0; j < 8; j++) {
                int scMin = scaleMinK4(s, o + 4, j);
                float dl = d * (scMin & 0xFF);
                float ml = min * (scMin >> 8);
                for (int l = 0; l < 32; l++) {
                    int q = (u8(s, qs + 32 * (j / 2) + l) >> (4 * (j % 2))) & 15;
                    if (five) q += 16 * ((u8(s, o + 16 + l) >> j) & 1);
                    y[yo + 32 * j + l] = dl * q - ml;
                }
            }
        }
    }

    private static void dequantizeQ6_K(GGMLType type, MemorySegment s, long o, int count, float[] y, int yo) {
        int blocks = count / type.blockSize;
        for (int b = 0; b < blocks; b++, o += 210, yo += 256) {
            float d = f16(s, o + 208);
            for (int e = 0; e < 256; e++) {
                int h = e / 128;
                int g = (e % 128) / 32;
                int l = e % 32;
                int low4 = (u8(s, o + 64 * h + 32 * (g & 1) + l) >> (4 * (g >> 1))) & 15;
                int high2 = (u8(s, o + 128 + 32 * h + l) >> (2 * g)) & 3;
                int q = (low4 | high2 << 4) - 32;
                y[yo + e] = d * i8(s, o + 192 + e / 16) * q;
            }
        }
    }

    @Override
    public float dot(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        return switch (type) {
            case F32 -> dotF32(type, s, o, x, xo, count);
            case F16 -> dotF16(type, s, o, x, xo, count);
            case BF16 -> dotBF16(type, s, o, x, xo, count);
            case Q8_0 -> dotQ8_0(type, s, o, x, xo, count);
            case Q4_0 -> dotQ4_0(type, s, o, x, xo, count);
            case Q5_0 -> dotQ5_0(type, s, o, x, xo, count);
            case Q4_1 -> dotQ4_1(type, s, o, x, xo, count);
            case Q5_1 -> dotQ5_1(type, s, o, x, xo, count);
            case Q2_K -> dotQ2_K(type, s, o, x, xo, count);
            case Q3_K -> dotQ3_K(type, s, o, x, xo, count);
            case Q4_K, Q5_K -> dotQ4_KOrQ5_K(type, s, o, x, xo, count);
            case Q6_K -> dotQ6_K(type, s, o, x, xo, count);
            default -> throw new IllegalArgumentException("unsupported weight type " + type);
        };
    }

    private static float dotF32(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        float sum = 0;
        for (int i = 0; i < count; i++) sum += s.get(FLOAT, o + 4L * i) * x.values[xo + i];
        return sum;
    }

    private static float dotF16(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        float sum = 0;
        for (int i = 0; i < count; i++) sum += f16(s, o + 2L * i) * x.values[xo + i];
        return sum;
    }

    private static float dotBF16(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        float sum = 0;
        for (int i = 0; i < count; i++) sum += FloatFormats.bf16ToFloat(s.get(SHORT, o + 2L * i)) * x.values[xo + i];
        return sum;
    }

    private static float dotQ8_0(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        int blocks = count / type.blockSize;
        float sum = 0;
        for (int b = 0; b < blocks; b++, o += 34, xo += 32) {
            int sumi = 0;
            for (int j = 0; j < 32; j++) sumi += i8(s, o + 2 + j) * x.quants[xo + j];
            sum += sumi * (f16(s, o) * x.scales[xo / 32]);
        }
        return sum;
    }

    private static float dotQ4_0(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        int blocks = count / type.blockSize;
        float sum = 0;
        for (int b = 0; b < blocks; b++, o += 18, xo += 32) {
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int q = u8(s, o + 2 + j);
                sumi += ((q & 0xF) - 8) * x.quants[xo + j] + ((q >> 4) - 8) * x.quants[xo + j + 16];
            }
            sum += sumi * (f16(s, o) * x.scales[xo / 32]);
        }
        return sum;
    }

    private static float dotQ5_0(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        int blocks = count / type.blockSize;
        float sum = 0;
        for (int b = 0; b < blocks; b++, o += 22, xo += 32) {
            int qh = s.get(INT, o + 2);
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int q = u8(s, o + 6 + j);
                int q0 = ((q & 0xF) | (((qh >>> j) << 4) & 0x10)) - 16;
                int q1 = ((q >> 4) | ((qh >>> (j + 12)) & 0x10)) - 16;
                sumi += q0 * x.quants[xo + j] + q1 * x.quants[xo + j + 16];
            }
            sum += sumi * (f16(s, o) * x.scales[xo / 32]);
        }
        return sum;
    }

    private static float dotQ4_1(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        int blocks = count / type.blockSize;
        float sum = 0;
        for (int b = 0; b < blocks; b++, o += 20, xo += 32) {
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int q = u8(s, o + 4 + j);
                sumi += (q & 0xF) * x.quants[xo + j] + (q >> 4) * x.quants[xo + j + 16];
            }
            sum += (f16(s, o) * x.scales[xo / 32]) * sumi + f16(s, o + 2) * x.blockSums[xo / 32];
        }
        return sum;
    }

    private static float dotQ5_1(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        int blocks = count / type.blockSize;
        float sum = 0;
        for (int b = 0; b < blocks; b++, o += 24, xo += 32) {
            int qh = s.get(INT, o + 4);
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int q = u8(s, o + 8 + j);
                int q0 = (q & 0xF) | (((qh >>> j) << 4) & 0x10);
                int q1 = (q >> 4) | ((qh >>> (j + 12)) & 0x10);
                sumi += q0 * x.quants[xo + j] + q1 * x.quants[xo + j + 16];
            }
            sum += (f16(s, o) * x.scales[xo / 32]) * sumi + f16(s, o + 2) * x.blockSums[xo / 32];
        }
        return sum;
    }

    private static float dotQ2_K(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        int blocks = count / type.blockSize;
        float sum = 0;
        for (int b = 0; b < blocks; b++, o += 84, xo += 256) {
            int sumi = 0;
            int summ = 0;
            for (int j = 0; j < 16; j++) summ += (u8(s, o + j) >> 4) * x.groupSums[xo / 16 + j];
            for (int e = 0; e < 256; e++) {
                int q = (u8(s, o + 16 + 32 * (e / 128) + e % 32) >> (2 * ((e % 128) / 32))) & 3;
                sumi += (u8(s, o + e / 16) & 0xF) * q * x.quants[xo + e];
            }
            float dy = x.scales[xo / 256];
            sum += f16(s, o + 80) * dy * sumi - f16(s, o + 82) * dy * summ;
        }
        return sum;
    }

    private static float dotQ3_K(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        int blocks = count / type.blockSize;
        float sum = 0;
        for (int b = 0; b < blocks; b++, o += 110, xo += 256) {
            int sumi = 0;
            for (int e = 0; e < 256; e++) {
                int q2 = (u8(s, o + 32 + 32 * (e / 128) + e % 32) >> (2 * ((e % 128) / 32))) & 3;
                int hbit = (u8(s, o + e % 32) >> (e / 32)) & 1;
                sumi += scaleQ3K(s, o + 96, e / 16) * (q2 - (hbit != 0 ? 0 : 4)) * x.quants[xo + e];
            }
            sum += f16(s, o + 108) * x.scales[xo / 256] * sumi;
        }
        return sum;
    }

    private static float dotQ4_KOrQ5_K(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        int blocks = count / type.blockSize;
        boolean five = type == GGMLType.Q5_K;
        float sum = 0;
        for (int b = 0; b < blocks; b++, o += type.bytesPerBlock, xo += 256) {
            long qs = o + (five ? 48 : 16);
            int sumi = 0;
            int summ = 0;
            for (int j = 0; j < 8; j++) {
                int scMin = scaleMinK4(s, o + 4, j);
                summ += (scMin >> 8) * (x.groupSums[xo / 16 + 2 * j] + x.groupSums[xo / 16 + 2 * j + 1]);
                int sub = 0;
                for (int l = 0; l < 32; l++) {
                    int q = (u8(s, qs + 32 * (j / 2) + l) >> (4 * (j % 2))) & 15;
                    if (five) q += 16 * ((u8(s, o + 16 + l) >> j) & 1);
                    sub += q * x.quants[xo + 32 * j + l];
                }
                sumi += (scMin & 0xFF) * sub;
            }
            float dy = x.scales[xo / 256];
            sum += f16(s, o) * dy * sumi - f16(s, o + 2) * dy * summ;
        }
        return sum;
    }

    private static float dotQ6_K(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        int blocks = count / type.blockSize;
        float sum = 0;
        for (int b = 0; b < blocks; b++, o += 210, xo += 256) {
            int sumi = 0;
            for (int e = 0; e < 256; e++) {
                int h = e / 128;
                int g = (e % 128) / 32;
                int l = e % 32;
                int low4 = (u8(s, o + 64 * h + 32 * (g & 1) + l) >> (4 * (g >> 1))) & 15;
                int high2 = (u8(s, o + 128 + 32 * h + l) >> (2 * g)) & 3;
                sumi += i8(s, o + 192 + e / 16) * ((low4 | high2 << 4) - 32) * x.quants[xo + e];
            }
            sum += f16(s, o + 208) * x.scales[xo / 256] * sumi;
        }
        return sum;
    }
}
