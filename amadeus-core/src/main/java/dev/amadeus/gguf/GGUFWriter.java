package dev.amadeus.gguf;

import dev.amadeus.tensor.GGMLType;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Writes GGUF files in the layout llama.cpp requires: header, metadata, tensor infos, then tensors
 * stored densely in info order, each padded to the alignment. Tensor bytes are produced by fillers
 * that write straight into a memory mapping of the output file, in parallel, so multi-gigabyte files
 * are written without ever holding them on the heap.
 */
public final class GGUFWriter {

    /** Writes one tensor's bytes into {@code destination}, which has exactly the tensor's byte size. */
    @FunctionalInterface
    public interface TensorFiller extends Consumer<MemorySegment> {
    }

    private record PendingTensor(String name, GGMLType type, long[] shape, TensorFiller filler) {
    }

    private final int version;
    private final Map<String, MetadataValue> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();

    public GGUFWriter() {
        this(3);
    }

    public GGUFWriter(int version) {
        if (version != 2 && version != 3) throw new IllegalArgumentException("GGUF version must be 2 or 3");
        this.version = version;
    }

    /** Sets a metadata value; setting a key again replaces its value and keeps its position. */
    public GGUFWriter put(String key, MetadataValue value) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("metadata key must not be empty");
        if (value == null) throw new IllegalArgumentException("metadata key '" + key + "' has no value");
        if (key.equals("general.alignment")) alignmentOf(value);
        metadata.put(key, value);
        return this;
    }

    public GGUFWriter putAll(Map<String, MetadataValue> values) {
        values.forEach(this::put);
        return this;
    }

    public GGUFWriter addTensor(String name, GGMLType type, long[] shape, TensorFiller filler) {
        int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes > GGUFReader.MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name '" + name + "' is " + nameBytes + " bytes long, at most "
                    + GGUFReader.MAX_TENSOR_NAME_BYTES + " are allowed");
        }
        for (PendingTensor t : tensors) {
            if (t.name.equals(name)) throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        if (shape.length > GGUFReader.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + shape.length + " dimensions, at most " + GGUFReader.MAX_DIMS);
        }
        for (long d : shape) {
            if (d <= 0) throw new IllegalArgumentException("tensor '" + name + "' has a non-positive dimension: " + java.util.Arrays.toString(shape));
        }
        if (shape.length > 0 && shape[0] % type.blockSize != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': row length " + shape[0] + " is not a multiple of " + type.blockSize);
        }
        tensors.add(new PendingTensor(name, type, shape.clone(), filler));
        return this;
    }

    /** Adds a tensor whose bytes are copied from {@code data}, which must have exactly the tensor's byte size. */
    public GGUFWriter addTensor(String name, GGMLType type, long[] shape, MemorySegment data) {
        long elements = 1;
        for (long d : shape) elements = Math.multiplyExact(elements, d);
        long bytes = type.byteSize(elements);
        if (data.byteSize() != bytes) {
            throw new IllegalArgumentException("tensor '" + name + "' of type " + type + " and shape " + java.util.Arrays.toString(shape)
                    + " takes " + bytes + " bytes, but " + data.byteSize() + " were given");
        }
        return addTensor(name, type, shape, dest -> dest.copyFrom(data));
    }

    private static long alignmentOf(MetadataValue value) {
        if (!value.type().isInteger() || !(value.value() instanceof Number n)) {
            throw new IllegalArgumentException("general.alignment must be an integer (UINT32), not " + value.type());
        }
        long alignment = n.longValue();
        if (alignment <= 0 || Long.bitCount(alignment) != 1 || alignment > (1L << 30)) {
            throw new IllegalArgumentException("general.alignment " + alignment + " is not a power of two up to 2^30");
        }
        return alignment;
    }

    public void write(Path path) throws IOException {
        long alignment = metadata.containsKey("general.alignment")
                ? alignmentOf(metadata.get("general.alignment")) : GGUFReader.DEFAULT_ALIGNMENT;
        long[] offsets = new long[tensors.size()];
        long[] sizes = new long[tensors.size()];
        long running = 0;
        for (int i = 0; i < tensors.size(); i++) {
            PendingTensor t = tensors.get(i);
            long elements = 1;
            for (long d : t.shape) elements *= d;
            offsets[i] = running;
            sizes[i] = t.type.byteSize(elements);
            running += GGUFReader.alignUp(sizes[i], alignment);
        }
        long headerBytes;
        try (CountingOutputStream counter = new CountingOutputStream(Files.newOutputStream(path));
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(counter, 1 << 16))) {
            writeI32(out, GGUFReader.MAGIC);
            writeI32(out, version);
            writeI64(out, tensors.size());
            writeI64(out, metadata.size());
            for (Map.Entry<String, MetadataValue> e : metadata.entrySet()) {
                writeString(out, e.getKey());
                writeI32(out, e.getValue().type().id());
                writeValue(out, e.getValue().type(), e.getValue().value());
            }
            for (int i = 0; i < tensors.size(); i++) {
                PendingTensor t = tensors.get(i);
                writeString(out, t.name);
                writeI32(out, t.shape.length);
                for (long d : t.shape) writeI64(out, d);
                writeI32(out, t.type.id);
                writeI64(out, offsets[i]);
            }
            out.flush();
            headerBytes = counter.count;
        }
        long dataStart = GGUFReader.alignUp(headerBytes, alignment);
        long total = dataStart + running;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofShared()) {
            channel.truncate(total);
            if (running > 0) {
                channel.write(java.nio.ByteBuffer.allocate(1), total - 1); // extend the file before mapping it
                MemorySegment data = channel.map(FileChannel.MapMode.READ_WRITE, dataStart, running, arena);
                IntStream.range(0, tensors.size()).parallel().forEach(i ->
                        tensors.get(i).filler.accept(data.asSlice(offsets[i], sizes[i])));
                data.force();
            } else {
                channel.write(java.nio.ByteBuffer.allocate((int) (dataStart - headerBytes)), headerBytes);
            }
        }
    }

    private static void writeValue(DataOutputStream out, GGUFValueType type, Object value) throws IOException {
        switch (type) {
            case UINT8, INT8 -> out.writeByte(((Number) value).intValue());
            case UINT16, INT16 -> writeI16(out, ((Number) value).intValue());
            case UINT32, INT32 -> writeI32(out, ((Number) value).intValue());
            case UINT64, INT64 -> writeI64(out, ((Number) value).longValue());
            case FLOAT32 -> writeI32(out, Float.floatToRawIntBits(((Number) value).floatValue()));
            case FLOAT64 -> writeI64(out, Double.doubleToRawLongBits(((Number) value).doubleValue()));
            case BOOL -> out.writeByte((Boolean) value ? 1 : 0);
            case STRING -> writeString(out, (String) value);
            case ARRAY -> writeArray(out, (MetadataArray) value);
        }
    }

    private static void writeArray(DataOutputStream out, MetadataArray array) throws IOException {
        writeI32(out, array.elementType().id());
        int n = array.length();
        writeI64(out, n);
        Object values = array.values();
        for (int i = 0; i < n; i++) {
            Object element = java.lang.reflect.Array.get(values, i);
            writeValue(out, array.elementType(), element);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        writeI64(out, bytes.length);
        out.write(bytes);
    }

    private static void writeI16(DataOutputStream out, int v) throws IOException {
        out.writeShort(Short.reverseBytes((short) v));
    }

    private static void writeI32(DataOutputStream out, int v) throws IOException {
        out.writeInt(Integer.reverseBytes(v));
    }

    private static void writeI64(DataOutputStream out, long v) throws IOException {
        out.writeLong(Long.reverseBytes(v));
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

}
