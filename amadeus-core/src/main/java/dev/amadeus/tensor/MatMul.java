package dev.amadeus.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Matrix products with weights, in llama.cpp's CPU arithmetic: the activations are converted once per
 * call to the weight type's activation format, then every output is one {@link TensorKernels#dot}, computed
 * several at a time by {@link TensorKernels#dotTile}.
 * matVec and matMul share that per-row arithmetic exactly, so a prompt evaluated in one batch and the
 * same tokens evaluated one by one produce identical numbers.
 */
public final class MatMul {
    /** Activation bytes per tile in matMul: small enough to stay in L2 while a weight row is reused across it. */
    private static final int ACTIVATION_TILE_BYTES = 256 * 1024;

    /**
     * Threads get whole groups of this many rows, so that kernels working on several rows at once (Q4_0 and
     * Q8_0 in groups of four) see full groups except at the matrix's end.
     */
    private static final int ROW_GROUP = 8;

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
        a.convert(w.type(), x, xOffset, 1, cols);
        GGMLType type = w.type();
        MemorySegment data = w.data();
        long rowBytes = w.rowBytes();
        pool.parallelFor(Math.ceilDiv(rows, ROW_GROUP), (g0, g1) -> {
            int start = g0 * ROW_GROUP;
            int end = Math.min(rows, g1 * ROW_GROUP);
            kernels.dotTile(type, data, start * rowBytes, rowBytes, end - start, rows, a, 0, 1, out, outOffset + start, 0);
        });
    }

    static void matMul(TensorKernels kernels, WeightMatrix w, float[] x, int batch, float[] out, ThreadPool pool) {
        int rows = w.rows();
        int cols = w.cols();
        Objects.checkFromIndexSize(0, Math.multiplyExact(batch, cols), x.length);
        Objects.checkFromIndexSize(0, Math.multiplyExact(batch, rows), out.length);
        if (batch == 0) return;
        Activations a = SCRATCH.get();
        a.convert(w.type(), x, 0, batch, cols);
        int tile = Math.clamp(ACTIVATION_TILE_BYTES / activationRowBytes(a.format(), cols), 1, batch);
        GGMLType type = w.type();
        MemorySegment data = w.data();
        long rowBytes = w.rowBytes();
        pool.parallelFor(Math.ceilDiv(rows, ROW_GROUP), (g0, g1) -> {
            int start = g0 * ROW_GROUP;
            int end = Math.min(rows, g1 * ROW_GROUP);
            for (int b0 = 0; b0 < batch; b0 += tile) {
                int n = Math.min(batch, b0 + tile) - b0;
                kernels.dotTile(type, data, start * rowBytes, rowBytes, end - start, rows, a, b0, n, out, b0 * rows + start, rows);
            }
        });
    }

    private static int activationRowBytes(GGMLType format, int cols) {
        return switch (format) {
            case F32, F16, BF16 -> Math.max(1, 4 * cols);
            default -> Math.max(1, cols + cols / 8);
        };
    }
}
