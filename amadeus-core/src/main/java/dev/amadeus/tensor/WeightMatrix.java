package dev.amadeus.tensor;

import dev.amadeus.AmadeusException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * A 2-D weight ({@code rows} rows of {@code cols} elements, ggml's ne1 x ne0) or a 1-D vector
 * ({@code rows = 1}), whose blocks stay where they are (normally a slice of the memory-mapped file).
 */
public final class WeightMatrix {
    private final String name;
    private final GGMLType type;
    private final int rows;
    private final int cols;
    private final MemorySegment data;
    private final long rowBytes;
    /** A {@link RowInterleaving row-interleaved} copy of the whole groups of rows, for matrix products; or null. */
    private final MemorySegment interleaved;

    public WeightMatrix(String name, GGMLType type, int rows, int cols, MemorySegment data) {
        this(name, type, rows, cols, data, null);
    }

    private WeightMatrix(String name, GGMLType type, int rows, int cols, MemorySegment data, MemorySegment interleaved) {
        if (!type.isSupported()) {
            throw new AmadeusException("tensor '" + name + "' has type " + type + ", which Amadeus does not support");
        }
        if (rows <= 0 || cols <= 0) {
            throw new AmadeusException("tensor '" + name + "' has an empty shape " + cols + " x " + rows);
        }
        if (cols % type.blockSize != 0) {
            throw new AmadeusException("tensor '" + name + "' has rows of " + cols + " elements, not a multiple of the "
                    + type + " block size " + type.blockSize);
        }
        this.rowBytes = type.byteSize(cols);
        long expected = rowBytes * rows;
        if (data.byteSize() != expected) {
            throw new AmadeusException("tensor '" + name + "' (" + type + ", " + cols + " x " + rows + ") needs "
                    + expected + " bytes of data but has " + data.byteSize());
        }
        this.name = name;
        this.type = type;
        this.rows = rows;
        this.cols = cols;
        this.data = data;
        this.interleaved = interleaved;
    }

    /**
     * This matrix with a {@link RowInterleaving row-interleaved} copy (allocated by {@code memory}, an arena or
     * a slice of one, outside the Java heap) that {@link MatMul} then uses; the original blocks stay where they are for {@link #dequantizeRow}.
     * When the type has no interleaved layout, this matrix itself.
     */
    public WeightMatrix interleaved(SegmentAllocator memory) {
        if (interleaved != null || !RowInterleaving.supports(type, rows)) return this;
        return new WeightMatrix(name, type, rows, cols, data, RowInterleaving.interleave(type, data, rows, cols, memory));
    }

    /** The row-interleaved copy of the first {@link #interleavedRows()} rows, or null if there is none. */
    MemorySegment interleavedData() {
        return interleaved;
    }

    /** Rows covered by the interleaved copy (whole groups), 0 without one. */
    public int interleavedRows() {
        return interleaved == null ? 0 : rows - rows % RowInterleaving.rowsPerGroup(type);
    }

    public String name() {
        return name;
    }

    public GGMLType type() {
        return type;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The raw blocks, row after row. */
    public MemorySegment data() {
        return data;
    }

    public long rowBytes() {
        return rowBytes;
    }

    /** Writes the {@code cols} values of {@code row} to {@code out[outOffset..]}. */
    public void dequantizeRow(int row, float[] out, int outOffset) {
        dequantizeRow(TensorKernels.preferred(), row, out, outOffset);
    }

    void dequantizeRow(TensorKernels kernels, int row, float[] out, int outOffset) {
        java.util.Objects.checkIndex(row, rows);
        kernels.dequantize(type, data, row * rowBytes, cols, out, outOffset);
    }

    /** Row {@code row} dotted with activation row {@code xRow} of {@code x} (already in this type's activation format). */
    float dot(TensorKernels kernels, int row, Activations x, int xRow) {
        return kernels.dot(type, data, row * rowBytes, x, xRow * cols, cols, rows);
    }

    @Override
    public String toString() {
        return name + " " + type + " [" + cols + ", " + rows + "]";
    }
}
