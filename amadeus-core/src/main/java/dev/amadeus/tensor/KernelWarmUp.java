package dev.amadeus.tensor;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the matrix-product kernels on the first rows of some of a model's own matrices until the JIT has
 * compiled them, so that the model's first token does not run them interpreted (Vector API code is hundreds
 * of times slower before C2 compiles it). llama.cpp likewise evaluates a throw-away batch at startup; here it
 * can run on another core while the model loads. The rows are the model's, not small random ones, because C2
 * shapes the code by the loop lengths it has seen: kernels warmed on short rows run real rows slower.
 */
public final class KernelWarmUp {
    /** Single-row calls of each product: with the launcher's lowered compile thresholds, enough for C2 to compile the kernels. */
    private static final int ROUNDS = 60;
    /** Rows of each single-row sample. */
    private static final int ROWS = 2 * RowInterleaving.Q4_0_ROWS;
    /**
     * Row groups of each batched sample: a one-thread pool hands {@link MatMul} an eighth of the groups per call,
     * and it takes sixteen for the calls to hold two neighbouring groups, which the 512-bit prefill kernels take
     * at once (Q4_0 and Q8_0): so that these are compiled too.
     */
    private static final int BATCH_GROUPS = 16;
    /** Batched calls of each product, and their batch: enough for the four-row kernels. */
    private static final int BATCH_ROUNDS = 8;
    private static final int BATCH = 4;

    private KernelWarmUp() {
    }

    /**
     * Warms the kernels for {@code samples} on the calling thread: those of the {@link RowInterleaving
     * row-interleaved} layout if {@code interleaved}, else those of the file's. The single-row products, which
     * decoding runs, come first; {@code decodeReady} runs once they are warm. The batched products then wait for
     * {@code loaded}: compiling them takes the optimizing compiler about a second of CPU time, which would otherwise
     * come out of the load's copying on a machine of two cores.
     */
    public static void run(List<WeightMatrix> samples, boolean interleaved, Runnable decodeReady, CountDownLatch loaded) {
        Random rnd = new Random(1);
        try (Arena arena = Arena.ofShared(); ThreadPool serial = new ThreadPool(1)) {
            List<WeightMatrix> ws = new ArrayList<>();
            List<WeightMatrix> batchWs = new ArrayList<>();
            List<float[]> xs = new ArrayList<>();
            int maxRows = 0;
            for (WeightMatrix m : samples) {
                ws.add(firstRows(m, ROWS, interleaved, arena));
                WeightMatrix b = firstRows(m, BATCH_GROUPS * RowInterleaving.rowsPerGroup(m.type()), interleaved, arena);
                batchWs.add(b);
                maxRows = Math.max(maxRows, b.rows());
                float[] x = new float[BATCH * m.cols()];
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                xs.add(x);
            }
            float[] out = new float[BATCH * Math.max(ROWS, maxRows)];
            // Round-robin over the samples, so that every shape is in the profile when the JIT compiles a kernel.
            for (int i = 0; i < ROUNDS; i++) {
                for (int s = 0; s < ws.size(); s++) MatMul.matVec(ws.get(s), xs.get(s), 0, out, 0, serial);
            }
            decodeReady.run();
            try {
                loaded.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (int i = 0; i < BATCH_ROUNDS; i++) {
                for (int s = 0; s < batchWs.size(); s++) MatMul.matMul(batchWs.get(s), xs.get(s), BATCH, out, serial);
            }
        }
    }

    /** The first {@code rows} rows of {@code m} (all if fewer), in the layout the model uses. */
    private static WeightMatrix firstRows(WeightMatrix m, int rows, boolean interleaved, Arena arena) {
        int n = Math.min(rows, m.rows());
        WeightMatrix w = new WeightMatrix(m.name(), m.type(), n, m.cols(), m.data().asSlice(0, n * m.rowBytes()));
        return interleaved ? w.interleaved(arena) : w;
    }
}
