package dev.amadeus.model;

/**
 * Keys and values of every past position, per layer. Keys are stored after RoPE, so each is computed once.
 */
public final class KVCache {
    private final int capacity;
    private final int keyDim;
    private final int valueDim;
    private final float[][] keys;
    private final float[][] values;
    private int length;

    public KVCache(ModelConfig config, int capacity) {
        this.capacity = capacity;
        this.keyDim = config.kvDim();
        this.valueDim = config.kvValueDim();
        this.keys = new float[config.layers()][(int) Math.multiplyExact((long) capacity, keyDim)];
        this.values = new float[config.layers()][(int) Math.multiplyExact((long) capacity, valueDim)];
    }

    /** Bytes a cache of {@code tokens} positions takes for this model. */
    public static long bytesFor(ModelConfig config, long tokens) {
        return tokens * config.layers() * (long) (config.kvDim() + config.kvValueDim()) * Float.BYTES;
    }

    public int capacity() {
        return capacity;
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

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    int keyDim() {
        return keyDim;
    }

    int valueDim() {
        return valueDim;
    }
}
