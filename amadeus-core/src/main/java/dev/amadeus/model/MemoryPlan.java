package dev.amadeus.model;

import dev.amadeus.AmadeusException;
import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.gguf.TensorInfo;
import dev.amadeus.tensor.RowInterleaving;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a run needs, computed before anything large is allocated: the weights (memory-mapped from the
 * file), what their {@link RowInterleaving row-interleaved} copies add (Q6_K's widen to a byte per weight;
 * the others take about their original size, whose mapped pages are released), the KV cache per token for
 * the chosen element types, and the cache for the whole context (sliding-window layers hold only their window).
 */
public record MemoryPlan(long weightBytes, long repackedExtraBytes, long kvBytesPerToken, long kvBytes, int contextSize,
                         KVCacheType keyType, KVCacheType valueType) {

    /** The plan of a run with the weights repacked as {@link Model#load(java.nio.file.Path)} does by default. */
    public static MemoryPlan of(GGUFFile file, ModelConfig c, int contextSize, KVCacheType keyType, KVCacheType valueType) {
        return of(file, c, contextSize, keyType, valueType, true);
    }

    public static MemoryPlan of(GGUFFile file, ModelConfig c, int contextSize, KVCacheType keyType, KVCacheType valueType,
                                boolean repack) {
        long weights = 0;
        for (TensorInfo t : file.tensors()) weights += t.byteSize();
        return new MemoryPlan(weights, repack ? repackedExtraBytes(file) : 0, KVCache.bytesFor(c, 1, keyType, valueType),
                KVCache.bytesFor(c, contextSize, keyType, valueType), contextSize, keyType, valueType);
    }

    /**
     * Bytes the interleaved copies take beyond the rows they replace, for the matrices {@link ModelWeights#interleaved}
     * copies: every two-dimensional tensor but the token embeddings, unless those double as the output matrix.
     */
    private static long repackedExtraBytes(GGUFFile file) {
        boolean tiedOutput = file.tensors().stream().noneMatch(t -> t.name().equals("output.weight"));
        long extra = 0;
        for (TensorInfo t : file.tensors()) {
            if (t.shape().length != 2 || (t.name().equals("token_embd.weight") && !tiedOutput)) continue;
            int rows = (int) t.rows();
            long copy = RowInterleaving.copyBytes(t.type(), rows, (int) t.rowLength());
            if (copy > 0) extra += copy - (rows - rows % RowInterleaving.rowsPerGroup(t.type())) * (t.byteSize() / rows);
        }
        return extra;
    }

    public long totalBytes() {
        return weightBytes + repackedExtraBytes + kvBytes;
    }

    /** One line: weights, KV cache per token and for the context, total. */
    public String describe() {
        String repacked = repackedExtraBytes > 0 ? String.format(Locale.ROOT, ", %s more once repacked", bytes(repackedExtraBytes)) : "";
        return String.format(Locale.ROOT, "memory: weights %s (mapped%s) + KV cache %s (%s K, %s V: %s per token x %d tokens) = %s",
                bytes(weightBytes), repacked, bytes(kvBytes), keyType.lowerName(), valueType.lowerName(), bytes(kvBytesPerToken),
                contextSize, bytes(totalBytes()));
    }

    /**
     * Refuses a plan that cannot fit: the cache is anonymous off-heap memory and must fit in the memory
     * available now; weights and cache together must fit in physical memory. Arena memory is not bounded
     * by the JVM's heap or direct-memory limits, so those are not the constraint.
     */
    public void check(long availableBytes, long physicalBytes) {
        check(availableBytes, physicalBytes, "lower -c, or choose a smaller cache type with -ctk/-ctv q8_0");
    }

    /** As {@link #check(long, long)}, naming {@code remedy} (the flags to change) in the message. */
    public void check(long availableBytes, long physicalBytes, String remedy) {
        String hint = " (" + remedy + ")";
        if (kvBytes > availableBytes) {
            throw new AmadeusException(String.format(Locale.ROOT,
                    "a context of %d tokens needs a KV cache of %s (%s per token, %s K and %s V) but only %s of memory is available%s",
                    contextSize, bytes(kvBytes), bytes(kvBytesPerToken), keyType.lowerName(), valueType.lowerName(),
                    bytes(availableBytes), hint));
        }
        if (totalBytes() > physicalBytes) {
            throw new AmadeusException(String.format(Locale.ROOT,
                    "weights (%s) and a KV cache of %d tokens (%s) need %s, more than the machine's %s of memory%s",
                    bytes(weightBytes + repackedExtraBytes), contextSize, bytes(kvBytes), bytes(totalBytes()), bytes(physicalBytes), hint));
        }
    }

    /** {@link #check} against this machine. */
    public void checkFits() {
        check(availableMemory(), physicalMemory());
    }

    /** {@link #check(long, long, String)} against this machine. */
    public void checkFits(String remedy) {
        check(availableMemory(), physicalMemory(), remedy);
    }

    /** Memory available to a new allocation: Linux's MemAvailable, else the free memory the JVM reports. */
    public static long availableMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return osBean().getFreeMemorySize();
    }

    public static long physicalMemory() {
        return osBean().getTotalMemorySize();
    }

    private static com.sun.management.OperatingSystemMXBean osBean() {
        return (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    }

    /** Binary units with one decimal: 512 B, 1.5 KiB, 64.0 MiB, 2.3 GiB. */
    public static String bytes(long n) {
        if (n < 1024) return n + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
