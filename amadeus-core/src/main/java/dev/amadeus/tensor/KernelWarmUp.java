package dev.amadeus.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.Set;

/**
 * Runs the matrix-product kernels of some weight types on small random matrices until the JIT has compiled
 * them, so that a model's first token does not run them interpreted (Vector API code is hundreds of times
 * slower before C2 compiles it). llama.cpp likewise evaluates a throw-away batch at startup; here it can
 * run on another core while the model loads.
 */
public final class KernelWarmUp {
    /** Calls of each product: enough for C2 to compile the kernels and the loops around them. */
    private static final int ROUNDS = 300;
    private static final int ROWS = 32;
    private static final int COLS = 256;

    private KernelWarmUp() {
    }

    /** Warms the kernels for matrices of {@code types} (single-row and batched products), on the calling thread. */
    public static void run(Set<GGMLType> types) {
        Random rnd = new Random(1);
        float[] x = new float[4 * COLS];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        float[] out = new float[4 * ROWS];
        try (Arena arena = Arena.ofShared(); ThreadPool serial = new ThreadPool(1)) {
            for (GGMLType type : types) {
                if (!type.isSupported() || COLS % type.blockSize != 0) continue;
                MemorySegment data = arena.allocate(type.byteSize(COLS) * ROWS, 64);
                RandomWeights.fill(type, data, ROWS, COLS, 7, 0.02f);
                WeightMatrix w = new WeightMatrix("warm-up", type, ROWS, COLS, data).interleaved(arena);
                for (int i = 0; i < ROUNDS; i++) {
                    MatMul.matVec(w, x, 0, out, 0, serial);
                    if (i % 8 == 0) MatMul.matMul(w, x, 4, out, serial);
                }
            }
        }
    }
}
