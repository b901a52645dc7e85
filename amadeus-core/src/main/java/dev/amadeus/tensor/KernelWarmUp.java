package dev.amadeus.tensor;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.Random;

/**
 * Runs the matrix-product kernels on the first rows of some of a model's own matrices until the JIT has
 * compiled them, so that the model's first token does not run them interpreted (Vector API code is hundreds
 * of times slower before C2 compiles it). llama.cpp likewise evaluates a throw-away batch at startup; here it
 * can run on another core while the model loads. The rows are the model's, not small random ones, because C2
 * shapes the code by the loop lengths it has seen: kernels warmed on short rows run real rows slower.
 */
public final class KernelWarmUp {
    /** Calls of each product: enough for C2 to compile the kernels and the loops around them. */
    private static final int ROUNDS = 60;
    private static final int ROWS = 32;

    private KernelWarmUp() {
    }

    /**
     * Warms the kernels for {@code samples} (single-row and batched products), on the calling thread: those of
     * the {@link RowInterleaving row-interleaved} layout if {@code interleaved}, else those of the file's.
     */
    public static void run(List<WeightMatrix> samples, boolean interleaved) {
        Random rnd = new Random(1);
        try (Arena arena = Arena.ofShared(); ThreadPool serial = new ThreadPool(1)) {
            for (WeightMatrix m : samples) {
                int rows = Math.min(ROWS, m.rows());
                WeightMatrix w = new WeightMatrix(m.name(), m.type(), rows, m.cols(), m.data().asSlice(0, rows * m.rowBytes()));
                if (interleaved) w = w.interleaved(arena);
                float[] x = new float[4 * m.cols()];
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                float[] out = new float[4 * rows];
                for (int i = 0; i < ROUNDS; i++) {
                    MatMul.matVec(w, x, 0, out, 0, serial);
                    if (i % 8 == 0) MatMul.matMul(w, x, 4, out, serial);
                }
            }
        }
    }
}
