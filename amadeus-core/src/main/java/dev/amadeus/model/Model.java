package dev.amadeus.model;

import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.tensor.KernelWarmUp;
import dev.amadeus.tensor.RowInterleaving;
import dev.amadeus.tensor.WeightMatrix;
import dev.amadeus.tokenizer.Tokenizer;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;

/**
 * A model opened from a GGUF file: configuration, memory-mapped weights and tokenizer. Close to unmap.
 * <p>
 * By default the matrices of types with a {@link RowInterleaving row-interleaved} layout (Q4_0, Q8_0) are copied
 * once, at load, into that layout outside the Java heap, as llama.cpp repacks them for its CPU kernels; the
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

    private Model(GGUFFile file, Arena interleavedWeights, ModelConfig config, ModelWeights weights, Tokenizer tokenizer) {
        this.file = file;
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
        GGUFFile file = GGUFFile.open(path);
        Arena arena = Arena.ofShared();
        Thread warmUp = null;
        try {
            ModelConfig config = ModelConfig.fromGGUF(file);
            ModelWeights weights = ModelWeights.load(file, config);
            // Compile the kernels on another core while this one copies weights, so that the first token runs
            // compiled; not worth its half second for small models, whose first token is quick anyway.
            if (weights.matrixBytes() >= WARM_UP_BYTES) {
                List<WeightMatrix> samples = weights.kernelSamples();
                warmUp = Thread.ofPlatform().daemon().name("amadeus-warm-up").start(() -> KernelWarmUp.run(samples, interleave));
            }
            if (interleave) weights = weights.interleaved(arena);
            Tokenizer tokenizer = Tokenizer.fromGGUF(file);
            if (warmUp != null) warmUp.join();
            return new Model(file, arena, config, weights, tokenizer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            arena.close();
            file.close();
            throw new IllegalStateException("interrupted while loading " + path, e);
        } catch (RuntimeException e) {
            arena.close();
            file.close();
            throw e;
        }
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
        interleavedWeights.close();
        file.close();
    }
}
