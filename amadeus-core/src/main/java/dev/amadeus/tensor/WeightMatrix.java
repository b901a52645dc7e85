package dev.amadeus.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Placeholder (F32/F16 only) until the kernel package lands. */
public final class WeightMatrix {
    private final String name; private final GGMLType type; private final int rows, cols; private final MemorySegment data;
    public WeightMatrix(String name, GGMLType type, int rows, int cols, MemorySegment data) {
        this.name = name; this.type = type; this.rows = rows; this.cols = cols; this.data = data;
    }
    public String name() { return name; }
    public GGMLType type() { return type; }
    public int rows() { return rows; }
    public int cols() { return cols; }
    public void dequantizeRow(int row, float[] out, int off) {
        for (int i = 0; i < cols; i++) {
            long idx = (long) row * cols + i;
            out[off + i] = type == GGMLType.F32 ? data.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), idx * 4)
                    : Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), idx * 2));
        }
    }
}
