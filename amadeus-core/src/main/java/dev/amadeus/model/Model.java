package dev.amadeus.model;

import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.tensor.KernelWarmUp;
import dev.amadeus.tensor.RowInterleaving;
import dev.amadeus.tensor.WeightMatrix;
import dev.amadeus.tokenizer.Tokenizer;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A model opened from a GGUF file: configuration, memory-mapped weights and tokenizer. Close to unmap.
 * <p>
 * By default the matrices of types with a {@link RowInterleaving row-interleaved} layout (Q4_0, Q8_0, Q4_K, Q6_K) are
 * copied once, at load, into that layout outside the Java heap, as llama.cpp repacks them for its CPU kernels; the
 * mapped pages of the originals are then released, so the process holds about one copy. Loading with
 * {@code interleave = false} keeps every weight in the mapped file.
 */
public final class Model implements AutoCloseable {
    /** Models with at least this many bytes of matrices get their kernels compiled during the load. */
    private static final long WARM_UP_BYTES = 256L << 20;

    private final GGUFFile file;
    private final Arena interleavedWeights;
    private final ModelConfig config;
    private final ModelWeights weights;
    private final Tokenizer tokenizer;
    /** Still warming the batched kernels after the load returned, on rows of the mapped file; null if none. */
    private final Thread warmUp;

    /** Whether the kernels' warm-up is still running (in the background, once the load has returned). */
    boolean warmingUp() {
        return warmUp != null && warmUp.isAlive();
    }

    private Model(GGUFFile file, Arena interleavedWeights, ModelConfig config, ModelWeights weights, Tokenizer tokenizer,
                  Thread warmUp) {
        this.file = file;
        this.warmUp = warmUp;
        this.interleavedWeights = interleavedWeights;
        this.config = config;
        this.weights = weights;
        this.tokenizer = tokenizer;
    }

    public static Model load(Path path) {
        return load(path, true);
    }

    /** Loads the model; {@code interleave} selects the row-interleaved copies of Q4_0, Q8_0, Q4_K and Q6_K matrices (see above). */
    public static Model load(Path path, boolean interleave) {
        return load(path, interleave, WARM_UP_BYTES);
    }

    /** {@link #load(Path, boolean)}, warming the kernels up if the matrices take at least {@code warmUpBytes}. */
    static Model load(Path path, boolean interleave, long warmUpBytes) {
        GGUFFile file = GGUFFile.open(path);
        Arena arena = Arena.ofShared();
        Thread warmUp = null;
        CountDownLatch decodeReady = new CountDownLatch(1);
        CountDownLatch loaded = new CountDownLatch(1);
        // The vocabulary is read on a thread of its own, in time the copying and the warm-up leave idle.
        FutureTask<Tokenizer> tokenizerTask = new FutureTask<>(() -> Tokenizer.fromGGUF(file));
        Thread tokenizerThread = Thread.ofPlatform().daemon().name("amadeus-tokenizer").start(tokenizerTask);
        try {
            ModelConfig config = ModelConfig.fromGGUF(file);
            ModelWeights weights = ModelWeights.load(file, config);
            // Compile the kernels on another core while this one copies weights, so that the first token runs
            // compiled; not worth its half second for small models, whose first token is quick anyway. The load
            // returns once the single-row kernels are warm: a first token needs no more. The batched kernels warm
            // after the copy, in the background while the caller starts: compiling them would slow the copy.
            if (weights.matrixBytes() >= warmUpBytes) {
                List<WeightMatrix> samples = weights.kernelSamples();
                warmUp = Thread.ofPlatform().daemon().name("amadeus-warm-up").start(() -> {
                    try {
                        KernelWarmUp.run(samples, interleave, decodeReady::countDown, loaded);
                    } finally {
                        decodeReady.countDown();
                    }
                });
            }
            if (interleave) weights = weights.interleaved(arena, file);
            Tokenizer tokenizer = result(tokenizerTask);
            loaded.countDown();
            if (warmUp != null) decodeReady.await();
            return new Model(file, arena, config, weights, tokenizer, warmUp);
        } catch (InterruptedException e) {
            loaded.countDown();
            awaitEnd(warmUp);
            awaitEnd(tokenizerThread);
            Thread.currentThread().interrupt();
            arena.close();
            file.close();
            throw new IllegalStateException("interrupted while loading " + path, e);
        } catch (RuntimeException | Error e) {
            loaded.countDown();
            awaitEnd(warmUp);
            awaitEnd(tokenizerThread);
            arena.close();
            file.close();
            throw e;
        }
    }

    /** The task's result, or what it threw, as thrown. */
    private static Tokenizer result(FutureTask<Tokenizer> task) throws InterruptedException {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error r) throw r;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Waits, uninterruptibly, for a thread of the load to end: it reads the mapping, so it must end before the file is unmapped. */
    private static void awaitEnd(Thread thread) {
        if (thread == null) return;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    public GGUFFile file() {
        return file;
    }

    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public void close() {
        awaitEnd(warmUp);
        interleavedWeights.close();
        file.close();
    }
}
