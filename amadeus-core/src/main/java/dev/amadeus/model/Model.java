package dev.amadeus.model;

import dev.amadeus.gguf.GGUFFile;

import java.nio.file.Path;

/** A model opened from a GGUF file: its configuration and its memory-mapped weights. Close to unmap. */
public final class Model implements AutoCloseable {
    private final GGUFFile file;
    private final ModelConfig config;
    private final ModelWeights weights;

    private Model(GGUFFile file, ModelConfig config, ModelWeights weights) {
        this.file = file;
        this.config = config;
        this.weights = weights;
    }

    public static Model load(Path path) {
        GGUFFile file = GGUFFile.open(path);
        try {
            ModelConfig config = ModelConfig.fromGGUF(file);
            return new Model(file, config, ModelWeights.load(file, config));
        } catch (RuntimeException e) {
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

    @Override
    public void close() {
        file.close();
    }
}
