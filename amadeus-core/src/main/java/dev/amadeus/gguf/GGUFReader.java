package dev.amadeus.gguf;

import dev.amadeus.tensor.GGMLType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses GGUF versions 2 and 3 from a memory mapping. Every length and count is checked against the
 * bytes left in the file before anything is allocated, so a malformed file fails fast with a message
 * naming the problem instead of exhausting memory.
 */
final class GGUFReader {
    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
    static final int DEFAULT_ALIGNMENT = 32;
    static final int MAX_DIMS = 4;
    static final int MAX_TENSOR_NAME_BYTES = 63;
    /** Arrays nest at most this deep; deeper nesting is certainly not a model file. */
    private static final int MAX_ARRAY_DEPTH = 8;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String fileName;
    private final MemorySegment file;
    private final long size;
    private long pos;

    private GGUFReader(String fileName, MemorySegment file) {
        this.fileName = fileName;
        this.file = file;
        this.size = file.byteSize();
    }

    static GGUFFile read(Path path) {
        String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapping;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                mapping = channel.size() == 0 ? MemorySegment.NULL.reinterpret(0)
                        : channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            } catch (NoSuchFileException e) {
                throw new GGUFException(path + ": no such file");
            } catch (IOException e) {
                throw new GGUFException(path + ": cannot read: " + e.getMessage());
            }
            GGUFReader reader = new GGUFReader(name, mapping);
            return reader.parse(path, mapping, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private GGUFFile parse(Path path, MemorySegment mapping, Arena arena) {
        if (size < 4) throw error("file is too short to be GGUF (" + size + " bytes)");
        int magic = file.get(I32, 0);
        if (magic != MAGIC) {
            throw error(String.format("bad magic 0x%08x, not a GGUF file", magic));
        }
        pos = 4;
        if (size < 24) throw error("truncated header: " + size + " bytes, a GGUF header needs 24");
        int version = readI32();
        if ((version & 0xFFFF) == 0 && version != 0) {
            throw error("big-endian GGUF (version field 0x" + Integer.toHexString(version) + ") is not supported");
        }
        if (version == 1) throw error("GGUF version 1 is no longer supported; convert the file again");
        if (version != 2 && version != 3) throw error("unsupported GGUF version " + version + " (supported: 2, 3)");
        long tensorCount = readI64();
        long kvCount = readI64();
        // Each KV needs at least a key length, a type and one payload byte; each tensor info at least 8+4+4+8 bytes.
        if (kvCount < 0 || kvCount > remaining() / 13) {
            throw error("absurd metadata count " + Long.toUnsignedString(kvCount) + " for a file of " + size + " bytes");
        }
        if (tensorCount < 0 || tensorCount > remaining() / 24) {
            throw error("absurd tensor count " + Long.toUnsignedString(tensorCount) + " for a file of " + size + " bytes");
        }

        Map<String, MetadataValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long keyAt = pos;
            String key = readString("metadata key #" + i);
            if (key.isEmpty()) throw error("metadata key #" + i + " at offset " + keyAt + " is empty");
            int typeId = readI32();
            GGUFValueType type = GGUFValueType.fromId(typeId);
            if (type == null) throw error("metadata key '" + key + "' has unknown value type " + typeId);
            MetadataValue value = readValue(key, type, 0);
            if (metadata.putIfAbsent(key, value) != null) throw error("duplicate metadata key '" + key + "'");
        }

        long alignment = DEFAULT_ALIGNMENT;
        MetadataValue alignValue = metadata.get("general.alignment");
        if (alignValue != null) {
            if (!alignValue.type().isInteger()) {
                throw error("general.alignment has type " + alignValue.type() + ", expected UINT32");
            }
            alignment = ((Number) alignValue.value()).longValue();
            if (alignment <= 0 || Long.bitCount(alignment) != 1 || alignment > (1 << 30)) {
                throw error("general.alignment " + alignment + " is not a power of two");
            }
        }

        List<TensorInfo> tensors = new ArrayList<>((int) tensorCount);
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            String tname = readString("tensor name #" + i);
            if (tname.getBytes(StandardCharsets.UTF_8).length > MAX_TENSOR_NAME_BYTES) {
                throw error("tensor name '" + abbreviate(tname) + "' is longer than " + MAX_TENSOR_NAME_BYTES + " bytes");
            }
            if (!names.add(tname)) throw error("duplicate tensor name '" + tname + "'");
            int nDims = readI32();
            if (nDims < 0 || nDims > MAX_DIMS) {
                throw error("tensor '" + tname + "' has " + Integer.toUnsignedString(nDims) + " dimensions (at most " + MAX_DIMS + ")");
            }
            long[] shape = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                long ne = readI64();
                if (ne <= 0) throw error("tensor '" + tname + "' dimension " + d + " is " + ne + " (must be positive)");
                if (elements > Long.MAX_VALUE / ne) throw error("tensor '" + tname + "' has too many elements");
                elements *= ne;
                shape[d] = ne;
            }
            int typeId = readI32();
            GGMLType type = GGMLType.fromId(typeId);
            if (type == null) throw error("tensor '" + tname + "' has unknown type id " + typeId);
            if (nDims > 0 && shape[0] % type.blockSize != 0) {
                throw error("tensor '" + tname + "' of type " + type + " has rows of " + shape[0]
                        + " elements, not a multiple of the block size " + type.blockSize);
            }
            long offset = readI64();
            if (offset < 0) throw error("tensor '" + tname + "' has negative offset " + offset);
            if (offset % alignment != 0) {
                throw error("tensor '" + tname + "' offset " + offset + " is not a multiple of the alignment " + alignment);
            }
            tensors.add(new TensorInfo(tname, shape, type, offset));
        }

        long dataStart = alignUp(pos, alignment);
        for (TensorInfo t : tensors) {
            long start = dataStart + t.offset();
            long bytes = t.type().byteSize(t.elementCount());
            if (start < dataStart || start > size || bytes > size - start) {
                throw error("tensor '" + t.name() + "' data [" + start + ", " + (start + bytes)
                        + ") lies past the end of the file (" + size + " bytes); the file is truncated or corrupt");
            }
        }
        return new GGUFFile(path, version, metadata, tensors, alignment, dataStart, mapping, arena);
    }

    private MetadataValue readValue(String key, GGUFValueType type, int depth) {
        return switch (type) {
            case UINT8 -> new MetadataValue(type, Byte.toUnsignedInt(readByte()));
            case INT8 -> new MetadataValue(type, (int) readByte());
            case UINT16 -> new MetadataValue(type, Short.toUnsignedInt(readI16()));
            case INT16 -> new MetadataValue(type, (int) readI16());
            case UINT32 -> new MetadataValue(type, Integer.toUnsignedLong(readI32()));
            case INT32 -> new MetadataValue(type, readI32());
            case UINT64, INT64 -> new MetadataValue(type, readI64());
            case FLOAT32 -> new MetadataValue(type, readF32());
            case FLOAT64 -> new MetadataValue(type, readF64());
            case BOOL -> new MetadataValue(type, readByte() != 0);
            case STRING -> new MetadataValue(type, readString("value of key '" + key + "'"));
            case ARRAY -> new MetadataValue(type, readArray(key, depth));
        };
    }

    private MetadataArray readArray(String key, int depth) {
        if (depth >= MAX_ARRAY_DEPTH) throw error("metadata key '" + key + "' nests arrays deeper than " + MAX_ARRAY_DEPTH);
        int typeId = readI32();
        GGUFValueType elementType = GGUFValueType.fromId(typeId);
        if (elementType == null) throw error("metadata key '" + key + "' is an array of unknown type " + typeId);
        long count = readI64();
        if (count < 0 || count > remaining() / elementType.minimumBytes()) {
            throw error("metadata key '" + key + "' declares " + Long.toUnsignedString(count)
                    + " array elements, more than the " + remaining() + " bytes left in the file can hold");
        }
        int n = (int) count;
        Object values = switch (elementType) {
            case UINT8 -> { int[] a = new int[n]; for (int i = 0; i < n; i++) a[i] = Byte.toUnsignedInt(readByte()); yield a; }
            case INT8 -> { int[] a = new int[n]; for (int i = 0; i < n; i++) a[i] = readByte(); yield a; }
            case UINT16 -> { int[] a = new int[n]; for (int i = 0; i < n; i++) a[i] = Short.toUnsignedInt(readI16()); yield a; }
            case INT16 -> { int[] a = new int[n]; for (int i = 0; i < n; i++) a[i] = readI16(); yield a; }
            case INT32 -> { int[] a = new int[n]; for (int i = 0; i < n; i++) a[i] = readI32(); yield a; }
            case UINT32 -> { long[] a = new long[n]; for (int i = 0; i < n; i++) a[i] = Integer.toUnsignedLong(readI32()); yield a; }
            case UINT64, INT64 -> { long[] a = new long[n]; for (int i = 0; i < n; i++) a[i] = readI64(); yield a; }
            case FLOAT32 -> { float[] a = new float[n]; for (int i = 0; i < n; i++) a[i] = readF32(); yield a; }
            case FLOAT64 -> { double[] a = new double[n]; for (int i = 0; i < n; i++) a[i] = readF64(); yield a; }
            case BOOL -> { boolean[] a = new boolean[n]; for (int i = 0; i < n; i++) a[i] = readByte() != 0; yield a; }
            case STRING -> { String[] a = new String[n]; for (int i = 0; i < n; i++) a[i] = readString("element " + i + " of key '" + key + "'"); yield a; }
            case ARRAY -> { MetadataArray[] a = new MetadataArray[n]; for (int i = 0; i < n; i++) a[i] = readArray(key, depth + 1); yield a; }
        };
        return new MetadataArray(elementType, values);
    }

    private String readString(String what) {
        long at = pos;
        long length = readI64();
        if (length < 0 || length > remaining()) {
            throw error(what + " at offset " + at + " has length " + Long.toUnsignedString(length)
                    + ", past the end of the file (" + size + " bytes)");
        }
        byte[] bytes = file.asSlice(pos, length).toArray(ValueLayout.JAVA_BYTE);
        pos += length;
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            // Tokens of byte-level vocabularies are valid UTF-8; anything else is kept lossily rather than rejected.
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private long remaining() {
        return size - pos;
    }

    private void need(int bytes) {
        if (pos + bytes > size) {
            throw error("truncated: needs " + bytes + " more bytes at offset " + pos + " but the file ends at " + size);
        }
    }

    private byte readByte() {
        need(1);
        return file.get(ValueLayout.JAVA_BYTE, pos++);
    }

    private short readI16() {
        need(2);
        short v = file.get(I16, pos);
        pos += 2;
        return v;
    }

    private int readI32() {
        need(4);
        int v = file.get(I32, pos);
        pos += 4;
        return v;
    }

    private long readI64() {
        need(8);
        long v = file.get(I64, pos);
        pos += 8;
        return v;
    }

    private float readF32() {
        need(4);
        float v = file.get(F32, pos);
        pos += 4;
        return v;
    }

    private double readF64() {
        need(8);
        double v = file.get(F64, pos);
        pos += 8;
        return v;
    }

    static long alignUp(long x, long alignment) {
        return (x + alignment - 1) & -alignment;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private GGUFException error(String message) {
        return new GGUFException(fileName + ": " + message);
    }
}
