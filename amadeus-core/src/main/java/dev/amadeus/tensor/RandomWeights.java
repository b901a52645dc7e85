package dev.amadeus.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Random weights for synthetic models. Quantized types get random quants written directly (no float
 * round trip through a quantizer, which would be far slower) with block scales chosen so that the
 * dequantized values have mean about 0 and the requested standard deviation. Quants are uniform over
 * a range symmetric around zero; K-quant sub-block scales vary randomly as in real files.
 */
public final class RandomWeights {
    private static final long CHUNK_BYTES = 16 << 20;

    private RandomWeights() {
    }

    /**
     * Fills {@code dest} ({@code rows * type.byteSize(cols)} bytes) with valid random blocks of {@code type}.
     * Row r depends only on {@code (seed, r)}, so the result does not depend on how rows are spread over threads.
     */
    public static void fill(GGMLType type, MemorySegment dest, long rows, int cols, long seed, float std) {
        if (!type.isSupported()) throw new IllegalArgumentException("cannot generate weights of type " + type);
        if (cols % type.blockSize != 0) {
            throw new IllegalArgumentException("row length " + cols + " is not a multiple of the " + type + " block size");
        }
        if (!(std > 0) || !Float.isFinite(std)) throw new IllegalArgumentException("std must be positive, got " + std);
        long rowBytes = type.byteSize(cols);
        if (dest.byteSize() < rows * rowBytes) {
            throw new IllegalArgumentException("destination has " + dest.byteSize() + " bytes, needs " + rows * rowBytes);
        }
        // Rows are generated in parallel into a heap buffer and copied by the calling thread, because
        // dest may be confined to this thread (a confined arena or mapping) and unusable from others.
        int chunkRows = (int) Math.clamp(CHUNK_BYTES / rowBytes, 1, Math.max(1, rows));
        byte[] chunk = new byte[Math.toIntExact(chunkRows * rowBytes)];
        ThreadLocal<byte[]> rowBuffers = ThreadLocal.withInitial(() -> new byte[(int) rowBytes]);
        for (long first = 0; first < rows; first += chunkRows) {
            long start = first;
            int count = (int) Math.min(chunkRows, rows - first);
            IntStream.range(0, count).parallel().forEach(i -> {
                byte[] row = rowBuffers.get();
                new RowWriter(new SplittableRandom(seed ^ mix(start + i)), row).write(type, cols, std);
                System.arraycopy(row, 0, chunk, (int) (i * rowBytes), row.length);
            });
            MemorySegment.copy(chunk, 0, dest, ValueLayout.JAVA_BYTE, start * rowBytes, (int) (count * rowBytes));
        }
    }

    /** A 64-bit finalizer (SplitMix64) so that neighbouring rows get unrelated seeds. */
    static long mix(long row) {
        long z = row * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E5FFL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Variance of a uniform distribution over {@code n} consecutive integers. */
    private static double uniformVariance(int n) {
        return (n * (double) n - 1) / 12;
    }

    /** Mean of k² for k uniform over {@code lo..hi}. */
    private static double meanSquare(int lo, int hi) {
        double sum = 0;
        for (int k = lo; k <= hi; k++) sum += (double) k * k;
        return sum / (hi - lo + 1);
    }

    private static final class RowWriter {
        private final SplittableRandom random;
        private final byte[] out;
        private long bits;
        private int bitsLeft;

        RowWriter(SplittableRandom random, byte[] out) {
            this.random = random;
            this.out = out;
        }

        /** Uniform in [0, n) for n ≤ 256, from 16 random bits (bias below 0.4%, irrelevant here). */
        private int uniform(int n) {
            if (bitsLeft < 16) {
                bits = random.nextLong();
                bitsLeft = 64;
            }
            int r = (int) (bits & 0xFFFF);
            bits >>>= 16;
            bitsLeft -= 16;
            return (r * n) >>> 16;
        }

        private void putF16(int at, double value) {
            short h = Float.floatToFloat16((float) value);
            out[at] = (byte) h;
            out[at + 1] = (byte) (h >> 8);
        }

        private void putInt(int at, int v) {
            out[at] = (byte) v;
            out[at + 1] = (byte) (v >> 8);
            out[at + 2] = (byte) (v >> 16);
            out[at + 3] = (byte) (v >> 24);
        }

        void write(GGMLType type, int cols, float std) {
            int blocks = cols / type.blockSize;
            int size = type.bytesPerBlock;
            switch (type) {
                case F32 -> {
                    for (int i = 0; i < cols; i++) putInt(4 * i, Float.floatToRawIntBits((float) (random.nextGaussian() * std)));
                }
                case F16 -> {
                    for (int i = 0; i < cols; i++) putF16(2 * i, random.nextGaussian() * std);
                }
                case BF16 -> {
                    for (int i = 0; i < cols; i++) {
                        short h = FloatFormats.floatToBf16((float) (random.nextGaussian() * std));
                        out[2 * i] = (byte) h;
                        out[2 * i + 1] = (byte) (h >> 8);
                    }
                }
                case Q8_0 -> {
                    double d = std / Math.sqrt(uniformVariance(255));
                    for (int b = 0; b < blocks; b++) {
                        int o = b * size;
                        putF16(o, d);
                        for (int j = 0; j < 32; j++) out[o + 2 + j] = (byte) (uniform(255) - 127);
                    }
                }
                case Q4_0, Q4_1 -> {
                    boolean offset = type == GGMLType.Q4_1;
                    // Q4_0 stores q + 8; values 1..15 keep the quants symmetric (-7..7). Q4_1 uses all 16 with a min.
                    int levels = offset ? 16 : 15;
                    double d = std / Math.sqrt(uniformVariance(levels));
                    for (int b = 0; b < blocks; b++) {
                        int o = b * size;
                        putF16(o, d);
                        if (offset) putF16(o + 2, -7.5 * Float.float16ToFloat(Float.floatToFloat16((float) d)));
                        int qs = o + (offset ? 4 : 2);
                        for (int j = 0; j < 16; j++) {
                            int lo = uniform(levels) + (offset ? 0 : 1);
                            int hi = uniform(levels) + (offset ? 0 : 1);
                            out[qs + j] = (byte) (lo | hi << 4);
                        }
                    }
                }
                case Q5_0, Q5_1 -> {
                    boolean offset = type == GGMLType.Q5_1;
                    int levels = offset ? 32 : 31;
                    double d = std / Math.sqrt(uniformVariance(levels));
                    for (int b = 0; b < blocks; b++) {
                        int o = b * size;
                        putF16(o, d);
                        if (offset) putF16(o + 2, -15.5 * Float.float16ToFloat(Float.floatToFloat16((float) d)));
                        int qhAt = o + (offset ? 4 : 2);
                        int qs = qhAt + 4;
                        int qh = 0;
                        for (int j = 0; j < 16; j++) {
                            int lo = uniform(levels) + (offset ? 0 : 1);
                            int hi = uniform(levels) + (offset ? 0 : 1);
                            out[qs + j] = (byte) ((lo & 15) | (hi & 15) << 4);
                            qh |= (lo >> 4) << j | (hi >> 4) << (j + 16);
                        }
                        putInt(qhAt, qh);
                    }
                }
                case Q2_K -> {
                    double d = std / Math.sqrt(uniformVariance(4) * meanSquare(8, 15));
                    for (int b = 0; b < blocks; b++) {
                        int o = b * size;
                        for (int j = 0; j < 16; j++) {
                            int sc = 8 + uniform(8);
                            out[o + j] = (byte) (sc | sc << 4);
                        }
                        for (int i = 0; i < 64; i++) out[o + 16 + i] = (byte) random.nextInt(256);
                        putF16(o + 80, d);
                        putF16(o + 82, 1.5 * d);
                    }
                }
                case Q3_K -> {
                    double d = std / Math.sqrt(uniformVariance(7) * meanSquare(16, 31));
                    for (int b = 0; b < blocks; b++) {
                        int o = b * size;
                        java.util.Arrays.fill(out, o, o + 110, (byte) 0);
                        for (int e = 0; e < 256; e++) {
                            int q = uniform(7) - 3;
                            int q2 = q >= 0 ? q : q + 4;
                            int hbit = q >= 0 ? 1 : 0;
                            out[o + 32 + 32 * (e / 128) + e % 32] |= (byte) (q2 << (2 * ((e % 128) / 32)));
                            out[o + e % 32] |= (byte) (hbit << (e / 32));
                        }
                        for (int j = 0; j < 16; j++) {
                            int stored = 16 + uniform(16) + 32;
                            if (j < 8) out[o + 96 + j] |= (byte) (stored & 15);
                            else out[o + 96 + j - 8] |= (byte) ((stored & 15) << 4);
                            out[o + 96 + 8 + j % 4] |= (byte) ((stored >> 4) << (2 * (j / 4)));
                        }
                        putF16(o + 108, d);
                    }
                }
                case Q4_K, Q5_K -> {
                    boolean five = type == GGMLType.Q5_K;
                    int levels = five ? 32 : 16;
                    double mid = (levels - 1) / 2.0;
                    double d = std / Math.sqrt(uniformVariance(levels) * meanSquare(32, 63));
                    for (int b = 0; b < blocks; b++) {
                        int o = b * size;
                        putF16(o, d);
                        putF16(o + 2, mid * d);
                        java.util.Arrays.fill(out, o + 4, o + 16, (byte) 0);
                        for (int j = 0; j < 8; j++) {
                            int sc = 32 + uniform(32);
                            int m = sc;
                            if (j < 4) {
                                out[o + 4 + j] |= (byte) sc;
                                out[o + 4 + j + 4] |= (byte) m;
                            } else {
                                out[o + 4 + j + 4] = (byte) ((sc & 15) | (m & 15) << 4);
                                out[o + 4 + j - 4] |= (byte) ((sc >> 4) << 6);
                                out[o + 4 + j] |= (byte) ((m >> 4) << 6);
                            }
                        }
                        int qs = o + (five ? 48 : 16);
                        if (five) java.util.Arrays.fill(out, o + 16, o + 48, (byte) 0);
                        for (int i = 0; i < 128; i++) {
                            int lo = uniform(levels);
                            int hi = uniform(levels);
                            out[qs + i] = (byte) ((lo & 15) | (hi & 15) << 4);
                            if (five) {
                                // Byte i holds elements 64k + i%32 (low) and 64k + 32 + i%32 (high), sub-blocks 2k and 2k+1.
                                int k = i / 32;
                                out[o + 16 + i % 32] |= (byte) ((lo >> 4) << (2 * k) | (hi >> 4) << (2 * k + 1));
                            }
                        }
                    }
                }
                case Q6_K -> {
                    double d = std / Math.sqrt(uniformVariance(63) * meanSquare(32, 127));
                    for (int b = 0; b < blocks; b++) {
                        int o = b * size;
                        java.util.Arrays.fill(out, o, o + 192, (byte) 0);
                        for (int e = 0; e < 256; e++) {
                            int stored = 1 + uniform(63);
                            int h = e / 128;
                            int g = (e % 128) / 32;
                            int l = e % 32;
                            out[o + 64 * h + 32 * (g & 1) + l] |= (byte) ((stored & 15) << (4 * (g >> 1)));
                            out[o + 128 + 32 * h + l] |= (byte) ((stored >> 4) << (2 * g));
                        }
                        for (int j = 0; j < 16; j++) out[o + 192 + j] = (byte) (32 + uniform(96));
                        putF16(o + 208, d);
                    }
                }
                default -> throw new IllegalArgumentException("cannot generate weights of type " + type);
            }
        }
    }
}
