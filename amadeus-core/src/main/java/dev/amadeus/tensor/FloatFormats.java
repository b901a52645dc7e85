package dev.amadeus.tensor;

/**
 * Conversions between float32 and the 16-bit float formats stored in GGUF files, rounding the way
 * ggml does (round to nearest even in both directions, NaN kept quiet).
 */
public final class FloatFormats {
    private FloatFormats() {
    }

    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    public static short floatToF16(float value) {
        return Float.floatToFloat16(value);
    }

    /** The nearest f16 value, as a float: what ggml's activations for F16 weights hold. */
    public static float roundToF16(float value) {
        return Float.float16ToFloat(Float.floatToFloat16(value));
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Round to nearest even; truncating instead would bias every weight towards zero. */
    public static short floatToBf16(float value) {
        int u = Float.floatToRawIntBits(value);
        if ((u & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((u >>> 16) | 0x40);
        }
        return (short) ((u + 0x7FFF + ((u >>> 16) & 1)) >>> 16);
    }

    public static float roundToBf16(float value) {
        return bf16ToFloat(floatToBf16(value));
    }
}
