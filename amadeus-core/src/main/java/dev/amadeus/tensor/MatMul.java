package dev.amadeus.tensor;

import java.util.Objects;

/**
 * Matrix products with weights, in llama.cpp's CPU arithmetic: the activations are converted once per
 * call to the weight type's activation format, then every output is one {@link TensorKernels#dot}.
 * matVec and matMul share that per-row arithmetic exactly, so a prompt evaluated in one batch and the
 * same tokens evaluated one by one produce identical numbers.
 */
public final class MatMul {
    /** Activation bytes per tile in matMul: small enough to stay in L2 while a weight row is reused across it. */
    private static final int ACTIVATION_TILE_BYTES = 256 * 1024;

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
        pool.parallelFor(rows, (start, end) -> {
            for (int r = start; r < end; r++) {
                out[outOffset + r] = w.dot(kernels, r, a, 0);
            }
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
        pool.parallelFor(rows, (start, end) -> {
            for (int b0 = 0; b0 < batch; b0 += tile) {
                int b1 = Math.min(batch, b0 + tile);
                for (int r = start; r < end; r++) {
                    for (int b = b0; b < b1; b++) {
                        out[b * rows + r] = w.dot(kernels, r, a, b);
                    }
                }
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
