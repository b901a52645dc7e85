package dev.amadeus.tensor;

import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A copy of a Q4_0, Q8_0, Q4_K or Q6_K matrix with every group of rows interleaved block by block, the layout
 * the fast kernels want: one vector of weights then holds the same elements of many rows, multiplied by one
 * broadcast activation, and each lane (or lane pair) belongs to one row, so no per-row horizontal sum is left
 * at the end of a block. Same size as the original; rows past the last whole group are not copied (they stay
 * in the original layout).
 * <p>
 * Q4_0 goes in groups of {@value #Q4_0_ROWS} rows, one row per 16-bit lane of a 512-bit vector: per group and
 * block, the rows' 32 f16 scales (64 bytes), then 16 chunks of 32 bytes, chunk t holding quant byte t of every
 * row (elements t and t + 16 in its nibbles). Byte 2k of a chunk (and scale 2k) is row k, byte 2k + 1 row
 * k + 16, so that the 32-bit lanes split into row k's and row k + 16's sums with one shift each.
 * <p>
 * Q8_0 goes in groups of {@value #ROWS} rows: per group and block, the rows' eight f16 scales (16 bytes), then 16
 * chunks of 16 bytes, chunk t holding quant bytes 2t and 2t+1 of row 0, then of row 1, ... row 7. Widened to
 * 16-bit lanes, a chunk holds two consecutive elements of all eight rows, so one broadcast pair of activations
 * multiplies eight rows at once. Rows longer than {@value #Q8_0_PANEL_BLOCKS} blocks are cut into panels of that
 * many blocks (the last may be shorter), stored one after another, each holding its blocks of every group: a
 * group's part of a panel (17 KiB) and the activations it is applied to stay in the first-level cache while a
 * thread moves from one group to the next, where a whole row of 5632 elements (47 KiB a group) pushed the
 * activations out between groups: one core decoded a random 2048 x 5632 matrix at 17-18 GB/s in whole rows, at
 * 21 in panels, as fast as 5632 x 2048.
 * <p>
 * Q4_K, per 32-element sub-block, has each row's 16 nibble bytes in Q4_0's order (byte k holds elements k and
 * k + 16) arranged as Q8_0's chunks (eight of 16 bytes, chunk t holding bytes 2t and 2t + 1 of row 0, row 1, ...),
 * with the 6-bit scales and minimums unpacked to bytes: per group of {@value #ROWS} rows and
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
    /** Rows per group of Q8_0, Q4_K and Q6_K. */
    public static final int ROWS = 8;
    /** Rows per group of Q4_0. */
    public static final int Q4_0_ROWS = 32;
    /** Blocks per panel of a Q8_0 copy (see above). */
    static final int Q8_0_PANEL_BLOCKS = 64;

    /** Little-endian longs at any byte offset of a byte array: the copies move eight bytes at a time. */
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

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
            case Q4_0, Q8_0, Q4_K, Q6_K -> rows >= rowsPerGroup(type);
            default -> false;
        };
    }

    /** Rows per group of {@code type}'s interleaved layout. */
    public static int rowsPerGroup(GGMLType type) {
        return type == GGMLType.Q4_0 ? Q4_0_ROWS : ROWS;
    }

    /** Position (16-bit lane of the scales, byte of a chunk) of row {@code r} in a Q4_0 group block. */
    static int q4_0Lane(int r) {
        int half = Q4_0_ROWS / 2;
        return r < half ? 2 * r : 2 * (r - half) + 1;
    }

    /** Bytes of one block (K types: super-block) of a group: the rows' scales and quants. */
    static int groupBlockBytes(GGMLType type) {
        return switch (type) {
            case Q4_K -> Q4_K_GROUP_BYTES;
            case Q6_K -> Q6_K_GROUP_BYTES;
            default -> rowsPerGroup(type) * type.bytesPerBlock;
        };
    }

    /** Bytes of the interleaved copy of a matrix: whole groups only. */
    public static long copyBytes(GGMLType type, int rows, int cols) {
        return supports(type, rows) ? (long) (rows / rowsPerGroup(type)) * groupBytes(type, cols) : 0;
    }

    /** Bytes of one group of rows of {@code cols} elements. */
    static long groupBytes(GGMLType type, int cols) {
        return (long) (cols / type.blockSize) * groupBlockBytes(type);
    }

    /**
     * Columns per panel of the copy of rows of {@code cols} elements: the copy holds columns {@code 0 ..
     * panelCols} of every group, then the next panel's, and so on. Only Q8_0 has more than one panel.
     */
    static int panelCols(GGMLType type, int cols) {
        return type == GGMLType.Q8_0 ? Math.min(cols, Q8_0_PANEL_BLOCKS * 32) : cols;
    }

    /**
     * Byte offset in the copy of {@code groups} groups of the panel starting at column {@code firstCol} (a
     * multiple of {@link #panelCols}); its group g starts {@code g * groupBytes(type, width of the panel)} further.
     */
    static long panelOffset(GGMLType type, int groups, int firstCol) {
        return groups * groupBytes(type, firstCol);
    }

    /** The interleaved copy of the whole groups of rows of {@code data}, allocated by {@code memory}. */
    static MemorySegment interleave(GGMLType type, MemorySegment data, int rows, int cols, SegmentAllocator memory) {
        if (!supports(type, rows)) throw new IllegalArgumentException("no interleaved layout for " + type);
        if (type == GGMLType.Q4_0) return interleaveQ4_0(data, rows, cols, memory);
        if (type == GGMLType.Q4_K) return interleaveQ4_K(data, rows, cols, memory);
        if (type == GGMLType.Q6_K) return interleaveQ6_K(data, rows, cols, memory);
        int groups = rows / ROWS;
        int blocks = cols / 32;
        int blockBytes = GGMLType.Q8_0.bytesPerBlock;
        int groupBlockBytes = groupBlockBytes(GGMLType.Q8_0);
        int rowBytes = blockBytes * blocks;
        MemorySegment out = memory.allocate((long) groups * blocks * groupBlockBytes, 64);
        byte[] in = new byte[ROWS * rowBytes];
        byte[] group = new byte[blocks * groupBlockBytes];
        long[] quad = new long[4];
        int panelCols = panelCols(GGMLType.Q8_0, cols);
        for (int g = 0; g < groups; g++) {
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, (long) g * ROWS * rowBytes, in, 0, in.length);
            for (int b = 0; b < blocks; b++) {
                int dst = b * groupBlockBytes;
                for (int r = 0; r < ROWS; r++) {
                    group[dst + 2 * r] = in[r * rowBytes + b * blockBytes];
                    group[dst + 2 * r + 1] = in[r * rowBytes + b * blockBytes + 1];
                }
                // Quant pairs 4T..4T+3 of four rows at a time: a 4 x 4 transpose of 16-bit units, one long per row in
                // and one per chunk out.
                for (int half = 0; half < 2; half++) {
                    for (int t = 0; t < 16; t += 4) {
                        int src = b * blockBytes + 2 + 2 * t;
                        for (int i = 0; i < 4; i++) quad[i] = (long) LONG_LE.get(in, (4 * half + i) * rowBytes + src);
                        transposeShorts4x4(quad);
                        for (int j = 0; j < 4; j++) LONG_LE.set(group, dst + 16 + 16 * (t + j) + 8 * half, quad[j]);
                    }
                }
            }
            for (int c0 = 0; c0 < cols; c0 += panelCols) {
                int from = (int) groupBytes(GGMLType.Q8_0, c0);
                int length = (int) groupBytes(GGMLType.Q8_0, Math.min(panelCols, cols - c0));
                MemorySegment.copy(group, from, out, ValueLayout.JAVA_BYTE, panelOffset(GGMLType.Q8_0, groups, c0) + (long) g * length, length);
            }
        }
        return out;
    }

    private static MemorySegment interleaveQ4_0(MemorySegment data, int rows, int cols, SegmentAllocator memory) {
        int groups = rows / Q4_0_ROWS;
        int blocks = cols / 32;
        int blockBytes = GGMLType.Q4_0.bytesPerBlock;
        int groupBlockBytes = groupBlockBytes(GGMLType.Q4_0);
        long rowBytes = (long) blockBytes * blocks;
        MemorySegment out = memory.allocate(groups * groupBytes(GGMLType.Q4_0, cols), 64);
        byte[] in = new byte[(int) (Q4_0_ROWS * rowBytes)];
        byte[] group = new byte[blocks * groupBlockBytes];
        long[] octet = new long[8];
        for (int g = 0; g < groups; g++) {
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, g * Q4_0_ROWS * rowBytes, in, 0, in.length);
            for (int b = 0; b < blocks; b++) {
                int dst = b * groupBlockBytes;
                for (int r = 0; r < Q4_0_ROWS; r++) {
                    int lane = q4_0Lane(r), src = (int) (r * rowBytes) + b * blockBytes;
                    group[dst + 2 * lane] = in[src];
                    group[dst + 2 * lane + 1] = in[src + 1];
                }
                // Quant bytes 8h..8h+7 of the eight rows of lanes 8k..8k+7: an 8 x 8 byte transpose, one long per row
                // in and one per chunk out.
                for (int k = 0; k < Q4_0_ROWS / 8; k++) {
                    for (int h = 0; h < 2; h++) {
                        int src = b * blockBytes + 2 + 8 * h;
                        for (int i = 0; i < 8; i++) octet[i] = (long) LONG_LE.get(in, (int) (q4_0Row(8 * k + i) * rowBytes) + src);
                        transposeBytes8x8(octet);
                        for (int j = 0; j < 8; j++) {
                            LONG_LE.set(group, dst + 2 * Q4_0_ROWS + Q4_0_ROWS * (8 * h + j) + 8 * k, octet[j]);
                        }
                    }
                }
            }
            MemorySegment.copy(group, 0, out, ValueLayout.JAVA_BYTE, (long) g * group.length, group.length);
        }
        return out;
    }

    /** The row whose bytes are at {@code lane} of a Q4_0 group's chunks (the inverse of {@link #q4_0Lane}). */
    static int q4_0Row(int lane) {
        return lane % 2 == 0 ? lane / 2 : Q4_0_ROWS / 2 + lane / 2;
    }

    private static final long BYTES = 0x00FF00FF00FF00FFL, SHORTS = 0x0000FFFF0000FFFFL, INTS = 0x00000000FFFFFFFFL;

    /**
     * Transposes the 8 x 8 bytes held in {@code x} (byte j of {@code x[i]}, little-endian, is element (i, j)), in
     * place: three rounds that swap the off-diagonal corners of 2 x 2 tiles, of bytes, then of 16-bit and of 32-bit units.
     */
    static void transposeBytes8x8(long[] x) {
        for (int i = 0; i < 8; i += 2) swapCorners(x, i, i + 1, BYTES, 8);
        for (int i = 0; i < 8; i += 4) {
            swapCorners(x, i, i + 2, SHORTS, 16);
            swapCorners(x, i + 1, i + 3, SHORTS, 16);
        }
        for (int i = 0; i < 4; i++) swapCorners(x, i, i + 4, INTS, 32);
    }

    /** {@link #transposeBytes8x8} for 4 x 4 16-bit units. */
    static void transposeShorts4x4(long[] x) {
        swapCorners(x, 0, 1, SHORTS, 16);
        swapCorners(x, 2, 3, SHORTS, 16);
        swapCorners(x, 0, 2, INTS, 32);
        swapCorners(x, 1, 3, INTS, 32);
    }

    /**
     * Units of {@code shift} bits: the odd units of {@code x[i]} trade places with the even units of {@code x[j]}
     * ({@code mask} selects the even units).
     */
    private static void swapCorners(long[] x, int i, int j, long mask, int shift) {
        long a = x[i], b = x[j];
        x[i] = (a & mask) | ((b & mask) << shift);
        x[j] = ((a >>> shift) & mask) | (b & ~mask);
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
