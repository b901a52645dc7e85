package dev.amadeus.bench;

import java.util.List;
import java.util.OptionalLong;

/**
 * What {@link Benchmark#run} measured.
 *
 * @param architecture  the model's architecture name as GGUF spells it
 * @param fileSize      bytes of the GGUF file
 * @param modelBytes    bytes of all tensors (llama-bench's "size")
 * @param parameters    elements of all tensors (llama-bench's "params")
 * @param types         tensor types, most bytes first
 * @param loadNanos     from opening the file to a transformer ready to run
 * @param firstTokenNanos one forward pass of a 1-token prompt (and its argmax) right after loading, cold JIT included
 * @param promptProcessing pp test, or null when skipped
 * @param generation       tg test, or null when skipped
 * @param peakRssBytes  the process's peak resident set (VmHWM), empty where /proc is not available
 */
public record BenchmarkResult(String architecture, long fileSize, long modelBytes, long parameters, List<TypeShare> types,
                              int threads, int repetitions, long loadNanos, long firstTokenNanos,
                              Throughput promptProcessing, Throughput generation, OptionalLong peakRssBytes) {

    /** Tensors of one type: how many and their bytes. */
    public record TypeShare(String type, int tensors, long bytes) {
    }

    public BenchmarkResult {
        types = List.copyOf(types);
    }

    /** The type holding most of the weights' bytes. */
    public String mainType() {
        return types.isEmpty() ? "?" : types.getFirst().type();
    }
}
