package dev.amadeus.bench;

import dev.amadeus.AmadeusException;
import dev.amadeus.gguf.TensorInfo;
import dev.amadeus.model.KVCache;
import dev.amadeus.model.KVCacheType;
import dev.amadeus.model.MemoryPlan;
import dev.amadeus.model.Model;
import dev.amadeus.model.ModelConfig;
import dev.amadeus.model.Transformer;
import dev.amadeus.tensor.ThreadPool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Prompt-processing and generation speed, with llama-bench's definitions:
 * <ul>
 *   <li>pp: {@code p} random token ids evaluated in one forward call from an empty cache;</li>
 *   <li>tg: {@code n} single-token forward calls from an empty cache, each fed a random token id (no sampling);</li>
 *   <li>the first token of either is BOS when the model adds one, as llama-bench does;</li>
 *   <li>one warm-up run of each test, then {@code r} timed repetitions, each from a cleared cache.</li>
 * </ul>
 * llama-bench warms generation up with a single token; here the warm-up is a whole run, because the JIT
 * compiles the single-token path only after it has run a while, and a cold first repetition would
 * measure the compiler rather than the engine. Token ids come from a seeded generator, drawn outside
 * the timed region.
 */
public final class Benchmark {
    /**
     * @param promptTokens tokens of the pp test; 0 skips it
     * @param genTokens    tokens of the tg test; 0 skips it
     * @param repetitions  timed runs of each test, at least 1
     */
    public record Options(Path model, int promptTokens, int genTokens, int repetitions, int threads, long seed, boolean repack) {
        public Options {
            if (promptTokens < 0) throw new IllegalArgumentException("prompt tokens must be 0 or more, got " + promptTokens);
            if (genTokens < 0) throw new IllegalArgumentException("generated tokens must be 0 or more, got " + genTokens);
            if (promptTokens == 0 && genTokens == 0) throw new IllegalArgumentException("nothing to measure: both tests have 0 tokens");
            if (repetitions < 1) throw new IllegalArgumentException("repetitions must be at least 1, got " + repetitions);
            if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
    }

    private Benchmark() {
    }

    /** Loads the model, runs both tests and reports; {@code progress} receives one line per run. */
    public static BenchmarkResult run(Options o, Consumer<String> progress) {
        long loadStart = System.nanoTime();
        try (ThreadPool pool = new ThreadPool(o.threads()); Model m = Model.load(o.model(), o.repack())) {
            Transformer transformer = new Transformer(m.config(), m.weights(), pool);
            long loadNanos = System.nanoTime() - loadStart;
            ModelConfig c = m.config();
            int vocab = c.vocabularySize();
            int bos = m.tokenizer().vocabulary().addBos() ? m.tokenizer().vocabulary().bos() : -1;
            Random random = new Random(o.seed());
            // Each test sizes its context to its own tokens (llama-bench: n_prompt + n_gen), and they
            // run one after the other, so one cache of the larger size serves both.
            int capacity = Math.max(o.promptTokens(), o.genTokens());
            checkMemory(m, capacity, o.repack());

            // Cold: the first forward pass after loading, as a user of a fresh process sees it.
            int first = bos >= 0 ? bos : random.nextInt(vocab);
            long t0 = System.nanoTime();
            try (KVCache one = new KVCache(c, 1)) {
                argmax(transformer.forward(one, new int[]{first}, false));
            }
            long firstTokenNanos = System.nanoTime() - t0;

            try (KVCache cache = new KVCache(c, capacity)) {

            Throughput pp = null, tg = null;
            if (o.promptTokens() > 0) {
                pp = measure("pp" + o.promptTokens(), o.promptTokens(), o.repetitions(), progress, () -> {
                    int[] tokens = randomTokens(random, o.promptTokens(), vocab, bos);
                    cache.clear();
                    long start = System.nanoTime();
                    transformer.forward(cache, tokens, false);
                    return System.nanoTime() - start;
                });
            }
            if (o.genTokens() > 0) {
                tg = measure("tg" + o.genTokens(), o.genTokens(), o.repetitions(), progress, () -> {
                    int[] tokens = randomTokens(random, o.genTokens(), vocab, bos);
                    int[] one = new int[1];
                    cache.clear();
                    long start = System.nanoTime();
                    for (int token : tokens) {
                        one[0] = token;
                        transformer.forward(cache, one, false);
                    }
                    return System.nanoTime() - start;
                });
            }
            return new BenchmarkResult(c.architecture().ggufName, m.file().fileSize(), modelBytes(m), parameters(m),
                    typeShares(m), o.threads(), o.repetitions(), loadNanos, firstTokenNanos, pp, tg, peakRss());
            }
        }
    }

    @FunctionalInterface
    private interface Run {
        long nanos();
    }

    private static Throughput measure(String test, int tokens, int repetitions, Consumer<String> progress, Run run) {
        long warm = run.nanos();
        progress.accept(String.format("%s: warm-up %.2f t/s", test, tokens * 1e9 / warm));
        long[] nanos = new long[repetitions];
        for (int i = 0; i < repetitions; i++) {
            nanos[i] = run.nanos();
            progress.accept(String.format("%s: run %d/%d %.2f t/s", test, i + 1, repetitions, tokens * 1e9 / nanos[i]));
        }
        return Throughput.of(tokens, nanos);
    }

    private static int[] randomTokens(Random random, int count, int vocab, int bos) {
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) tokens[i] = random.nextInt(vocab);
        if (bos >= 0) tokens[0] = bos;
        return tokens;
    }

    /**
     * Refuses a cache that cannot be allocated before trying, so an absurd size ends with a message
     * rather than an out-of-memory failure halfway through: the F16 cache (off the heap) must fit in the
     * machine's memory, and one batch's activations in the heap that is free.
     */
    static void checkMemory(Model m, int capacity, boolean repacked) {
        ModelConfig c = m.config();
        MemoryPlan.of(m.file(), c, capacity, KVCacheType.F16, KVCacheType.F16, repacked).checkFits("lower -p or -n");
        long batch = Math.min(Transformer.MAX_BATCH, capacity);
        long activations = Float.BYTES * (batch * (6L * c.embeddingLength() + 2L * c.queryDim() + c.kvDim() + c.kvValueDim()
                + 4L * c.feedForwardLength()) + 2L * c.vocabularySize()) + Integer.BYTES * (long) capacity;
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (activations > free) {
            throw new AmadeusException(String.format(
                    "a batch of %d tokens needs %.1f MiB of activations but only %.1f MiB of heap is free"
                            + " (lower -p or -n, or raise the heap with AMADEUS_JVM_OPTS=-Xmx...)",
                    batch, activations / 1048576.0, free / 1048576.0));
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private static long modelBytes(Model m) {
        long n = 0;
        for (TensorInfo t : m.file().tensors()) n += t.byteSize();
        return n;
    }

    private static long parameters(Model m) {
        long n = 0;
        for (TensorInfo t : m.file().tensors()) n += t.elementCount();
        return n;
    }

    private static List<BenchmarkResult.TypeShare> typeShares(Model m) {
        Map<String, long[]> byType = new LinkedHashMap<>();
        for (TensorInfo t : m.file().tensors()) {
            long[] s = byType.computeIfAbsent(t.type().name(), k -> new long[2]);
            s[0]++;
            s[1] += t.byteSize();
        }
        List<BenchmarkResult.TypeShare> shares = new ArrayList<>();
        byType.forEach((type, s) -> shares.add(new BenchmarkResult.TypeShare(type, (int) s[0], s[1])));
        shares.sort(Comparator.comparingLong(BenchmarkResult.TypeShare::bytes).reversed());
        return shares;
    }

    /** VmHWM of /proc/self/status in bytes; empty off Linux. */
    static OptionalLong peakRss() {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) return OptionalLong.empty();
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }
}
