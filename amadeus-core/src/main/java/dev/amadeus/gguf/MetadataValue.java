package dev.amadeus.gguf;

/**
 * One typed metadata value. {@code value} is an {@code Integer} for 8/16-bit integers and INT32,
 * a {@code Long} for UINT32 and 64-bit integers, {@code Float}, {@code Double}, {@code Boolean},
 * {@code String}, or a {@link MetadataArray}. The GGUF type is kept so a file can be written back unchanged.
 */
public record MetadataValue(GGUFValueType type, Object value) {

    public static MetadataValue string(String s) {
        return new MetadataValue(GGUFValueType.STRING, s);
    }

    public static MetadataValue uint32(long v) {
        return new MetadataValue(GGUFValueType.UINT32, v);
    }

    public static MetadataValue int32(int v) {
        return new MetadataValue(GGUFValueType.INT32, v);
    }

    public static MetadataValue float32(float v) {
        return new MetadataValue(GGUFValueType.FLOAT32, v);
    }

    public static MetadataValue bool(boolean v) {
        return new MetadataValue(GGUFValueType.BOOL, v);
    }

    public static MetadataValue array(GGUFValueType elementType, Object values) {
        return new MetadataValue(GGUFValueType.ARRAY, new MetadataArray(elementType, values));
    }

    @Override
    public String toString() {
        return value instanceof String s ? '"' + s + '"' : String.valueOf(value);
    }
}
