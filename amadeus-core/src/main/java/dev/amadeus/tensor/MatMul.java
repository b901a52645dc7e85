package dev.amadeus.tensor;

import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Matrix products with weights, in llama.cpp's CPU arithmetic: the activations are converted once per
 * call to the weight type's activation format, then every output is one {@link TensorKernels#dot}, computed
 * several at a time by {@link TensorKernels#dotTile}.
 * matVec and matMul share that per-row arithmetic exactly, so a prompt evaluated in one batch and the
 * same tokens evaluated one by one produce identical numbers.
 */
public final class MatMul {
    /**
     * Activation bytes per tile in matMul: small enough to stay in L1 while every weight row of a pass is
     * applied to it, so that the activations, read once per weight block, come from the nearest cache.
     */
    private static final int ACTIVATION_TILE_BYTES = 16 * 1024;

    /**
     * Row groups per pass in matMul: each pass applies these rows to every activation tile in turn, so its
     * weights (up to a few hundred KB) are read from memory once and then from L2.
     */
    private static final int GROUPS_PER_PASS = 8;

    /**
     * Each thread takes its share of the row groups ({@link ThreadPool#parallelForShares}) in about this many
     * chunks, and the last chunks of a thread that the machine slows down go to the others. One share per thread,
     * read as a single stream, decoded 4% faster than chunks dealt out in turn from one counter (which made each
     * thread's reads jump at every chunk); smaller chunks cost more than they balanced.
     */
    private static final int CHUNKS_PER_THREAD = 8;

    private static final ThreadLocal<Activations> SCRATCH = ThreadLocal.withInitial(Activations::new);

    private MatMul() {
    }

    /** {@code out[outOffset + r] = row r of w · x[xOffset .. xOffset + cols)} for every row, in parallel over rows. */
    public static void matVec(WeightMatrix w, float[] x, int xOffset, float[] out, int outOffset, ThreadPool pool) {
        matVec(TensorKernels.preferred(), w, x, xOffset, out, outOffset, pool);
    }

    /**
     * {@code x} holds {@code batch} rows of {@code w.cols()} floats; row b of {@code out} (of {@code w.rows()}
     * floats) receives w · (row b of x). Each weight row is applied to a whole tile of activation rows while
     * it is in cache, so the weights are streamed from memory once per tile rather than once per row.
     */
    public static void matMul(WeightMatrix w, float[] x, int batch, float[] out, ThreadPool pool) {
        matMul(TensorKernels.preferred(), w, x, batch, out, pool);
    }

    static void matVec(TensorKernels kernels, WeightMatrix w, float[] x, int xOffset, float[] out, int outOffset,
                       ThreadPool pool) {
        int rows = w.rows();
        int cols = w.cols();
        Objects.checkFromIndexSize(xOffset, cols, x.length);
        Objects.checkFromIndexSize(outOffset, rows, out.length);
        Activations a = SCRATCH.get();
        a.convert(w.type(), x, xOffset, 1, cols, extras(kernels, new WeightMatrix[]{w}, 1), pool);
        int groups = Math.ceilDiv(rows, rowGroup(w));
        pool.parallelForShares(groups, chunk(groups, pool), (g0, g1) -> rowGroups(kernels, w, a, g0, g1, 0, 1, out, outOffset, 0));
    }

    static void matMul(TensorKernels kernels, WeightMatrix w, float[] x, int batch, float[] out, ThreadPool pool) {
        matMulAll(kernels, new WeightMatrix[]{w}, x, batch, new float[][]{out}, pool);
    }

    /**
     * {@link #matMul} of one input with several matrices of one row length whose types share an activation
     * format (a layer's query, key and value projections; its gate and up projections): the activations are
     * converted once and all the matrices' row groups are shared among the threads in one pass, so the threads
     * meet once instead of once per matrix. Each {@code outs[m]} receives exactly what {@code matMul} would give.
     */
    public static void matMulAll(WeightMatrix[] ws, float[] x, int batch, float[][] outs, ThreadPool pool) {
        matMulAll(TensorKernels.preferred(), ws, x, batch, outs, pool);
    }

    /** Whether {@link #matMulAll} takes these matrices together: one row length, one activation format. */
    public static boolean canShareActivations(WeightMatrix... ws) {
        for (WeightMatrix w : ws) {
            if (w.cols() != ws[0].cols() || Activations.formatFor(w.type()) != Activations.formatFor(ws[0].type())) return false;
        }
        return true;
    }

    static void matMulAll(TensorKernels kernels, WeightMatrix[] ws, float[] x, int batch, float[][] outs, ThreadPool pool) {
        if (!canShareActivations(ws)) {
            throw new IllegalArgumentException("matrices with different row lengths or activation formats: " + ws[0].name() + ", ...");
        }
        int cols = ws[0].cols();
        int[] firstGroup = new int[ws.length + 1];
        for (int m = 0; m < ws.length; m++) {
            WeightMatrix w = ws[m];
            Objects.checkFromIndexSize(0, Math.multiplyExact(batch, w.rows()), outs[m].length);
            firstGroup[m + 1] = firstGroup[m] + Math.ceilDiv(w.rows(), rowGroup(w));
        }
        Objects.checkFromIndexSize(0, Math.multiplyExact(batch, cols), x.length);
        if (batch == 0) return;
        Activations a = SCRATCH.get();
        a.convert(ws[0].type(), x, 0, batch, cols, extras(kernels, ws, batch), pool);
        // At least the four rows the kernels take at once, even when that overflows L1 (long rows).
        int tile = Math.clamp(ACTIVATION_TILE_BYTES / activationRowBytes(a.format(), cols), 4, Math.max(4, batch));
        int groups = firstGroup[ws.length];
        pool.parallelForShares(groups, chunk(groups, pool), (g0, g1) -> {
            for (int m = 0; m < ws.length; m++) {
                int from = Math.max(g0, firstGroup[m]) - firstGroup[m];
                int to = Math.min(g1, firstGroup[m + 1]) - firstGroup[m];
                WeightMatrix w = ws[m];
                int rows = w.rows();
                int rowsPerCall = w.interleavedRows() > 0 && kernels.takesWholeBatch(w.type(), batch) ? batch : tile;
                for (int p0 = from; p0 < to; p0 += GROUPS_PER_PASS) {
                    int p1 = Math.min(to, p0 + GROUPS_PER_PASS);
                    for (int b0 = 0; b0 < batch; b0 += rowsPerCall) {
                        int n = Math.min(batch, b0 + rowsPerCall) - b0;
                        rowGroups(kernels, w, a, p0, p1, b0, n, outs[m], b0 * rows, rows);
                    }
                }
            }
        });
    }

    /** The activation arrays beyond the quants that the kernels of a product of {@code ws} with {@code batch} rows read. */
    private static Set<Activations.Extra> extras(TensorKernels kernels, WeightMatrix[] ws, int batch) {
        Set<Activations.Extra> extras = EnumSet.noneOf(Activations.Extra.class);
        for (WeightMatrix w : ws) {
            boolean interleaved = w.interleavedRows() > 0;
            if (w.interleavedRows() < w.rows()) extras.add(Activations.Extra.EVEN_ODD);
            if (w.type() == GGMLType.Q8_0) extras.add(Activations.Extra.PAIRS);
            if (interleaved && kernels.readsPairQuads(w.type(), batch)) extras.add(Activations.Extra.PAIR_QUADS);
            if (interleaved && kernels.readsQuantFloats(w.type(), batch)) extras.add(Activations.Extra.QUANT_FLOATS);
        }
        return extras;
    }

    /**
     * Threads get whole groups of this many rows of {@code w}: its interleaved layout's groups, which kernels
     * for several rows at once (the original layout's, four rows at a time) also see whole except at the end.
     */
    private static int rowGroup(WeightMatrix w) {
        return RowInterleaving.rowsPerGroup(w.type());
    }

    /**
     * Outputs of row groups {@code g0..g1} (rows {@code rowGroup(w) * g0 ..}) for activation rows {@code xRow..xRow + xRows}:
     * from the row-interleaved copy where the matrix has one, panel after panel of its columns (each panel's groups
     * lie together), from the original blocks otherwise (and for a last, partial group).
     */
    private static void rowGroups(TensorKernels kernels, WeightMatrix w, Activations a, int g0, int g1, int xRow, int xRows,
                                  float[] out, int outOffset, int outStride) {
        int rows = w.rows();
        int rowGroup = rowGroup(w);
        int interleavedGroups = w.interleavedRows() / rowGroup;
        int mid = Math.clamp(interleavedGroups, g0, g1);
        if (mid > g0) {
            int cols = w.cols(), panelCols = RowInterleaving.panelCols(w.type(), cols);
            for (int c0 = 0; c0 < cols; c0 += panelCols) {
                int width = Math.min(panelCols, cols - c0);
                long at = RowInterleaving.panelOffset(w.type(), interleavedGroups, c0) + g0 * RowInterleaving.groupBytes(w.type(), width);
                kernels.dotInterleaved(w.type(), w.interleavedData(), at, mid - g0, c0, width, a, xRow, xRows,
                        out, outOffset + g0 * rowGroup, outStride);
            }
        }
        if (g1 > mid) {
            int start = mid * rowGroup;
            int end = Math.min(rows, g1 * rowGroup);
            kernels.dotTile(w.type(), w.data(), start * w.rowBytes(), w.rowBytes(), end - start, rows, a, xRow, xRows,
                    out, outOffset + start, outStride);
        }
    }

    private static int chunk(int groups, ThreadPool pool) {
        return Math.max(1, groups / (CHUNKS_PER_THREAD * pool.threads()));
    }

    /** Bytes of one activation row that the kernels read: floats, 16-bit copies of Q8_0 quants, or 8-bit quants. */
    private static int activationRowBytes(GGMLType format, int cols) {
        return switch (format) {
            case F32, F16, BF16 -> Math.max(1, 4 * cols);
            case Q8_0 -> Math.max(1, 2 * cols);
            default -> Math.max(1, cols + cols / 8);
        };
    }
}
