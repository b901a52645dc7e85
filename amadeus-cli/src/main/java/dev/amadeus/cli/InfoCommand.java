package dev.amadeus.cli;

import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.gguf.MetadataValue;
import dev.amadeus.gguf.TensorInfo;
import dev.amadeus.model.KVCacheType;
import dev.amadeus.model.MemoryPlan;
import dev.amadeus.model.ModelConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code amadeus info FILE}: metadata, tensor table and the memory a run needs. */
@Command(name = "info", description = "Show a GGUF file's metadata, tensors and memory needs.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "GGUF file")
    Path file;

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N", description = "Context size for the memory estimate (default: the model's trained context).")
    Integer contextSize;

    @Option(names = {"-ctk", "--cache-type-k"}, paramLabel = "TYPE", defaultValue = "f16",
            description = "KV cache type of keys for the estimate: f32, f16 or q8_0 (default: ${DEFAULT-VALUE}).")
    String cacheTypeK;

    @Option(names = {"-ctv", "--cache-type-v"}, paramLabel = "TYPE", defaultValue = "f16",
            description = "KV cache type of values for the estimate: f32, f16 or q8_0 (default: ${DEFAULT-VALUE}).")
    String cacheTypeV;

    @Option(names = "--no-tensors", description = "Omit the tensor table.")
    boolean noTensors;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        try (GGUFFile f = GGUFFile.open(file)) {
            out.printf("file: %s%nGGUF version %d, %d metadata keys, %d tensors, alignment %d, data at byte %d%n",
                    f.path(), f.version(), f.metadata().size(), f.tensors().size(), f.alignment(), f.dataStart());
            out.println();
            out.println("metadata:");
            for (Map.Entry<String, MetadataValue> e : f.metadata().entrySet()) {
                String value = String.valueOf(e.getValue());
                if (value.length() > 120) value = value.substring(0, 117) + "...";
                out.printf("  %-48s %-8s %s%n", e.getKey(), e.getValue().type(), value.replace("\n", "\\n"));
            }
            long weightBytes = 0;
            if (!noTensors) {
                out.println();
                out.println("tensors:");
                out.printf("  %-40s %-6s %-24s %14s%n", "name", "type", "shape", "bytes");
            }
            for (TensorInfo t : f.tensors()) {
                weightBytes += t.byteSize();
                if (!noTensors) out.printf("  %-40s %-6s %-24s %,14d%n", t.name(), t.type(), t.shapeString(), t.byteSize());
            }
            out.println();
            out.printf("weights: %s in %d tensors (memory-mapped)%n", Format.bytes(weightBytes), f.tensors().size());
            if (f.contains("general.architecture") && !f.tensors().isEmpty()) {
                ModelConfig c = ModelConfig.fromGGUF(f);
                int ctx = contextSize != null ? contextSize : c.trainedContextLength();
                if (ctx <= 0) throw new dev.amadeus.AmadeusException("--ctx-size must be positive, got " + ctx);
                MemoryPlan plan = MemoryPlan.of(f, c, ctx, KVCacheType.parse(cacheTypeK, "--cache-type-k"),
                        KVCacheType.parse(cacheTypeV, "--cache-type-v"));
                out.printf("model: %s, %d layers, embedding %d, %d heads (%d KV), head size %d, FFN %d, vocabulary %d, trained context %d%n",
                        c.architecture().ggufName, c.layers(), c.embeddingLength(), c.heads(), c.kvHeads(), c.headDim(),
                        c.feedForwardLength(), c.vocabularySize(), c.trainedContextLength());
                out.println(plan.describe());
                long available = MemoryPlan.availableMemory(), physical = MemoryPlan.physicalMemory();
                try {
                    plan.check(available, physical);
                    out.printf("fits: yes (%s available of %s)%n", MemoryPlan.bytes(available), MemoryPlan.bytes(physical));
                } catch (dev.amadeus.AmadeusException e) {
                    out.println("fits: no; " + e.getMessage());
                }
            }
        }
        return 0;
    }
}
