package dev.amadeus.model;

import dev.amadeus.AmadeusException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Keys and values of past positions, per layer, off the Java heap so a long context needs no larger
 * {@code -Xmx}. Each position is one row of all KV heads, encoded as its {@link KVCacheType}. Memory is
 * taken from an {@link Arena} in chunks of {@value #CHUNK} positions as the context fills, so the resident
 * size follows the tokens actually held; {@link #bytesFor} is what a full context will take.
 * <p>
 * A sliding-window layer keeps only its window, in a rolling buffer indexed by position modulo its size.
 * The buffer holds the window plus one batch less a token, because a batch writes all its keys before
 * its first row attends: that row still needs the window behind it.
 * <p>
 * Keys are stored after RoPE unless the transformer rotates them on read (dynamic scaling; see
 * {@link Transformer}). Close the cache to free its memory.
 */
public final class KVCache implements AutoCloseable {
    /** Positions per allocation chunk. */
    static final int CHUNK = 1024;

    private final int capacity;
    private final int keyDim;
    private final int valueDim;
    private final KVCacheType keyType;
    private final KVCacheType valueType;
    private final long keyRowBytes;
    private final long valueRowBytes;
    private final int[] slots;
    private final MemorySegment[][] keyChunks;
    private final MemorySegment[][] valueChunks;
    private final Arena arena = Arena.ofShared();
    private int length;

    /** A cache with llama.cpp's default element types: F16 keys and values. */
    public KVCache(ModelConfig config, int capacity) {
        this(config, capacity, KVCacheType.F16, KVCacheType.F16);
    }

    public KVCache(ModelConfig config, int capacity, KVCacheType keyType, KVCacheType valueType) {
        if (capacity <= 0) throw new AmadeusException("the context size must be positive, got " + capacity);
        checkType(config, keyType, config.headDim(), "key");
        checkType(config, valueType, config.valueHeadDim(), "value");
        this.capacity = capacity;
        this.keyDim = config.kvDim();
        this.valueDim = config.kvValueDim();
        this.keyType = keyType;
        this.valueType = valueType;
        this.keyRowBytes = keyType.rowBytes(keyDim);
        this.valueRowBytes = valueType.rowBytes(valueDim);
        int layers = config.layers();
        this.slots = new int[layers];
        this.keyChunks = new MemorySegment[layers][];
        this.valueChunks = new MemorySegment[layers][];
        for (int l = 0; l < layers; l++) {
            slots[l] = rowsHeld(config, l, capacity);
            int chunks = (slots[l] + CHUNK - 1) / CHUNK;
            keyChunks[l] = new MemorySegment[chunks];
            valueChunks[l] = new MemorySegment[chunks];
        }
    }

    private static void checkType(ModelConfig c, KVCacheType type, int headDim, String what) {
        if (!type.fits(headDim)) {
            throw new AmadeusException("a " + type + " " + what + " cache needs heads of a multiple of 32 elements; this model's have "
                    + headDim + " (use f16 or f32)");
        }
    }

    /** Rows layer {@code layer} keeps for a context of {@code tokens}: all of them, or a rolling window. */
    static int rowsHeld(ModelConfig c, int layer, long tokens) {
        int window = c.slidingWindow()[layer];
        long rows = window > 0 ? Math.min(tokens, (long) window + Transformer.MAX_BATCH - 1) : tokens;
        return (int) Math.min(rows, Integer.MAX_VALUE);
    }

    /** Bytes a full cache of {@code tokens} positions takes for this model with these element types. */
    public static long bytesFor(ModelConfig c, long tokens, KVCacheType keyType, KVCacheType valueType) {
        long perRow = keyType.rowBytes(c.kvDim()) + valueType.rowBytes(c.kvValueDim());
        long total = 0;
        for (int l = 0; l < c.layers(); l++) {
            int window = c.slidingWindow()[l];
            long rows = window > 0 ? Math.min(tokens, (long) window + Transformer.MAX_BATCH - 1) : tokens;
            total += rows * perRow;
        }
        return total;
    }

    public int capacity() {
        return capacity;
    }

    public KVCacheType keyType() {
        return keyType;
    }

    public KVCacheType valueType() {
        return valueType;
    }

    /** Number of positions filled. */
    public int length() {
        return length;
    }

    public void setLength(int length) {
        if (length < 0 || length > capacity) throw new IllegalArgumentException("cache length " + length + " outside [0, " + capacity + "]");
        this.length = length;
    }

    public void clear() {
        length = 0;
    }

    /** Off-heap bytes taken so far (chunks are allocated as positions are first written). */
    public long allocatedBytes() {
        long n = 0;
        for (int l = 0; l < slots.length; l++) {
            for (int c = 0; c < keyChunks[l].length; c++) {
                if (keyChunks[l][c] != null) n += keyChunks[l][c].byteSize() + valueChunks[l][c].byteSize();
            }
        }
        return n;
    }

    int keyDim() {
        return keyDim;
    }

    int valueDim() {
        return valueDim;
    }

    /** Stores the key row of {@code position} from {@code x[offset..offset+keyDim)}. */
    void writeKey(int layer, int position, float[] x, int offset) {
        int slot = position % slots[layer];
        keyType.write(x, offset, keyDim, chunk(layer, slot, true), (slot % CHUNK) * keyRowBytes);
    }

    /** Stores the value row of {@code position} from {@code x[offset..offset+valueDim)}. */
    void writeValue(int layer, int position, float[] x, int offset) {
        int slot = position % slots[layer];
        valueType.write(x, offset, valueDim, chunk(layer, slot, false), (slot % CHUNK) * valueRowBytes);
    }

    /** Decodes {@code dim} key elements from {@code from} (a head's start) of {@code position}'s row into {@code out[offset..]}. */
    void readKey(int layer, int position, int from, int dim, float[] out, int offset) {
        int slot = position % slots[layer];
        MemorySegment seg = keyChunks[layer][slot / CHUNK];
        keyType.read(seg, (slot % CHUNK) * keyRowBytes + keyType.rowBytes(from), dim, out, offset);
    }

    /** As {@link #readKey} for values. */
    void readValue(int layer, int position, int from, int dim, float[] out, int offset) {
        int slot = position % slots[layer];
        MemorySegment seg = valueChunks[layer][slot / CHUNK];
        valueType.read(seg, (slot % CHUNK) * valueRowBytes + valueType.rowBytes(from), dim, out, offset);
    }

    private MemorySegment chunk(int layer, int slot, boolean keys) {
        int c = slot / CHUNK;
        if (keyChunks[layer][c] == null) {
            int rows = Math.min(CHUNK, slots[layer] - c * CHUNK);
            keyChunks[layer][c] = arena.allocate(rows * keyRowBytes, 64);
            valueChunks[layer][c] = arena.allocate(rows * valueRowBytes, 64);
        }
        return keys ? keyChunks[layer][c] : valueChunks[layer][c];
    }

    /** Changes a key row in place, e.g. to rotate it by a position delta. */
    interface KeyEdit {
        void apply(float[] key);
    }

    /**
     * llama.cpp's context shift: keeps positions {@code [0, keep)}, drops {@code [keep, keep + discard)}
     * and moves the rest down by {@code discard}, passing each moved key through {@code edit} (null for none).
     */
    void shift(int keep, int discard, KeyEdit edit) {
        if (keep < 0 || discard <= 0 || keep + discard > length) {
            throw new IllegalArgumentException("cannot drop " + discard + " positions after " + keep + " of " + length);
        }
        float[] key = new float[keyDim], value = new float[valueDim];
        for (int l = 0; l < slots.length; l++) {
            if (slots[l] >= capacity) {
                // Not rolling: rows move to lower slots in ascending order, so none is overwritten before it is read.
                for (int from = keep + discard; from < length; from++) {
                    readKey(l, from, 0, keyDim, key, 0);
                    readValue(l, from, 0, valueDim, value, 0);
                    if (edit != null) edit.apply(key);
                    writeKey(l, from - discard, key, 0);
                    writeValue(l, from - discard, value, 0);
                }
                continue;
            }
            // A rolling buffer (at most a window and a batch) is read out whole before any row is rewritten.
            int firstHeld = Math.max(keep + discard, length - slots[l]);
            int count = length - firstHeld;
            if (count <= 0) continue;
            float[] keys = new float[count * keyDim], values = new float[count * valueDim];
            for (int i = 0; i < count; i++) {
                readKey(l, firstHeld + i, 0, keyDim, keys, i * keyDim);
                readValue(l, firstHeld + i, 0, valueDim, values, i * valueDim);
            }
            for (int i = 0; i < count; i++) {
                int to = firstHeld + i - discard;
                System.arraycopy(keys, i * keyDim, key, 0, keyDim);
                if (edit != null) edit.apply(key);
                writeKey(l, to, key, 0);
                writeValue(l, to, values, i * valueDim);
            }
        }
        length -= discard;
    }

    @Override
    public void close() {
        arena.close();
    }
}
