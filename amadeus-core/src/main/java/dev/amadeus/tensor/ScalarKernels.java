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
    public void dotInterleaved(GGMLType type, MemorySegment s, long o, int groups, int firstCol, int cols, Activations x,
                               int xRow, int xRows, float[] out, int outOffset, int outStride) {
        if (type != GGMLType.Q8_0 && (firstCol != 0 || cols != x.cols)) {
            throw new IllegalArgumentException("no panels in the interleaved layout of " + type);
        }
        if (type == GGMLType.Q4_K) {
            dotInterleavedQ4_K(s, o, groups, x, xRow, xRows, out, outOffset, outStride);
            return;
        }
        if (type == GGMLType.Q6_K) {
            dotInterleavedQ6_K(s, o, groups, x, xRow, xRows, out, outOffset, outStride);
            return;
        }
        if (type == GGMLType.Q4_0) {
            dotInterleavedQ4_0(s, o, groups, x, xRow, xRows, out, outOffset, outStride);
            return;
        }
        if (type != GGMLType.Q8_0) throw new IllegalArgumentException("no interleaved layout for " + type);
        int blocks = cols / 32;
        int blockBytes = RowInterleaving.groupBlockBytes(type);
        long groupBytes = RowInterleaving.groupBytes(type, cols);
        for (int g = 0; g < groups; g++) {
            for (int b = 0; b < xRows; b++) {
                int xo = (xRow + b) * x.cols + firstCol;
                for (int r = 0; r < RowInterleaving.ROWS; r++) {
                    int at0 = outOffset + b * outStride + RowInterleaving.ROWS * g + r;
                    float acc = firstCol > 0 ? out[at0] : 0;
                    for (int blk = 0; blk < blocks; blk++) {
                        long at = o + g * groupBytes + (long) blk * blockBytes;
                        int e = xo + 32 * blk;
                        int sum = byteDot(s, at + 16, r, x.quants, e);
                        acc = Math.fma((float) sum, f16(s, at + 2 * r) * x.scales[e / 32], acc);
                    }
                    out[at0] = acc;
                }
            }
        }
    }

    /**
     * Interleaved Q4_0: per row and block, the unsigned nibbles' integer dot product with the quants, less 8 times
     * the quants' sum (the nibbles' offset), then one fused multiply-add by {@code d * d_x}.
     */
    private static void dotInterleavedQ4_0(MemorySegment s, long o, int groups, Activations x, int xRow, int xRows,
                                           float[] out, int outOffset, int outStride) {
        int cols = x.cols;
        int blocks = cols / 32;
        int rows = RowInterleaving.Q4_0_ROWS;
        int blockBytes = RowInterleaving.groupBlockBytes(GGMLType.Q4_0);
        long groupBytes = RowInterleaving.groupBytes(GGMLType.Q4_0, cols);
        for (int g = 0; g < groups; g++) {
            for (int b = 0; b < xRows; b++) {
                int xo = (xRow + b) * cols;
                for (int r = 0; r < rows; r++) {
                    int lane = RowInterleaving.q4_0Lane(r);
                    float acc = 0;
                    for (int blk = 0; blk < blocks; blk++) {
                        long at = o + g * groupBytes + (long) blk * blockBytes;
                        int e = xo + 32 * blk;
                        int sum = 0;
                        for (int t = 0; t < 16; t++) {
                            int q = u8(s, at + 2 * rows + rows * t + lane);
                            sum += (q & 0xF) * x.quants[e + t] + (q >> 4) * x.quants[e + 16 + t];
                        }
                        sum -= 8 * x.quantSums[e / 32];
                        acc = Math.fma((float) sum, f16(s, at + 2 * lane) * x.scales[e / 32], acc);
                    }
                    out[outOffset + b * outStride + rows * g + r] = acc;
                }
            }
        }
    }

    /** Row r's 32 signed bytes of an interleaved Q8_0 block (sixteen chunks of 16 bytes from {@code at}) dotted with 32 activation quants from {@code e}. */
    private static int byteDot(MemorySegment s, long at, int r, byte[] xq, int e) {
        int sum = 0;
        for (int t = 0; t < 16; t++) {
            for (int k = 0; k < 2; k++) sum += i8(s, at + 16 * t + 2 * r + k) * xq[e + 2 * t + k];
        }
        return sum;
    }

    /**
     * Row r's 32 unsigned nibbles of an interleaved Q4_K sub-block (eight chunks of 16 bytes from {@code at})
     * dotted with 32 activation quants from {@code e}.
     */
    private static int nibbleDot(MemorySegment s, long at, int r, byte[] xq, int e) {
        int sum = 0;
        for (int t = 0; t < 8; t++) {
            for (int k = 0; k < 2; k++) {
                int q = u8(s, at + 16 * t + 2 * r + k);
                sum += (q & 0xF) * xq[e + 2 * t + k] + (q >> 4) * xq[e + 16 + 2 * t + k];
            }
        }
        return sum;
    }

    /**
     * Interleaved Q4_K with Q8_K activations: per row and super-block, the sub-blocks' integer dot products
     * weighted by their scales, and the activations' 32-element sums weighted by the minimums, both summed
     * exactly as integers; then one fused multiply-add each per super-block into two float sums, scales
     * ({@code d * d_x}) and minimums ({@code dmin * d_x}), and the second taken from the first at the end.
     */
    private static void dotInterleavedQ4_K(MemorySegment s, long o, int groups, Activations x, int xRow, int xRows,
                                           float[] out, int outOffset, int outStride) {
        int cols = x.cols;
        int superBlocks = cols / 256;
        long groupBytes = RowInterleaving.groupBytes(GGMLType.Q4_K, cols);
        for (int g = 0; g < groups; g++) {
            for (int b = 0; b < xRows; b++) {
                int xo = (xRow + b) * cols;
                for (int r = 0; r < RowInterleaving.ROWS; r++) {
                    float acc = 0, mins = 0;
                    for (int sb = 0; sb < superBlocks; sb++) {
                        long at = o + g * groupBytes + (long) sb * RowInterleaving.Q4_K_GROUP_BYTES;
                        int e = xo + 256 * sb;
                        int scaled = 0, minSum = 0;
                        for (int j = 0; j < 8; j++) {
                            int dot = nibbleDot(s, at + RowInterleaving.Q4_K_QUANTS + 128 * j, r, x.quants, e + 32 * j);
                            scaled += u8(s, at + RowInterleaving.Q4_K_SCALES + 8 * j + r) * dot;
                            int xSum = x.groupSums[(e + 32 * j) / 16] + x.groupSums[(e + 32 * j) / 16 + 1];
                            minSum += u8(s, at + RowInterleaving.Q4_K_MINS + 8 * j + r) * xSum;
                        }
                        float dx = x.scales[e / 256];
                        acc = Math.fma((float) scaled, f16(s, at + 2 * r) * dx, acc);
                        mins = Math.fma((float) minSum, f16(s, at + RowInterleaving.Q4_K_DMIN + 2 * r) * dx, mins);
                    }
                    out[outOffset + b * outStride + RowInterleaving.ROWS * g + r] = acc - mins;
                }
            }
        }
    }

    /**
     * Interleaved Q6_K (signed bytes) with Q8_K activations: per row and super-block, the 16-element sub-blocks'
     * integer dot products weighted by their scales, summed exactly; then one fused multiply-add with {@code d * d_x}.
     */
    private static void dotInterleavedQ6_K(MemorySegment s, long o, int groups, Activations x, int xRow, int xRows,
                                           float[] out, int outOffset, int outStride) {
        int cols = x.cols;
        int superBlocks = cols / 256;
        long groupBytes = RowInterleaving.groupBytes(GGMLType.Q6_K, cols);
        for (int g = 0; g < groups; g++) {
            for (int b = 0; b < xRows; b++) {
                int xo = (xRow + b) * cols;
                for (int r = 0; r < RowInterleaving.ROWS; r++) {
                    float acc = 0;
                    for (int sb = 0; sb < superBlocks; sb++) {
                        long at = o + g * groupBytes + (long) sb * RowInterleaving.Q6_K_GROUP_BYTES;
                        int e = xo + 256 * sb;
                        int scaled = 0;
                        for (int i = 0; i < 16; i++) {
                            int dot = 0;
                            for (int k = 0; k < 16; k++) {
                                int l = 16 * i + k;
                                dot += i8(s, at + RowInterleaving.Q6_K_QUANTS + 16 * (l / 2) + 2 * r + (l & 1)) * x.quants[e + l];
                            }
                            scaled += i8(s, at + RowInterleaving.Q6_K_SCALES + 8 * i + r) * dot;
                        }
                        acc = Math.fma((float) scaled, f16(s, at + 2 * r) * x.scales[e / 256], acc);
                    }
                    out[outOffset + b * outStride + RowInterleaving.ROWS * g + r] = acc;
                }
            }
        }
    }

    @Override
    public float dot(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count, int matrixRows) {
        return switch (type) {
            case F32, F16, BF16 -> matrixRows % 4 == 0 && count % 8 == 0 ? dotTiled(type, s, o, x, xo, count)
                    : vecDotFloat(type, s, o, x, xo, count);
            case Q4_0 -> dotQ32Paired(type, s, o, x, xo, count);
            case Q8_0, Q5_0, Q4_1, Q5_1 -> dotQ32(type, s, o, x, xo, count);
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> dotK(type, s, o, x, xo, count, ScalarKernels::superBlockLanes);
            default -> throw new IllegalArgumentException("unsupported weight type " + type);
        };
    }

    /** Weight {@code i} of a float row, widened to float. */
    private static float weight(GGMLType type, MemorySegment s, long o, int i) {
        return switch (type) {
            case F32 -> s.get(FLOAT, o + 4L * i);
            case F16 -> f16(s, o + 2L * i);
            default -> FloatFormats.bf16ToFloat(s.get(SHORT, o + 2L * i));
        };
    }

    /**
     * ggml's horizontal sum of eight float lanes ({@code hsum_float_8}, tinyBLAS's {@code hsum}): the upper
     * half added to the lower, then lanes two apart, then the last pair.
     */
    static float hsum8(float[] a) {
        float b0 = a[0] + a[4], b1 = a[1] + a[5], b2 = a[2] + a[6], b3 = a[3] + a[7];
        return (b0 + b2) + (b1 + b3);
    }

    /**
     * The order of llamafile's tinyBLAS, which llama.cpp uses for a batched product with float weights:
     * one accumulator of eight lanes per output, lane l fused-multiply-adding elements l, l+8, l+16, ...
     */
    private static float dotTiled(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        float[] acc = new float[8];
        for (int i = 0; i < count; i += 8) {
            for (int l = 0; l < 8; l++) acc[l] = Math.fma(weight(type, s, o, i + l), x.values[xo + i + l], acc[l]);
        }
        return hsum8(acc);
    }

    /**
     * The order of ggml's {@code ggml_vec_dot_f32/_f16/_bf16} on AVX2, which llama.cpp uses where tinyBLAS
     * declines: four accumulators of eight lanes over steps of 32 elements, reduced pairwise, and the
     * leftover elements added one by one (in double for F16 and BF16, whose sums ggml keeps in double).
     */
    private static float vecDotFloat(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        float[][] acc = new float[4][8];
        int np = count & ~31;
        for (int i = 0; i < np; i += 32) {
            for (int j = 0; j < 4; j++) {
                for (int l = 0; l < 8; l++) {
                    int e = i + 8 * j + l;
                    acc[j][l] = Math.fma(weight(type, s, o, e), x.values[xo + e], acc[j][l]);
                }
            }
        }
        float reduced;
        if (type == GGMLType.BF16) {
            // (c1 + c3) + (c2 + c4), then hsum_float_8
            float[] c = new float[8];
            for (int l = 0; l < 8; l++) c[l] = (acc[0][l] + acc[2][l]) + (acc[1][l] + acc[3][l]);
            reduced = hsum8(c);
        } else {
            // GGML_F32x8_REDUCE: accumulators 0+2 and 1+3, then those two, then halves and two horizontal adds
            float[] c = new float[8];
            for (int l = 0; l < 8; l++) c[l] = (acc[0][l] + acc[2][l]) + (acc[1][l] + acc[3][l]);
            float t0 = c[0] + c[4], t1 = c[1] + c[5], t2 = c[2] + c[6], t3 = c[3] + c[7];
            reduced = (t0 + t1) + (t2 + t3);
        }
        return vecDotLeftovers(type, s, o, x, xo, np, count, reduced);
    }

    /** The elements of {@code vec_dot} past the last full step of 32, added to the reduced accumulators. */
    static float vecDotLeftovers(GGMLType type, MemorySegment s, long o, Activations x, int xo, int from, int count,
                                 float reduced) {
        if (type == GGMLType.F32) {
            float sum = reduced;
            for (int i = from; i < count; i++) sum = Math.fma(weight(type, s, o, i), x.values[xo + i], sum);
            return sum;
        }
        double sum = reduced;
        for (int i = from; i < count; i++) sum += weight(type, s, o, i) * x.values[xo + i];
        return (float) sum;
    }

    /** Quant {@code j} (0..31) of the 32-element block at {@code o}, as the integer the dot product multiplies. */
    private static int quant32(GGMLType type, MemorySegment s, long o, int j) {
        return switch (type) {
            case Q8_0 -> i8(s, o + 2 + j);
            case Q4_0 -> ((u8(s, o + 2 + j % 16) >> (4 * (j / 16))) & 0xF) - 8;
            case Q4_1 -> (u8(s, o + 4 + j % 16) >> (4 * (j / 16))) & 0xF;
            case Q5_0 -> (((u8(s, o + 6 + j % 16) >> (4 * (j / 16))) & 0xF) | (((s.get(INT, o + 2) >>> j) & 1) << 4)) - 16;
            case Q5_1 -> ((u8(s, o + 8 + j % 16) >> (4 * (j / 16))) & 0xF) | (((s.get(INT, o + 4) >>> j) & 1) << 4);
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    /**
     * Types with 32-element blocks, in the order of ggml's AVX2 {@code ggml_vec_dot_q*_q8_*} and of tinyBLAS's
     * {@code tinyBLAS_Q0_AVX} (the same): per block, eight integer lanes each summing four consecutive
     * products, converted to float and fused-multiply-added with {@code d_w·d_x} into eight float lanes,
     * which {@link #hsum8} sums at the end. Q4_1 and Q5_1 add {@code Σ m·s} kept in one float.
     */
    private static float dotQ32(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        int blocks = count / 32;
        boolean withMin = type == GGMLType.Q4_1 || type == GGMLType.Q5_1;
        float[] acc = new float[8];
        float mins = 0;
        for (int b = 0; b < blocks; b++, o += type.bytesPerBlock, xo += 32) {
            float d = f16(s, o) * x.scales[xo / 32];
            for (int l = 0; l < 8; l++) {
                int sum = 0;
                for (int j = 4 * l; j < 4 * l + 4; j++) sum += quant32(type, s, o, j) * x.quants[xo + j];
                acc[l] = Math.fma(d, (float) sum, acc[l]);
            }
            if (withMin) mins = Math.fma(f16(s, o + 2), x.blockSums[xo / 32], mins);
        }
        return hsum8(acc) + mins;
    }

    /** Computes the eight integer lanes of one K-quant super-block (see {@link #dotK}). */
    interface LaneSums {
        void lanes(GGMLType type, MemorySegment s, long o, byte[] xq, int xo, int[] out);
    }

    /** The scale of element {@code e} (0..255) of a K-quant super-block. */
    static int scaleK(GGMLType type, MemorySegment s, long o, int e) {
        return switch (type) {
            case Q2_K -> u8(s, o + e / 16) & 0xF;
            case Q3_K -> scaleQ3K(s, o + 96, e / 16);
            case Q4_K, Q5_K -> scaleMinK4(s, o + 4, e / 32) & 0xFF;
            case Q6_K -> i8(s, o + 192 + e / 16);
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    /** The quant of element {@code e} (0..255) of a K-quant super-block, offset included. */
    static int quantK(GGMLType type, MemorySegment s, long o, int e) {
        return switch (type) {
            case Q2_K -> (u8(s, o + 16 + 32 * (e / 128) + e % 32) >> (2 * ((e % 128) / 32))) & 3;
            case Q3_K -> ((u8(s, o + 32 + 32 * (e / 128) + e % 32) >> (2 * ((e % 128) / 32))) & 3)
                    - (((u8(s, o + e % 32) >> (e / 32)) & 1) != 0 ? 0 : 4);
            case Q4_K -> (u8(s, o + 16 + 32 * (e / 64) + e % 32) >> (4 * ((e / 32) % 2))) & 15;
            case Q5_K -> ((u8(s, o + 48 + 32 * (e / 64) + e % 32) >> (4 * ((e / 32) % 2))) & 15)
                    | (((u8(s, o + 16 + e % 32) >> (e / 32)) & 1) << 4);
            case Q6_K -> {
                int h = e / 128, g = (e % 128) / 32, l = e % 32;
                int low4 = (u8(s, o + 64 * h + 32 * (g & 1) + l) >> (4 * (g >> 1))) & 15;
                int high2 = (u8(s, o + 128 + 32 * h + l) >> (2 * g)) & 3;
                yield (low4 | high2 << 4) - 32;
            }
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    /** Lane m sums scale·quant·activation over the elements e with (e mod 32) / 4 == m. */
    static void superBlockLanes(GGMLType type, MemorySegment s, long o, byte[] xq, int xo, int[] out) {
        java.util.Arrays.fill(out, 0, 8, 0);
        for (int e = 0; e < 256; e++) out[(e % 32) / 4] += scaleK(type, s, o, e) * quantK(type, s, o, e) * xq[xo + e];
    }

    /**
     * Q4_0 in the order of {@link VectorKernels}' 16-bit kernel (not llama.cpp's, which the logit
     * tolerances do not require): per block, eight integer lanes, lane l summing elements 2l, 2l+1, 2l+16 and
     * 2l+17 (where the vector code pairs the two 16-element halves of a block in 16-bit lanes and then adjacent
     * lanes), converted to float and fused-multiply-added with {@code d_w·d_x} into eight float lanes, which
     * {@link #hsum8} sums at the end. The integer lane sums are exact in any order, so vector and scalar agree
     * to the bit.
     */
    private static float dotQ32Paired(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        float[] acc = new float[8];
        for (int b = 0; b < count / 32; b++, o += type.bytesPerBlock, xo += 32) {
            float d = f16(s, o) * x.scales[xo / 32];
            for (int l = 0; l < 8; l++) {
                int sum = 0;
                for (int j : new int[]{2 * l, 2 * l + 1, 2 * l + 16, 2 * l + 17}) {
                    sum += quant32(type, s, o, j) * x.quants[xo + j];
                }
                acc[l] = Math.fma((float) sum, d, acc[l]);
            }
        }
        return hsum8(acc);
    }

    /**
     * K-quants in the order of ggml's AVX2 {@code ggml_vec_dot_q*_K_q8_K}: each super-block's integer
     * products (scales included) are summed exactly in eight lanes, lane m taking the four bytes 4m..4m+3
     * of every 32-element chunk; the lanes are converted to float and fused-multiply-added with
     * {@code d = d_x·d_w} into eight float lanes, summed by {@link #hsum8} at the end. The minimums are
     * added as ggml does per type: Q2_K into the same lanes (pairs of 16-element groups) just before the
     * scales, Q4_K in four lanes of its own (pairs of 32-element sub-blocks), Q5_K in one float.
     */
    static float dotK(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count, LaneSums sums) {
        int blocks = count / 256;
        float[] acc = new float[8];
        float[] accMin = new float[4];
        float mins = 0;
        int[] lanes = new int[8];
        for (int b = 0; b < blocks; b++, o += type.bytesPerBlock, xo += 256) {
            float dy = x.scales[xo / 256];
            int groups = xo / 16;
            switch (type) {
                case Q2_K -> {
                    float dmin = -dy * f16(s, o + 82);
                    for (int m = 0; m < 8; m++) {
                        int prod = (u8(s, o + 2 * m) >> 4) * x.groupSums[groups + 2 * m]
                                + (u8(s, o + 2 * m + 1) >> 4) * x.groupSums[groups + 2 * m + 1];
                        acc[m] = Math.fma(dmin, (float) prod, acc[m]);
                    }
                }
                case Q4_K -> {
                    float dmin = -dy * f16(s, o + 2);
                    for (int i = 0; i < 4; i++) {
                        int prod = 0;
                        for (int j = 2 * i; j < 2 * i + 2; j++) {
                            prod += (scaleMinK4(s, o + 4, j) >> 8) * (x.groupSums[groups + 2 * j] + x.groupSums[groups + 2 * j + 1]);
                        }
                        accMin[i] = Math.fma(dmin, (float) prod, accMin[i]);
                    }
                }
                case Q5_K -> {
                    float dmin = -dy * f16(s, o + 2);
                    int prod = 0;
                    for (int j = 0; j < 8; j++) {
                        prod += (scaleMinK4(s, o + 4, j) >> 8) * (x.groupSums[groups + 2 * j] + x.groupSums[groups + 2 * j + 1]);
                    }
                    mins = Math.fma(dmin, (float) prod, mins);
                }
                default -> {
                }
            }
            long dAt = switch (type) {
                case Q2_K -> o + 80;
                case Q3_K -> o + 108;
                case Q6_K -> o + 208;
                default -> o;
            };
            float d = dy * f16(s, dAt);
            sums.lanes(type, s, o, x.quants, xo, lanes);
            for (int m = 0; m < 8; m++) acc[m] = Math.fma(d, (float) lanes[m], acc[m]);
        }
        return hsum8(acc) + ((accMin[0] + accMin[2]) + (accMin[1] + accMin[3])) + mins;
    }
}
