package dev.amadeus.model;

import dev.amadeus.AmadeusException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * Element type of the keys or the values in the {@link KVCache}, with ggml's encodings: F32, F16 (the
 * default, as llama.cpp's) and Q8_0 (blocks of 32: an f16 scale, then 32 signed bytes).
 * Rows are written with the conversions llama.cpp's CPU backend applies when it copies into its cache
 * (round-to-nearest-even for F16; the AVX Q8_0 quantizer, with reciprocal 127/amax and ties to even).
 */
public enum KVCacheType {
    F32(0), F16(1), Q8_0(8);

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** ggml's type id, as llama.cpp's {@code type_k}/{@code type_v} take it. */
    public final int ggmlId;

    KVCacheType(int ggmlId) {
        this.ggmlId = ggmlId;
    }

    /** Parses a {@code -ctk}/{@code -ctv} value: f32, f16 or q8_0 (any case). */
    public static KVCacheType parse(String name, String flag) {
        for (KVCacheType t : values()) {
            if (t.name().equalsIgnoreCase(name)) return t;
        }
        throw new AmadeusException(flag + ": unknown cache type '" + name + "'; use f32, f16 or q8_0");
    }

    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Bytes one row of {@code dim} elements takes. */
    public long rowBytes(int dim) {
        return switch (this) {
            case F32 -> 4L * dim;
            case F16 -> 2L * dim;
            case Q8_0 -> 34L * (dim / 32);
        };
    }

    /** Whether rows of {@code dim} elements (heads of {@code headDim}) can be stored: Q8_0 blocks must not straddle heads. */
    public boolean fits(int headDim) {
        return this != Q8_0 || headDim % 32 == 0;
    }

    /** Encodes {@code x[offset..offset+dim)} into {@code seg} at byte {@code at}. */
    void write(float[] x, int offset, int dim, MemorySegment seg, long at) {
        switch (this) {
            case F32 -> MemorySegment.copy(x, offset, seg, FLOAT, at, dim);
            case F16 -> {
                for (int i = 0; i < dim; i++) seg.set(HALF, at + 2L * i, Float.floatToFloat16(x[offset + i]));
            }
            case Q8_0 -> {
                for (int b = 0; b < dim / 32; b++) {
                    int xb = offset + b * 32;
                    long o = at + 34L * b;
                    float amax = 0;
                    for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[xb + j]));
                    float id = amax != 0 ? 127.0f / amax : 0.0f;
                    seg.set(HALF, o, Float.floatToFloat16(amax / 127.0f));
                    for (int j = 0; j < 32; j++) seg.set(ValueLayout.JAVA_BYTE, o + 2 + j, (byte) Math.rint(x[xb + j] * id));
                }
            }
        }
    }

    /** Decodes a row of {@code dim} elements at byte {@code at} of {@code seg} into {@code out[offset..]}. */
    void read(MemorySegment seg, long at, int dim, float[] out, int offset) {
        switch (this) {
            case F32 -> MemorySegment.copy(seg, FLOAT, at, out, offset, dim);
            case F16 -> {
                for (int i = 0; i < dim; i++) out[offset + i] = Float.float16ToFloat(seg.get(HALF, at + 2L * i));
            }
            case Q8_0 -> {
                for (int b = 0; b < dim / 32; b++) {
                    long o = at + 34L * b;
                    float d = Float.float16ToFloat(seg.get(HALF, o));
                    int ob = offset + b * 32;
                    for (int j = 0; j < 32; j++) out[ob + j] = seg.get(ValueLayout.JAVA_BYTE, o + 2 + j) * d;
                }
            }
        }
    }

    /**
     * Rounds a query row in place the way llama.cpp converts it before multiplying it with keys of this
     * type: to f16 for an F16 cache, through Q8_0 blocks for a Q8_0 cache (its integer dot product then
     * equals the float one of the two dequantized rows up to float rounding).
     */
    void roundQuery(float[] q, int offset, int dim) {
        switch (this) {
            case F32 -> {
            }
            case F16 -> {
                for (int i = offset; i < offset + dim; i++) q[i] = Float.float16ToFloat(Float.floatToFloat16(q[i]));
            }
            case Q8_0 -> {
                for (int b = 0; b < dim / 32; b++) {
                    int xb = offset + b * 32;
                    float amax = 0;
                    for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(q[xb + j]));
                    float id = amax != 0 ? 127.0f / amax : 0.0f;
                    float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127.0f));
                    for (int j = 0; j < 32; j++) q[xb + j] = (float) Math.rint(q[xb + j] * id) * d;
                }
            }
        }
    }
}
