package dev.amadeus.model;

import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.tokenizer.Tokenizer;

import java.nio.file.Path;

/** A model opened from a GGUF file: configuration, memory-mapped weights and tokenizer. Close to unmap. */
public final class Model implements AutoCloseable {
    private final GGUFFile file;
    private final ModelConfig config;
    private final ModelWeights weights;
    private final Tokenizer tokenizer;

    private Model(GGUFFile file, ModelConfig config, ModelWeights weights, Tokenizer tokenizer) {
        this.file = file;
        this.config = config;
        this.weights = weights;
        this.tokenizer = tokenizer;
    }

    public static Model load(Path path) {
        GGUFFile file = GGUFFile.open(path);
        try {
            ModelConfig config = ModelConfig.fromGGUF(file);
            return new Model(file, config, ModelWeights.load(file, config), Tokenizer.fromGGUF(file));
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

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public void close() {
        file.close();
    }
}
