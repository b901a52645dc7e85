package dev.amadeus.gguf;

import dev.amadeus.tensor.GGMLType;

import java.util.Arrays;

/**
 * A tensor's entry in a GGUF file. {@code shape[0]} is the row length (ggml's ne0), so a 2-D
 * weight of shape [in, out] has {@code out} rows of {@code in} elements. {@code offset} is relative
 * to the start of the data section.
 */
public record TensorInfo(String name, long[] shape, GGMLType type, long offset) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public long byteSize() {
        return type.byteSize(elementCount());
    }

    public long rowLength() {
        return shape.length == 0 ? 1 : shape[0];
    }

    public long rows() {
        return elementCount() / rowLength();
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.name.equals(name) && Arrays.equals(t.shape, shape) && t.type == type && t.offset == offset;
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name + " " + type + " " + shapeString() + " @" + offset;
    }
}
