package dev.amadeus.gguf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An opened GGUF file: its metadata, its tensor table and the whole file memory-mapped read-only.
 * Tensor data are slices of the mapping; nothing is copied to the heap. Closing unmaps the file,
 * after which every slice handed out is invalid.
 * <p>
 * The slices are plain native segments over the mapping rather than {@link MemorySegment#isMapped() mapped}
 * ones, like every other segment the kernels read (the row-interleaved copies, the KV cache). The JIT profiles
 * the receiver class of segment accesses inside the JDK's shared Vector API code: had the embedding rows (read
 * from the file) been of another class than the interleaved weights, a kernel compiled after both were seen
 * would check the class and the segment's liveness on every load, and prompts ran at half speed in about half
 * of the processes.
 */
public final class GGUFFile implements AutoCloseable {
    private final Path path;
    private final int version;
    private final Map<String, MetadataValue> metadata;
    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> tensorsByName;
    private final long alignment;
    private final long dataStart;
    private final MemorySegment mapping;
    /** The same memory as {@link #mapping}, as a plain native segment of the same arena. */
    private final MemorySegment view;
    private final Arena arena;

    GGUFFile(Path path, int version, Map<String, MetadataValue> metadata, List<TensorInfo> tensors,
             long alignment, long dataStart, MemorySegment mapping, Arena arena) {
        this.path = path;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = List.copyOf(tensors);
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (TensorInfo t : tensors) byName.put(t.name(), t);
        this.tensorsByName = Collections.unmodifiableMap(byName);
        this.alignment = alignment;
        this.dataStart = dataStart;
        this.mapping = mapping;
        this.view = mapping.isNative() ? mapping.reinterpret(mapping.byteSize()) : mapping;
        this.arena = arena;
    }

    public static GGUFFile open(Path path) {
        return GGUFReader.read(path);
    }

    public Path path() { return path; }

    public String fileName() { return path.getFileName().toString(); }

    public int version() { return version; }

    public long alignment() { return alignment; }

    public long dataStart() { return dataStart; }

    public long fileSize() { return mapping.byteSize(); }

    public Map<String, MetadataValue> metadata() { return metadata; }

    public List<TensorInfo> tensors() { return tensors; }

    public boolean hasTensor(String name) { return tensorsByName.containsKey(name); }

    /** The tensor's entry, or null when the file has none of that name. */
    public TensorInfo tensor(String name) { return tensorsByName.get(name); }

    /** The tensor's bytes, a read-only slice of the mapping. */
    public MemorySegment data(TensorInfo tensor) {
        return view.asSlice(dataStart + tensor.offset(), tensor.byteSize());
    }

    /**
     * Whether {@code data} lies in this file's mapping (as {@link #data} slices do).
     */
    public boolean maps(MemorySegment data) {
        return data.isNative() && view.isNative() && data.address() >= view.address()
                && data.address() + data.byteSize() <= view.address() + view.byteSize();
    }

    /**
     * Lets the operating system take the pages behind {@code data} (a slice of this file's mapping, as
     * {@link #data} hands out) out of the process; they are read from the file again if touched. Does nothing
     * for memory outside the mapping.
     */
    public void releasePages(MemorySegment data) {
        if (maps(data)) mapping.asSlice(data.address() - view.address(), data.byteSize()).unload();
    }

    public boolean contains(String key) { return metadata.containsKey(key); }

    public MetadataValue get(String key) { return metadata.get(key); }

    public String getString(String key) {
        return (String) require(key, GGUFValueType.STRING).value();
    }

    public String getString(String key, String defaultValue) {
        return contains(key) ? getString(key) : defaultValue;
    }

    /** An integer of any width, range-checked into an int. */
    public int getInt(String key) {
        MetadataValue v = requireKey(key);
        if (!v.type().isInteger()) throw wrongType(key, v, "an integer");
        long x = ((Number) v.value()).longValue();
        if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
            throw new GGUFException(fileName() + ": key '" + key + "' value " + x + " is out of range");
        }
        return (int) x;
    }

    public int getInt(String key, int defaultValue) {
        return contains(key) ? getInt(key) : defaultValue;
    }

    public long getLong(String key) {
        MetadataValue v = requireKey(key);
        if (!v.type().isInteger()) throw wrongType(key, v, "an integer");
        return ((Number) v.value()).longValue();
    }

    /** A FLOAT32 or FLOAT64 value (integers are accepted too, as some converters write them). */
    public float getFloat(String key) {
        MetadataValue v = requireKey(key);
        if (v.value() instanceof Number n && v.type() != GGUFValueType.BOOL) return n.floatValue();
        throw wrongType(key, v, "a number");
    }

    public float getFloat(String key, float defaultValue) {
        return contains(key) ? getFloat(key) : defaultValue;
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        if (!contains(key)) return defaultValue;
        return (Boolean) require(key, GGUFValueType.BOOL).value();
    }

    public MetadataArray getArray(String key) {
        return (MetadataArray) require(key, GGUFValueType.ARRAY).value();
    }

    public String[] getStringArray(String key) {
        MetadataArray a = getArray(key);
        if (a.elementType() != GGUFValueType.STRING) throw wrongType(key, get(key), "an array of strings");
        return (String[]) a.values();
    }

    public float[] getFloatArray(String key) {
        MetadataArray a = getArray(key);
        return switch (a.values()) {
            case float[] f -> f;
            case double[] d -> { float[] f = new float[d.length]; for (int i = 0; i < d.length; i++) f[i] = (float) d[i]; yield f; }
            default -> throw wrongType(key, get(key), "an array of floats");
        };
    }

    /** An array of integers of any width, as ints. */
    public int[] getIntArray(String key) {
        MetadataArray a = getArray(key);
        return switch (a.values()) {
            case int[] i -> i;
            case long[] l -> { int[] r = new int[l.length]; for (int i = 0; i < l.length; i++) r[i] = Math.toIntExact(l[i]); yield r; }
            default -> throw wrongType(key, get(key), "an array of integers");
        };
    }

    /**
     * A per-layer integer that may be written as one scalar for all layers or as an array with one entry per layer.
     */
    public int[] getPerLayerInt(String key, int layers, int defaultValue) {
        int[] out = new int[layers];
        if (!contains(key)) {
            java.util.Arrays.fill(out, defaultValue);
        } else if (get(key).type() == GGUFValueType.ARRAY) {
            int[] values = getIntArray(key);
            if (values.length != layers) {
                throw new GGUFException(fileName() + ": key '" + key + "' has " + values.length + " entries, expected one per layer (" + layers + ")");
            }
            out = values.clone();
        } else {
            java.util.Arrays.fill(out, getInt(key));
        }
        return out;
    }

    private MetadataValue requireKey(String key) {
        MetadataValue v = metadata.get(key);
        if (v == null) throw new GGUFException(fileName() + ": required key '" + key + "' is missing");
        return v;
    }

    private MetadataValue require(String key, GGUFValueType type) {
        MetadataValue v = requireKey(key);
        if (v.type() != type) throw wrongType(key, v, type.name());
        return v;
    }

    private GGUFException wrongType(String key, MetadataValue v, String expected) {
        String actual = v.type() == GGUFValueType.ARRAY
                ? "ARRAY of " + ((MetadataArray) v.value()).elementType() : v.type().name();
        return new GGUFException(fileName() + ": key '" + key + "' has type " + actual + ", expected " + expected);
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
