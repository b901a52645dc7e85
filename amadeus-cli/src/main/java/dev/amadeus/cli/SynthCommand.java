package dev.amadeus.cli;

import dev.amadeus.AmadeusException;
import dev.amadeus.synth.ModelShape;
import dev.amadeus.synth.SyntheticModel;
import dev.amadeus.tensor.GGMLType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code amadeus synth}: writes a random-weight model of a real shape. */
@Command(name = "synth", description = "Write a random-weight GGUF model of a real shape (for tests and benchmarks).")
final class SynthCommand implements Callable<Integer> {
    @Option(names = "--shape", required = true, paramLabel = "NAME",
            description = "Model shape: tinyllama-1.1b, llama-2-7b, qwen2-0.5b, phi3-mini, tiny-llama, tiny-qwen2, tiny-phi3, tiny-gemma, tiny-gemma2.")
    String shape;

    @Option(names = "--type", defaultValue = "F16", paramLabel = "TYPE",
            description = "Weight type: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K (default: ${DEFAULT-VALUE}).")
    String type;

    @Option(names = "--vocab", required = true, paramLabel = "GGUF", description = "GGUF file whose vocabulary (tokenizer.* keys) is copied.")
    Path vocab;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--layers", paramLabel = "N", description = "Override the number of layers.")
    Integer layers;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Output GGUF file.")
    Path output;

    @Override
    public Integer call() throws IOException {
        GGMLType t;
        try {
            t = GGMLType.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AmadeusException("unknown weight type '" + type + "' (--type)");
        }
        if (!t.isSupported()) throw new AmadeusException("weight type " + t + " is not supported (--type)");
        ModelShape s = ModelShape.preset(shape);
        if (layers != null) {
            if (layers <= 0) throw new AmadeusException("--layers must be positive, got " + layers);
            s = s.withLayers(layers);
        }
        long start = System.nanoTime();
        SyntheticModel model = new SyntheticModel(s, t, seed, vocab);
        model.write(output);
        double seconds = (System.nanoTime() - start) / 1e9;
        for (String note : model.notes()) System.err.println("note: " + note);
        System.err.printf("wrote %s (%s) in %.2f s%n", output, Format.bytes(Files.size(output)), seconds);
        return 0;
    }
}
