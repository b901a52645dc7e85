package dev.amadeus.jmh;

import dev.amadeus.tensor.GGMLType;
import dev.amadeus.tensor.MatMul;
import dev.amadeus.tensor.RandomWeights;
import dev.amadeus.tensor.ThreadPool;
import dev.amadeus.tensor.WeightMatrix;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Weight kernels at TinyLlama's matrix shapes: {@link MatMul#matVec} (decode, one activation row) and
 * {@link MatMul#matMul} (prefill, {@code batch} rows). Besides calls per second, the auxiliary counters
 * report the rate of weight bytes streamed ({@code weightGB}, in GB/s) and of arithmetic ({@code gflop},
 * in GFLOP/s, two flops per weight per activation row), to hold against the machine's limits (assumed for
 * the 2-core AVX2/FMA machine this was written on: about 26 GB/s of memory bandwidth, and per core two
 * 8-lane FMAs per cycle, 32 flop/cycle, about 100 GFLOP/s per core at 3 GHz in float arithmetic).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class WeightKernelBenchmark {
    @Param({"Q4_0", "Q8_0", "Q4_K", "Q6_K", "F16"})
    public String type;

    /** rows x cols (ggml's ne1 x ne0): TinyLlama's attention, feed-forward up and down projections. */
    @Param({"2048x2048", "5632x2048", "2048x5632"})
    public String shape;

    @Param("2")
    public int threads;

    @Param("32")
    public int batch;

    /** Whether Q4_0, Q8_0, Q4_K and Q6_K weights get their row-interleaved copy, as models load them by default. */
    @Param("true")
    public boolean interleave;

    /**
     * Copies of the matrix, applied in turn: with 1 the weights stay in cache between calls; with enough copies
     * to overflow the last-level cache (64 of the largest shape take about 500 MB of Q8_0) every call streams
     * its weights from memory, as decoding does.
     */
    @Param("1")
    public int copies;

    private Arena arena;
    private ThreadPool pool;
    private WeightMatrix[] matrices;
    private WeightMatrix weights;
    private int next;
    private float[] x;
    private float[] out;

    /** Counts per call, which JMH turns into rates per second. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Throughput {
        public double weightGB;
        public double gflop;
    }

    @Setup(Level.Trial)
    public void setUp() {
        GGMLType t = GGMLType.valueOf(type);
        String[] rc = shape.split("x");
        int rows = Integer.parseInt(rc[0]);
        int cols = Integer.parseInt(rc[1]);
        arena = Arena.ofShared();
        matrices = new WeightMatrix[copies];
        for (int i = 0; i < copies; i++) {
            MemorySegment data = arena.allocate(t.byteSize(cols) * rows, 64);
            RandomWeights.fill(t, data, rows, cols, 7 + i, 0.02f);
            matrices[i] = new WeightMatrix("w" + i, t, rows, cols, data);
            if (interleave) matrices[i] = matrices[i].interleaved(arena);
        }
        weights = matrices[0];
        Random rnd = new Random(3);
        x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        out = new float[batch * rows];
        pool = new ThreadPool(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float matVec(Throughput counters) {
        MatMul.matVec(nextMatrix(), x, 0, out, 0, pool);
        counters.weightGB += weightBytes() / 1e9;
        counters.gflop += 2.0 * weights.rows() * weights.cols() / 1e9;
        return out[0];
    }

    @Benchmark
    public float matMul(Throughput counters) {
        MatMul.matMul(nextMatrix(), x, batch, out, pool);
        counters.weightGB += weightBytes() / 1e9;
        counters.gflop += 2.0 * weights.rows() * weights.cols() * batch / 1e9;
        return out[0];
    }

    private WeightMatrix nextMatrix() {
        WeightMatrix w = matrices[next];
        next = next + 1 == copies ? 0 : next + 1;
        return w;
    }

    private double weightBytes() {
        return (double) weights.rowBytes() * weights.rows();
    }
}
