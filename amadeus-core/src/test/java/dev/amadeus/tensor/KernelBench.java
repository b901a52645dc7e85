package dev.amadeus.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.Random;

/**
 * Throughput of {@link MatMul#matVec} (decode) and {@link MatMul#matMul} (prefill) at TinyLlama's matrix
 * shapes, as weight bytes streamed per second and GFLOP/s (2 flops per weight per activation row).
 * Not a test: run by hand on a quiet machine, e.g.
 * <pre>
 * java --add-modules jdk.incubator.vector -cp amadeus-core/target/classes:amadeus-core/target/test-classes \
 *     dev.amadeus.tensor.KernelBench [threads=2] [batch=32] [types=Q4_0,Q8_0,Q4_K,Q6_K,F16] [shapes=2048x2048,...] [seconds=1.5]
 * </pre>
 * Shapes are rows x cols (ggml's ne1 x ne0). Weights live off-heap, as a mapped model's do.
 */
public final class KernelBench {
    private KernelBench() {
    }

    public static void main(String[] args) {
        int threads = 2;
        int batch = 32;
        String types = "Q4_0,Q8_0,Q4_K,Q6_K,F16";
        String shapes = "2048x2048,5632x2048,2048x5632,32000x2048";
        double seconds = 1.5;
        String ops = "vec,mat";
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            switch (kv[0]) {
                case "threads" -> threads = Integer.parseInt(kv[1]);
                case "batch" -> batch = Integer.parseInt(kv[1]);
                case "types" -> types = kv[1];
                case "shapes" -> shapes = kv[1];
                case "seconds" -> seconds = Double.parseDouble(kv[1]);
                case "ops" -> ops = kv[1];
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        System.out.printf(Locale.ROOT, "kernels %s, threads %d, prefill batch %d%n",
                TensorKernels.preferred().getClass().getSimpleName(), threads, batch);
        System.out.printf(Locale.ROOT, "%-5s %-11s %-4s %10s %8s %8s%n", "type", "shape", "op", "ms/call", "GB/s", "GFLOP/s");
        try (ThreadPool pool = new ThreadPool(threads); Arena arena = Arena.ofShared()) {
            for (String typeName : types.split(",")) {
                GGMLType type = GGMLType.valueOf(typeName);
                for (String shape : shapes.split(",")) {
                    String[] rc = shape.split("x");
                    int rows = Integer.parseInt(rc[0]);
                    int cols = Integer.parseInt(rc[1]);
                    MemorySegment data = arena.allocate(type.byteSize(cols) * rows, 64);
                    RandomWeights.fill(type, data, rows, cols, 7, 0.02f);
                    WeightMatrix w = new WeightMatrix("w", type, rows, cols, data);
                    float[] x = TestBlocks.gaussian(batch * cols, new Random(3));
                    double bytes = (double) w.rowBytes() * rows;
                    if (ops.contains("vec")) {
                        float[] out = new float[rows];
                        double t = time(() -> MatMul.matVec(w, x, 0, out, 0, pool), seconds);
                        report(type, shape, "vec", t, bytes, 2.0 * rows * cols);
                    }
                    if (ops.contains("mat")) {
                        float[] out = new float[batch * rows];
                        int b = batch;
                        double t = time(() -> MatMul.matMul(w, x, b, out, pool), seconds);
                        report(type, shape, "mat", t, bytes, 2.0 * rows * cols * batch);
                    }
                }
            }
        }
    }

    private static void report(GGMLType type, String shape, String op, double t, double bytes, double flops) {
        System.out.printf(Locale.ROOT, "%-5s %-11s %-4s %10.3f %8.2f %8.2f%n", type, shape, op, t * 1e3, bytes / t / 1e9, flops / t / 1e9);
    }

    /** Seconds per call: warm up for a third of the budget, then the best of several timed rounds. */
    private static double time(Runnable call, double seconds) {
        long warmEnd = System.nanoTime() + (long) (seconds / 3 * 1e9);
        int calls = 0;
        while (System.nanoTime() < warmEnd || calls < 3) {
            call.run();
            calls++;
        }
        double best = Double.MAX_VALUE;
        long end = System.nanoTime() + (long) (seconds * 2 / 3 * 1e9);
        do {
            long t0 = System.nanoTime();
            int n = 0;
            do {
                call.run();
                n++;
            } while (System.nanoTime() - t0 < 50_000_000L);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9 / n);
        } while (System.nanoTime() < end);
        return best;
    }
}
