package dev.amadeus.gguf;

import dev.amadeus.tensor.GGMLType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
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
    private static final long MAX_ALIGNMENT = 1L << 30;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Longest array or string the reader materialises on the heap. */
    private static final long MAX_HEAP_ELEMENTS = Integer.MAX_VALUE - 16;

    private final String fileName;
    private final MemorySegment file;
    private final long size;
    private long pos;
    /** What is being read, for truncation messages. */
    private String context = "header";

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
                mapping = channel.size() == 0 ? MemorySegment.ofArray(new byte[0])
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
        if (size == 0) throw error("empty file, not GGUF");
        if (size < 4) throw error("file is too short to be GGUF (" + size + " bytes)");
        int magic = file.get(I32, 0);
        if (magic != MAGIC) {
            throw error(String.format("bad magic 0x%08x, not a GGUF file", magic));
        }
        pos = 4;
        if (size < 24) throw error("truncated header: " + size + " bytes, a GGUF header needs 24");
        int version = readI32();
        if ((version & 0xFFFF) == 0 && version != 0) {
            // A big-endian writer stores the version byte-swapped (gguf-py detects byte order this way).
            throw error(String.format("big-endian GGUF (version field 0x%08x) is not supported", version));
        }
        if (version == 1) throw error("GGUF version 1 is no longer supported; convert the file again");
        if (version != 2 && version != 3) throw error("unsupported GGUF version " + version + " (supported: 2, 3)");
        long tensorCount = readI64();
        long kvCount = readI64();
        // Each KV needs at least a key length, a type and one payload byte; each tensor info at least 8+4+4+8 bytes.
        if (kvCount < 0 || kvCount > remaining() / 13) {
            throw error("metadata count " + Long.toUnsignedString(kvCount) + " at offset 16 cannot fit in the "
                    + remaining() + " bytes after the header; the file is truncated or corrupt");
        }
        if (tensorCount < 0 || tensorCount > remaining() / 24) {
            throw error("tensor count " + Long.toUnsignedString(tensorCount) + " at offset 8 cannot fit in the "
                    + remaining() + " bytes after the header; the file is truncated or corrupt");
        }

        Map<String, MetadataValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long keyAt = pos;
            context = "metadata key #" + i;
            String key = readString(context);
            if (key.isEmpty()) throw error("metadata key #" + i + " at offset " + keyAt + " is empty");
            if (metadata.containsKey(key)) throw error("duplicate metadata key " + quote(key) + " at offset " + keyAt);
            context = "metadata key " + quote(key);
            long typeAt = pos;
            int typeId = readI32();
            GGUFValueType type = GGUFValueType.fromId(typeId);
            if (type == null) throw error("metadata key " + quote(key) + " has unknown value type " + typeId + " at offset " + typeAt);
            metadata.put(key, readValue(key, type, 0));
        }

        long alignment = DEFAULT_ALIGNMENT;
        MetadataValue alignValue = metadata.get("general.alignment");
        if (alignValue != null) {
            // llama.cpp requires UINT32; any integer type is accepted here, anything else is rejected.
            if (!alignValue.type().isInteger()) {
                throw error("general.alignment has type " + alignValue.type() + ", expected UINT32");
            }
            alignment = ((Number) alignValue.value()).longValue();
            if (alignment <= 0 || Long.bitCount(alignment) != 1) {
                String shown = alignValue.type() == GGUFValueType.UINT64 ? Long.toUnsignedString(alignment) : Long.toString(alignment);
                throw error("general.alignment " + shown + " is not a power of two");
            }
            if (alignment > MAX_ALIGNMENT) {
                throw error("general.alignment " + alignment + " is larger than " + MAX_ALIGNMENT);
            }
        }

        List<TensorInfo> tensors = new ArrayList<>((int) Math.min(tensorCount, 1 << 16));
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            long nameAt = pos;
            context = "tensor info #" + i;
            long nameBytes = peekStringLength();
            if (nameBytes > MAX_TENSOR_NAME_BYTES && nameBytes <= remaining() - 8) {
                String shown = quote(new String(file.asSlice(pos + 8, Math.min(nameBytes, 200)).toArray(ValueLayout.JAVA_BYTE),
                        StandardCharsets.UTF_8));
                throw error("tensor name " + shown + " at offset " + nameAt + " is " + nameBytes
                        + " bytes long, at most " + MAX_TENSOR_NAME_BYTES + " are allowed");
            }
            String tname = readString("tensor name #" + i);
            String qname = quote(tname);
            if (!names.add(tname)) throw error("duplicate tensor name " + qname + " at offset " + nameAt);
            context = "tensor " + qname;
            int nDims = readI32();
            if (nDims < 0 || nDims > MAX_DIMS) {
                throw error("tensor " + qname + " has " + Integer.toUnsignedString(nDims) + " dimensions (at most " + MAX_DIMS + ")");
            }
            long[] shape = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                long ne = readI64();
                if (ne <= 0) throw error("tensor " + qname + " dimension " + d + " is " + ne + " (must be positive)");
                if (elements > Long.MAX_VALUE / ne) throw error("tensor " + qname + " has more than 2^63 elements");
                elements *= ne;
                shape[d] = ne;
            }
            int typeId = readI32();
            GGMLType type = GGMLType.fromId(typeId);
            if (type == null) throw error("tensor " + qname + " has unknown or removed ggml type id " + typeId);
            if (nDims > 0 && shape[0] % type.blockSize != 0) {
                throw error("tensor " + qname + " of type " + type + " has rows of " + shape[0]
                        + " elements, not a multiple of the block size " + type.blockSize);
            }
            if (elements / type.blockSize > Long.MAX_VALUE / type.bytesPerBlock) {
                throw error("tensor " + qname + " of type " + type + " with shape " + Arrays.toString(shape) + " needs more than 2^63 bytes");
            }
            long offsetAt = pos;
            long offset = readI64();
            if (offset < 0) throw error("tensor " + qname + " has negative offset " + offset + " (at offset " + offsetAt + ")");
            if (offset % alignment != 0) {
                throw error("tensor " + qname + " data offset " + offset + " is not a multiple of the alignment " + alignment);
            }
            tensors.add(new TensorInfo(tname, shape, type, offset));
        }

        long dataStart = alignUp(pos, alignment);
        for (TensorInfo t : tensors) {
            long bytes = t.byteSize();
            if (t.offset() > size - dataStart || bytes > size - dataStart - t.offset()) {
                throw error("tensor " + quote(t.name()) + " data [" + Long.toUnsignedString(dataStart + t.offset()) + ", "
                        + Long.toUnsignedString(dataStart + t.offset() + bytes) + ") lies past the end of the file ("
                        + size + " bytes); the file is truncated or corrupt");
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
            case STRING -> new MetadataValue(type, readString("value of metadata key " + quote(key)));
            case ARRAY -> new MetadataValue(type, readArray(key, depth));
        };
    }

    private MetadataArray readArray(String key, int depth) {
        if (depth >= MAX_ARRAY_DEPTH) throw error("metadata key " + quote(key) + " nests arrays deeper than " + MAX_ARRAY_DEPTH);
        long typeAt = pos;
        int typeId = readI32();
        GGUFValueType elementType = GGUFValueType.fromId(typeId);
        if (elementType == null) {
            throw error("metadata key " + quote(key) + " is an array of unknown value type " + typeId + " at offset " + typeAt);
        }
        long countAt = pos;
        long count = readI64();
        if (count < 0 || count > remaining() / elementType.minimumBytes()) {
            throw error("metadata key " + quote(key) + " declares " + Long.toUnsignedString(count) + " array elements at offset "
                    + countAt + ", more than the " + remaining() + " bytes left in the file can hold");
        }
        if (count > MAX_HEAP_ELEMENTS) {
            throw error("metadata key " + quote(key) + " declares " + count + " array elements at offset " + countAt
                    + ", more than an array can hold");
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
            case STRING -> { String[] a = new String[n]; for (int i = 0; i < n; i++) a[i] = readString(null, key, i); yield a; }
            case ARRAY -> { MetadataArray[] a = new MetadataArray[n]; for (int i = 0; i < n; i++) a[i] = readArray(key, depth + 1); yield a; }
        };
        return new MetadataArray(elementType, values);
    }

    /** The length field of the string at the current position, without consuming it (-1 if it is truncated). */
    private long peekStringLength() {
        return remaining() < 8 ? -1 : file.get(I64, pos);
    }

    private String readString(String what) {
        return readString(what, null, -1);
    }

    /**
     * A string; {@code what} names it in errors or, when null, it is element {@code index} of the array of
     * metadata key {@code arrayKey} (a vocabulary holds tens of thousands: the name is only built for an error).
     */
    private String readString(String what, String arrayKey, int index) {
        long at = pos;
        long length = readI64();
        if (length < 0 || length > remaining()) {
            throw error(stringName(what, arrayKey, index) + " at offset " + at + " has length " + Long.toUnsignedString(length)
                    + ", past the end of the file (" + size + " bytes)");
        }
        if (length > MAX_HEAP_ELEMENTS) {
            throw error(stringName(what, arrayKey, index) + " at offset " + at + " has length " + length + ", too long for a string");
        }
        byte[] bytes = new byte[(int) length];
        MemorySegment.copy(file, ValueLayout.JAVA_BYTE, pos, bytes, 0, bytes.length);
        pos += length;
        // Tokens of byte-level vocabularies are valid UTF-8; anything else is kept lossily rather than rejected.
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String stringName(String what, String arrayKey, int index) {
        return what != null ? what : "element " + index + " of metadata key " + quote(arrayKey);
    }

    private long remaining() {
        return size - pos;
    }

    private void need(int bytes) {
        if (pos + bytes > size) {
            throw error("truncated in " + context + ": needs " + bytes + " more bytes at offset " + pos
                    + " but the file ends at " + size);
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

    /** A key or tensor name for a message: quoted, shortened, control characters escaped. */
    static String quote(String s) {
        String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return "'" + oneLine(shown) + "'";
    }

    private static String oneLine(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) sb.append(String.format("\\u%04x", c));
            else sb.appendCodePoint(c);
        });
        return sb.toString();
    }

    private GGUFException error(String message) {
        return new GGUFException(oneLine(fileName + ": " + message));
    }
}
