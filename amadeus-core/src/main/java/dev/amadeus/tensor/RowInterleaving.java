package dev.amadeus.tensor;

import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A copy of a Q4_0 or Q8_0 matrix with every group of {@value #ROWS} rows interleaved block by block, the
 * layout the fast kernels want: for each group and block, the rows' eight f16 scales (16 bytes), then chunks
 * of 16 bytes (8 for Q4_0, 16 for Q8_0), chunk t holding quant bytes 2t and 2t+1 of row 0, then of row 1, ...
 * row 7. Widened to 16-bit lanes, a chunk holds two consecutive elements of all eight rows (Q8_0: elements 2t
 * and 2t+1; Q4_0: those in the low nibbles, 2t+16 and 2t+17 in the high ones), so one broadcast pair of
 * activations multiplies eight rows at once and each lane pair belongs to one row: no per-row horizontal sum
 * is left at the end of a block. Same size as the original; rows past the last whole group are not copied
 * (they stay in the original layout).
 * <p>
 * Q4_K takes the same quant layout per 32-element sub-block, its nibbles first rearranged to Q4_0's order
 * (byte k holds elements k and k + 16), with the 6-bit scales and minimums unpacked to bytes: per group and
 * super-block of 256 elements, the eight rows' f16 {@code d} (16 bytes) and {@code dmin} (16 bytes), then
 * scale byte {@code 8j + r} of sub-block j and row r (64 bytes), the minimums likewise (64 bytes), then the eight
 * sub-blocks' quants, 128 bytes each: {@value #Q4_K_GROUP_BYTES} bytes for what took 8 x 144.
 * <p>
 * Q6_K is widened to one signed byte per weight ({@code q - 32}), laid out as Q8_0's chunks: per group and
 * super-block, the rows' f16 {@code d} (16 bytes), scale byte {@code 8i + r} of 16-element sub-block i and row r
 * (128 bytes), then 128 chunks of 16 bytes, chunk c holding elements 2c and 2c+1 of each row: {@value #Q6_K_GROUP_BYTES}
 * bytes for what took 8 x 210. The 30% more memory buys kernels that skip unpacking six-bit values.
 */
public final class RowInterleaving {
    /** Rows per group. */
    public static final int ROWS = 8;

    private RowInterleaving() {
    }

    /** Bytes of one Q4_K super-block of a group. */
    static final int Q4_K_GROUP_BYTES = 32 + 64 + 64 + 8 * 128;
    /** Offsets within a Q4_K group super-block. */
    static final int Q4_K_DMIN = 16, Q4_K_SCALES = 32, Q4_K_MINS = 96, Q4_K_QUANTS = 160;

    /** Bytes of one Q6_K super-block of a group. */
    static final int Q6_K_GROUP_BYTES = 16 + 128 + 128 * 16;
    /** Offsets within a Q6_K group super-block. */
    static final int Q6_K_SCALES = 16, Q6_K_QUANTS = 144;

    /** Whether matrices of {@code type} with {@code rows} rows get an interleaved copy. */
    public static boolean supports(GGMLType type, int rows) {
        return switch (type) {
            case Q4_0, Q8_0, Q4_K, Q6_K -> rows >= ROWS;
            default -> false;
        };
    }

    /** Bytes of one block (K types: super-block) of a group: the eight rows' scales and quants. */
    static int groupBlockBytes(GGMLType type) {
        return switch (type) {
            case Q4_K -> Q4_K_GROUP_BYTES;
            case Q6_K -> Q6_K_GROUP_BYTES;
            default -> ROWS * type.bytesPerBlock;
        };
    }

    /** Bytes of the interleaved copy of a matrix: whole groups only. */
    public static long copyBytes(GGMLType type, int rows, int cols) {
        return supports(type, rows) ? rows / ROWS * groupBytes(type, cols) : 0;
    }

    /** Bytes of one group of eight rows of {@code cols} elements. */
    static long groupBytes(GGMLType type, int cols) {
        return (long) (cols / type.blockSize) * groupBlockBytes(type);
    }

    /** The interleaved copy of the first {@code rows - rows % 8} rows of {@code data}, allocated by {@code memory}. */
    static MemorySegment interleave(GGMLType type, MemorySegment data, int rows, int cols, SegmentAllocator memory) {
        if (!supports(type, rows)) throw new IllegalArgumentException("no interleaved layout for " + type);
        if (type == GGMLType.Q4_K) return interleaveQ4_K(data, rows, cols, memory);
        if (type == GGMLType.Q6_K) return interleaveQ6_K(data, rows, cols, memory);
        int groups = rows / ROWS;
        int blocks = cols / 32;
        // Scales and quant pairs move as 16-bit units: block b of row r is `units` shorts, the scale first.
        int units = type.bytesPerBlock / 2;
        long rowBytes = (long) type.bytesPerBlock * blocks;
        MemorySegment out = memory.allocate((long) groups * blocks * groupBlockBytes(type), 64);
        short[] in = new short[ROWS * units * blocks];
        short[] group = new short[blocks * groupBlockBytes(type) / 2];
        for (int g = 0; g < groups; g++) {
            MemorySegment.copy(data, ScalarKernels.SHORT, g * ROWS * rowBytes, in, 0, in.length);
            for (int b = 0; b < blocks; b++) {
                int dst = b * ROWS * units;
                for (int r = 0; r < ROWS; r++) {
                    int src = units * (r * blocks + b);
                    group[dst + r] = in[src];
                    for (int t = 0; t < units - 1; t++) group[dst + ROWS * (t + 1) + r] = in[src + 1 + t];
                }
            }
            MemorySegment.copy(group, 0, out, ScalarKernels.SHORT, (long) g * 2 * group.length, group.length);
        }
        return out;
    }

    /** Writes row r's part of one group super-block (at {@code dst} of {@code group}) from its blocks at {@code src} of {@code in}. */
    private interface SuperBlockPlacement {
        void place(byte[] in, MemorySegment inSegment, int src, byte[] group, int dst, int r);
    }

    /** The K types' copies: eight rows at a time copied in, placed super-block by super-block, copied out. */
    private static MemorySegment interleaveSuperBlocks(GGMLType type, MemorySegment data, int rows, int cols,
                                                       SegmentAllocator memory, SuperBlockPlacement placement) {
        int groups = rows / ROWS;
        int superBlocks = cols / 256;
        int inBytes = type.bytesPerBlock;
        int groupBlockBytes = groupBlockBytes(type);
        long rowBytes = (long) inBytes * superBlocks;
        MemorySegment out = memory.allocate(groups * groupBytes(type, cols), 64);
        byte[] in = new byte[(int) (ROWS * rowBytes)];
        byte[] group = new byte[superBlocks * groupBlockBytes];
        MemorySegment inSegment = MemorySegment.ofArray(in);
        for (int g = 0; g < groups; g++) {
            MemorySegment.copy(data, g * ROWS * rowBytes, inSegment, 0, in.length);
            for (int sb = 0; sb < superBlocks; sb++) {
                for (int r = 0; r < ROWS; r++) {
                    placement.place(in, inSegment, r * (int) rowBytes + sb * inBytes, group, sb * groupBlockBytes, r);
                }
            }
            MemorySegment.copy(group, 0, out, ValueLayout.JAVA_BYTE, (long) g * group.length, group.length);
        }
        return out;
    }

    private static MemorySegment interleaveQ4_K(MemorySegment data, int rows, int cols, SegmentAllocator memory) {
        return interleaveSuperBlocks(GGMLType.Q4_K, data, rows, cols, memory, RowInterleaving::placeQ4_K);
    }

    private static void placeQ4_K(byte[] in, MemorySegment inSegment, int src, byte[] group, int dst, int r) {
        group[dst + 2 * r] = in[src];
        group[dst + 2 * r + 1] = in[src + 1];
        group[dst + Q4_K_DMIN + 2 * r] = in[src + 2];
        group[dst + Q4_K_DMIN + 2 * r + 1] = in[src + 3];
        for (int j = 0; j < 8; j++) {
            int scaleMin = ScalarKernels.scaleMinK4(inSegment, src + 4, j);
            group[dst + Q4_K_SCALES + 8 * j + r] = (byte) (scaleMin & 0xFF);
            group[dst + Q4_K_MINS + 8 * j + r] = (byte) (scaleMin >> 8);
            // Sub-block j's 32 nibbles: low (j even) or high (j odd) halves of bytes 32 * (j / 2) ...
            int quants = src + 16 + 32 * (j / 2);
            int shift = 4 * (j % 2);
            int chunks = dst + Q4_K_QUANTS + 128 * j;
            for (int k = 0; k < 16; k++) {
                int low = (in[quants + k] >> shift) & 0xF;
                int high = (in[quants + k + 16] >> shift) & 0xF;
                group[chunks + 16 * (k / 2) + 2 * r + (k % 2)] = (byte) (low | high << 4);
            }
        }
    }

    private static MemorySegment interleaveQ6_K(MemorySegment data, int rows, int cols, SegmentAllocator memory) {
        return interleaveSuperBlocks(GGMLType.Q6_K, data, rows, cols, memory, RowInterleaving::placeQ6_K);
    }

    private static void placeQ6_K(byte[] in, MemorySegment inSegment, int src, byte[] group, int dst, int r) {
        group[dst + 2 * r] = in[src + 208];
        group[dst + 2 * r + 1] = in[src + 209];
        for (int i = 0; i < 16; i++) group[dst + Q6_K_SCALES + 8 * i + r] = in[src + 192 + i];
        // ggml's Q6_K order: per half of 128 elements, four quarters of 32 share 64 low-nibble bytes and 32 high-bit bytes.
        for (int half = 0; half < 2; half++) {
            for (int quarter = 0; quarter < 4; quarter++) {
                int lows = src + 64 * half + 32 * (quarter & 1), lowShift = 4 * (quarter >> 1);
                int highs = src + 128 + 32 * half, highShift = 2 * quarter;
                int first = 128 * half + 32 * quarter;
                for (int j = 0; j < 32; j++) {
                    int low = (in[lows + j] >> lowShift) & 0xF;
                    int high = (in[highs + j] >> highShift) & 3;
                    int l = first + j;
                    group[dst + Q6_K_QUANTS + 16 * (l >> 1) + 2 * r + (l & 1)] = (byte) ((low | high << 4) - 32);
                }
            }
        }
    }
}
