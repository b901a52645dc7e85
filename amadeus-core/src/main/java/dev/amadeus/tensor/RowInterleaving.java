package dev.amadeus.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A copy of a Q4_0 matrix with every group of {@value #ROWS} rows interleaved block by block, the layout the
 * fast kernels want: for each group and block, the rows' eight f16 scales (16 bytes), then eight chunks of 16
 * bytes, chunk t holding quant bytes 2t and 2t+1 of row 0, then of row 1, ... row 7. Widened to 16-bit lanes,
 * a chunk's low nibbles are elements 2t and 2t+1 of all eight rows and its high nibbles elements 2t+16 and
 * 2t+17, so one broadcast pair of activations multiplies eight rows at once and each lane pair sums one row:
 * no per-row reduction is left at the end of a block. Same size as the original; rows past the last whole
 * group are not copied (they stay in the original layout).
 */
public final class RowInterleaving {
    /** Rows per group. */
    public static final int ROWS = 8;
    /** Bytes of one block of a group: eight scales and eight 16-byte chunks. */
    static final int GROUP_BLOCK_BYTES = ROWS * 18;

    private RowInterleaving() {
    }

    /** Whether matrices of {@code type} with {@code rows} rows get an interleaved copy. */
    public static boolean supports(GGMLType type, int rows) {
        return type == GGMLType.Q4_0 && rows >= ROWS;
    }

    /** The interleaved copy of the first {@code rows - rows % 8} rows of Q4_0 {@code data}, allocated in {@code arena}. */
    static MemorySegment interleaveQ4_0(MemorySegment data, int rows, int cols, Arena arena) {
        int groups = rows / ROWS;
        int blocks = cols / 32;
        long rowBytes = 18L * blocks;
        MemorySegment out = arena.allocate((long) groups * blocks * GROUP_BLOCK_BYTES, 64);
        // Scales and quant pairs move as 16-bit units: block b of row r is 9 shorts at 9 * (r * blocks + b).
        short[] in = new short[ROWS * 9 * blocks];
        short[] group = new short[blocks * GROUP_BLOCK_BYTES / 2];
        for (int g = 0; g < groups; g++) {
            MemorySegment.copy(data, ScalarKernels.SHORT, g * ROWS * rowBytes, in, 0, in.length);
            for (int b = 0; b < blocks; b++) {
                int dst = b * GROUP_BLOCK_BYTES / 2;
                for (int r = 0; r < ROWS; r++) {
                    int src = 9 * (r * blocks + b);
                    group[dst + r] = in[src];
                    for (int t = 0; t < 8; t++) group[dst + 8 + 8 * t + r] = in[src + 1 + t];
                }
            }
            MemorySegment.copy(group, 0, out, ScalarKernels.SHORT, (long) g * 2 * group.length, group.length);
        }
        return out;
    }
}
