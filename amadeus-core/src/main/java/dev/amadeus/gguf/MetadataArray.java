package dev.amadeus.gguf;

import java.util.Arrays;

/**
 * A GGUF metadata array. {@code values} is a primitive array chosen by element type:
 * {@code int[]} for 8/16-bit integers and INT32, {@code long[]} for UINT32 and 64-bit integers,
 * {@code float[]}, {@code double[]}, {@code boolean[]}, {@code String[]}, or {@code MetadataArray[]} when nested.
 */
public record MetadataArray(GGUFValueType elementType, Object values) {

    public int length() {
        return java.lang.reflect.Array.getLength(values);
    }

    @Override
    public String toString() {
        int n = length();
        StringBuilder sb = new StringBuilder("[").append(elementType).append(" x ").append(n);
        if (n > 0) {
            sb.append(": ");
            for (int i = 0; i < Math.min(n, 4); i++) {
                if (i > 0) sb.append(", ");
                Object v = java.lang.reflect.Array.get(values, i);
                sb.append(v instanceof String s ? '"' + s + '"' : String.valueOf(v));
            }
            if (n > 4) sb.append(", ...");
        }
        return sb.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetadataArray a && a.elementType == elementType && Arrays.deepEquals(new Object[]{values}, new Object[]{a.values});
    }

    @Override
    public int hashCode() {
        return elementType.hashCode() * 31 + Arrays.deepHashCode(new Object[]{values});
    }
}
