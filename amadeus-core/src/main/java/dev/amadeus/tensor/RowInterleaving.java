package dev.amadeus.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A copy of a Q4_0 or Q8_0 matrix with every group of {@value #ROWS} rows interleaved block by block, the
 * layout the fast kernels want: for each group and block, the rows' eight f16 scales (16 bytes), then chunks
 * of 16 bytes (8 for Q4_0, 16 for Q8_0), chunk t holding quant bytes 2t and 2t+1 of row 0, then of row 1, ...
 * row 7. Widened to 16-bit lanes, a chunk holds two consecutive elements of all eight rows (Q8_0: elements 2t
 * and 2t+1; Q4_0: those in the low nibbles, 2t+16 and 2t+17 in the high ones), so one broadcast pair of
 * activations multiplies eight rows at once and each lane pair belongs to one row: no per-row horizontal sum
 * is left at the end of a block. Same size as the original; rows past the last whole group are not copied
 * (they stay in the original layout).
 */
public final class RowInterleaving {
    /** Rows per group. */
    public static final int ROWS = 8;

    private RowInterleaving() {
    }

    /** Whether matrices of {@code type} with {@code rows} rows get an interleaved copy. */
    public static boolean supports(GGMLType type, int rows) {
        return (type == GGMLType.Q4_0 || type == GGMLType.Q8_0) && rows >= ROWS;
    }

    /** Bytes of one block of a group: eight scales and the eight rows' quants. */
    static int groupBlockBytes(GGMLType type) {
        return ROWS * type.bytesPerBlock;
    }

    /** The interleaved copy of the first {@code rows - rows % 8} rows of {@code data}, allocated in {@code arena}. */
    static MemorySegment interleave(GGMLType type, MemorySegment data, int rows, int cols, Arena arena) {
        if (!supports(type, rows)) throw new IllegalArgumentException("no interleaved layout for " + type);
        int groups = rows / ROWS;
        int blocks = cols / 32;
        // Scales and quant pairs move as 16-bit units: block b of row r is `units` shorts, the scale first.
        int units = type.bytesPerBlock / 2;
        long rowBytes = (long) type.bytesPerBlock * blocks;
        MemorySegment out = arena.allocate((long) groups * blocks * groupBlockBytes(type), 64);
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
}
