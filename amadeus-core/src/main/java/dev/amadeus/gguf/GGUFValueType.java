package dev.amadeus.gguf;

/** Metadata value types of the GGUF format, numbered as in the file. */
public enum GGUFValueType {
    UINT8(1), INT8(1), UINT16(2), INT16(2), UINT32(4), INT32(4), FLOAT32(4), BOOL(1),
    STRING(-1), ARRAY(-1), UINT64(8), INT64(8), FLOAT64(8);

    /** Payload size in bytes, or -1 for variable-length types. */
    public final int size;

    GGUFValueType(int size) {
        this.size = size;
    }

    public int id() {
        return ordinal();
    }

    public static GGUFValueType fromId(int id) {
        GGUFValueType[] all = values();
        return id >= 0 && id < all.length ? all[id] : null;
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** Smallest number of bytes one value of this type can take in a file (a string is at least its length). */
    int minimumBytes() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> size;
        };
    }
}
