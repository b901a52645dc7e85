package dev.amadeus.gguf;

import dev.amadeus.tensor.GGMLType;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.amadeus.gguf.GGUFValueType.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GGUFRoundTripTest {

    @TempDir
    Path dir;

    private static MetadataValue v(GGUFValueType type, Object value) {
        return new MetadataValue(type, value);
    }

    private static MetadataArray arr(GGUFValueType type, Object values) {
        return new MetadataArray(type, values);
    }

    /** Every value type, with the Java representation the reader produces, including edge values. */
    static Map<String, MetadataValue> everyType() {
        Map<String, MetadataValue> m = new LinkedHashMap<>();
        m.put("t.uint8.max", v(UINT8, 255));
        m.put("t.uint8.zero", v(UINT8, 0));
        m.put("t.int8.min", v(INT8, -128));
        m.put("t.int8.max", v(INT8, 127));
        m.put("t.uint16.max", v(UINT16, 65535));
        m.put("t.int16.min", v(INT16, -32768));
        m.put("t.uint32.max", v(UINT32, 0xFFFF_FFFFL));
        m.put("t.int32.min", v(INT32, Integer.MIN_VALUE));
        m.put("t.int32.max", v(INT32, Integer.MAX_VALUE));
        m.put("t.uint64.max", v(UINT64, -1L)); // 2^64 - 1, held as a signed long
        m.put("t.int64.min", v(INT64, Long.MIN_VALUE));
        m.put("t.float32", v(FLOAT32, 1e-6f));
        m.put("t.float32.neg_zero", v(FLOAT32, -0.0f));
        m.put("t.float32.nan", v(FLOAT32, Float.NaN));
        m.put("t.float32.subnormal", v(FLOAT32, Float.MIN_VALUE));
        m.put("t.float64", v(FLOAT64, Math.PI));
        m.put("t.float64.inf", v(FLOAT64, Double.NEGATIVE_INFINITY));
        m.put("t.bool.true", v(BOOL, true));
        m.put("t.bool.false", v(BOOL, false));
        m.put("t.string.ascii", v(STRING, "hello"));
        m.put("t.string.empty", v(STRING, ""));
        m.put("t.string.unicode", v(STRING, "h\u00e9llo \u2581\u4e16\u754c \ud83c\udf89 \u00fc\u00df"));
        m.put("t.string.controls", v(STRING, "line1\nline2\ttab\u0000nul"));
        m.put("t.arr.uint8", v(ARRAY, arr(UINT8, new int[]{0, 1, 128, 255})));
        m.put("t.arr.int8", v(ARRAY, arr(INT8, new int[]{-128, -1, 0, 127})));
        m.put("t.arr.uint16", v(ARRAY, arr(UINT16, new int[]{0, 65535})));
        m.put("t.arr.int16", v(ARRAY, arr(INT16, new int[]{-32768, 32767})));
        m.put("t.arr.uint32", v(ARRAY, arr(UINT32, new long[]{0, 0xFFFF_FFFFL, 7})));
        m.put("t.arr.int32", v(ARRAY, arr(INT32, new int[]{Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE})));
        m.put("t.arr.uint64", v(ARRAY, arr(UINT64, new long[]{0, -1L})));
        m.put("t.arr.int64", v(ARRAY, arr(INT64, new long[]{Long.MIN_VALUE, Long.MAX_VALUE})));
        m.put("t.arr.float32", v(ARRAY, arr(FLOAT32, new float[]{1.5f, -0.0f, Float.NaN, Float.POSITIVE_INFINITY})));
        m.put("t.arr.float64", v(ARRAY, arr(FLOAT64, new double[]{1e300, -2.5})));
        m.put("t.arr.bool", v(ARRAY, arr(BOOL, new boolean[]{true, false, true})));
        m.put("t.arr.string", v(ARRAY, arr(STRING, new String[]{"a", "", "\u2581the", "\ud83d\ude00", "<0x0A>"})));
        m.put("t.arr.empty.int32", v(ARRAY, arr(INT32, new int[0])));
        m.put("t.arr.empty.string", v(ARRAY, arr(STRING, new String[0])));
        m.put("t.arr.empty.array", v(ARRAY, arr(ARRAY, new MetadataArray[0])));
        m.put("t.arr.nested.int32", v(ARRAY, arr(ARRAY, new MetadataArray[]{
                arr(INT32, new int[]{1, 2, 3}), arr(INT32, new int[0]), arr(INT32, new int[]{-4})})));
        m.put("t.arr.nested.mixed", v(ARRAY, arr(ARRAY, new MetadataArray[]{
                arr(STRING, new String[]{"x", "\u00e9"}), arr(FLOAT64, new double[]{0.25}), arr(BOOL, new boolean[]{false})})));
        m.put("t.arr.nested.deep", v(ARRAY, arr(ARRAY, new MetadataArray[]{
                arr(ARRAY, new MetadataArray[]{arr(UINT8, new int[]{9}), arr(ARRAY, new MetadataArray[0])})})));
        m.put("\u00e9t\u00e9.non_ascii_key", v(UINT32, 1L));
        return m;
    }

    record Spec(String name, GGMLType type, long[] shape) {
        long bytes() {
            long n = 1;
            for (long d : shape) n *= d;
            return type.byteSize(n);
        }
    }

    static List<Spec> tensorSpecs() {
        return List.of(
                new Spec("f32.matrix", GGMLType.F32, new long[]{7, 3}),        // 84 bytes: needs padding
                new Spec("f16.vector", GGMLType.F16, new long[]{5}),           // 10 bytes
                new Spec("scalar", GGMLType.F32, new long[0]),                 // 0 dims: one element
                new Spec("q8_0", GGMLType.Q8_0, new long[]{64, 3}),            // 6 blocks of 34
                new Spec("q4_k", GGMLType.Q4_K, new long[]{256, 2, 1}),        // 2 super-blocks of 144
                new Spec("i8.4d", GGMLType.I8, new long[]{3, 1, 2, 5}),        // 30 bytes, 4 dims
                new Spec("bf16", GGMLType.BF16, new long[]{32, 2}),            // exactly 128 bytes: no padding
                new Spec("q4_0", GGMLType.Q4_0, new long[]{32}));              // 18 bytes, last tensor
    }

    private static byte[] randomBytes(long n, long seed) {
        byte[] b = new byte[(int) n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void roundTripEveryTypeAndTensorsDefaultAlignment(int version) throws IOException {
        roundTrip(version, null);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void roundTripEveryTypeAndTensorsAlignment64(int version) throws IOException {
        roundTrip(version, 64L);
    }

    @Test
    void roundTripAlignment8And256() throws IOException {
        roundTrip(3, 8L);
        roundTrip(3, 256L);
    }

    private void roundTrip(int version, Long alignment) throws IOException {
        Map<String, MetadataValue> meta = new LinkedHashMap<>();
        meta.put("general.architecture", MetadataValue.string("test"));
        if (alignment != null) meta.put("general.alignment", MetadataValue.uint32(alignment));
        meta.putAll(everyType());
        List<Spec> specs = tensorSpecs();
        List<byte[]> payloads = new ArrayList<>();
        GGUFWriter w = new GGUFWriter(version).putAll(meta);
        for (int i = 0; i < specs.size(); i++) {
            Spec s = specs.get(i);
            byte[] bytes = randomBytes(s.bytes(), i);
            payloads.add(bytes);
            w.addTensor(s.name(), s.type(), s.shape(), MemorySegment.ofArray(bytes));
        }
        Path p = dir.resolve("rt-v" + version + "-" + alignment + ".gguf");
        w.write(p);

        long align = alignment == null ? 32 : alignment;
        byte[] file = Files.readAllBytes(p);
        long headerEnd = expectedHeaderBytes(meta, specs);
        long dataStart = GGUFReader.alignUp(headerEnd, align);

        try (GGUFFile f = GGUFFile.open(p)) {
            assertEquals(version, f.version());
            assertEquals(align, f.alignment());
            assertEquals(dataStart, f.dataStart());
            assertEquals(0, f.dataStart() % align);
            assertEquals(List.copyOf(meta.keySet()), List.copyOf(f.metadata().keySet()), "keys in file order");
            assertEquals(meta, f.metadata());
            assertEquals(specs.size(), f.tensors().size());
            long expectedOffset = 0;
            for (int i = 0; i < specs.size(); i++) {
                Spec s = specs.get(i);
                TensorInfo t = f.tensors().get(i);
                assertEquals(s.name(), t.name());
                assertEquals(s.type(), t.type());
                assertArrayEquals(s.shape(), t.shape());
                assertEquals(expectedOffset, t.offset(), "dense layout: offset of " + s.name());
                assertEquals(0, t.offset() % align);
                MemorySegment data = f.data(t);
                assertEquals(s.bytes(), data.byteSize());
                assertTrue(f.maps(data), "tensor data is a slice of the mapping");
                assertTrue(data.isReadOnly());
                assertArrayEquals(payloads.get(i), data.toArray(ValueLayout.JAVA_BYTE), s.name());
                // padding after each tensor, up to the next aligned offset, is zero
                long end = dataStart + t.offset() + s.bytes();
                long next = dataStart + GGUFReader.alignUp(t.offset() + s.bytes(), align);
                for (long b = end; b < next; b++) assertEquals(0, file[(int) b], "padding byte at " + b);
                expectedOffset += GGUFReader.alignUp(s.bytes(), align);
            }
            assertEquals(dataStart + expectedOffset, file.length, "file ends after the last tensor's padding");
            assertEquals(file.length, f.fileSize());
            for (long b = headerEnd; b < dataStart; b++) assertEquals(0, file[(int) b], "padding before data at " + b);
        }
    }

    /** Size of header, metadata and tensor infos, computed from the format description, independently of the writer. */
    private static long expectedHeaderBytes(Map<String, MetadataValue> meta, List<Spec> specs) {
        long n = 24;
        for (Map.Entry<String, MetadataValue> e : meta.entrySet()) {
            n += 8 + utf8Length(e.getKey()) + 4 + payloadBytes(e.getValue().type(), e.getValue().value());
        }
        for (Spec s : specs) n += 8 + utf8Length(s.name()) + 4 + 8L * s.shape().length + 4 + 8;
        return n;
    }

    private static long payloadBytes(GGUFValueType type, Object value) {
        return switch (type) {
            case STRING -> 8 + utf8Length((String) value);
            case ARRAY -> {
                MetadataArray a = (MetadataArray) value;
                long n = 4 + 8;
                for (int i = 0; i < a.length(); i++) n += payloadBytes(a.elementType(), java.lang.reflect.Array.get(a.values(), i));
                yield n;
            }
            default -> type.size;
        };
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void zeroTensors(int version) throws IOException {
        Path p = dir.resolve("empty-v" + version + ".gguf");
        new GGUFWriter(version).put("general.name", MetadataValue.string("vocab only")).write(p);
        try (GGUFFile f = GGUFFile.open(p)) {
            assertEquals(version, f.version());
            assertTrue(f.tensors().isEmpty());
            assertEquals("vocab only", f.getString("general.name"));
            assertEquals(0, f.dataStart() % 32);
            assertEquals(f.dataStart(), f.fileSize());
        }
        // Nothing at all: a bare 24-byte header.
        Path bare = dir.resolve("bare-v" + version + ".gguf");
        new GGUFWriter(version).write(bare);
        assertEquals(32, Files.size(bare));
        try (GGUFFile f = GGUFFile.open(bare)) {
            assertTrue(f.metadata().isEmpty());
            assertTrue(f.tensors().isEmpty());
        }
    }

    @Test
    void zeroTensorFileWithoutTrailingPaddingIsAccepted() throws IOException {
        Path p = dir.resolve("nopad.gguf");
        new GGUFWriter().put("general.name", MetadataValue.string("x")).write(p);
        long headerEnd = 24 + 8 + "general.name".length() + 4 + 8 + 1;
        byte[] all = Files.readAllBytes(p);
        Files.write(p, java.util.Arrays.copyOf(all, (int) headerEnd));
        try (GGUFFile f = GGUFFile.open(p)) {
            assertEquals("x", f.getString("general.name"));
        }
    }

    @Test
    void lastTensorWithoutTrailingPaddingIsAccepted() throws IOException {
        Path p = dir.resolve("lastpad.gguf");
        byte[] data = randomBytes(12, 1);
        new GGUFWriter().addTensor("t", GGMLType.F32, new long[]{3}, MemorySegment.ofArray(data)).write(p);
        try (GGUFFile f = GGUFFile.open(p)) {
            long end = f.dataStart() + 12;
            f.close();
            byte[] all = Files.readAllBytes(p);
            Files.write(p, java.util.Arrays.copyOf(all, (int) end));
        }
        try (GGUFFile f = GGUFFile.open(p)) {
            assertArrayEquals(data, f.data(f.tensor("t")).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void tensorNameOf63BytesIsAccepted() throws IOException {
        Path p = dir.resolve("name63.gguf");
        String name = "n".repeat(63);
        new GGUFWriter().addTensor(name, GGMLType.F32, new long[]{1}, MemorySegment.ofArray(new byte[4])).write(p);
        try (GGUFFile f = GGUFFile.open(p)) {
            assertTrue(f.hasTensor(name));
        }
    }

    @Test
    void rewritingARealFileKeepsMetadataAndTensorBytes() throws IOException {
        Path source = SharedData.model("stories260K.gguf");
        Path copy = dir.resolve("stories260K-copy.gguf");
        try (GGUFFile in = GGUFFile.open(source)) {
            GGUFWriter w = new GGUFWriter(in.version()).putAll(in.metadata());
            for (TensorInfo t : in.tensors()) w.addTensor(t.name(), t.type(), t.shape(), in.data(t));
            w.write(copy);
            try (GGUFFile out = GGUFFile.open(copy)) {
                assertEquals(in.version(), out.version());
                assertEquals(in.alignment(), out.alignment());
                assertEquals(in.dataStart(), out.dataStart());
                assertEquals(List.copyOf(in.metadata().keySet()), List.copyOf(out.metadata().keySet()));
                assertEquals(in.metadata(), out.metadata());
                assertEquals(in.tensors(), out.tensors(), "names, shapes, types and offsets");
                for (TensorInfo t : in.tensors()) {
                    assertEquals(-1, in.data(t).mismatch(out.data(out.tensor(t.name()))), t.name());
                }
            }
        }
        // The source was written in llama.cpp's layout, so the copy is byte for byte the same file.
        assertEquals(-1, Files.mismatch(source, copy));
    }

    @Test
    void writerRejectsWhatTheReaderWouldReject() {
        GGUFWriter w = new GGUFWriter();
        MemorySegment four = MemorySegment.ofArray(new byte[4]);
        assertThrows(IllegalArgumentException.class, () -> w.put("", MetadataValue.uint32(1)));
        assertThrows(IllegalArgumentException.class, () -> w.put("general.alignment", MetadataValue.uint32(48)));
        assertThrows(IllegalArgumentException.class, () -> w.put("general.alignment", MetadataValue.uint32(0)));
        assertThrows(IllegalArgumentException.class, () -> w.put("general.alignment", MetadataValue.string("32")));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("n".repeat(64), GGMLType.F32, new long[]{1}, four));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GGMLType.F32, new long[]{1, 1, 1, 1, 1}, four));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GGMLType.F32, new long[]{1, 0}, four));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GGMLType.Q8_0, new long[]{31}, four));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GGMLType.F32, new long[]{2}, four), "wrong byte count");
        w.addTensor("t", GGMLType.F32, new long[]{1}, four);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GGMLType.F32, new long[]{1}, four));
        assertThrows(IllegalArgumentException.class, () -> new GGUFWriter(1));
        assertThrows(IllegalArgumentException.class, () -> new GGUFWriter(4));
    }

    @Test
    void writerUsesLittleEndianHeader() throws IOException {
        Path p = dir.resolve("header.gguf");
        new GGUFWriter(2).put("a", MetadataValue.uint32(7)).write(p);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals('G', b.get(0));
        assertEquals('F', b.get(3));
        assertEquals(2, b.getInt(4));
        assertEquals(0, b.getLong(8));
        assertEquals(1, b.getLong(16));
        assertEquals(1, b.getLong(24));
        assertEquals('a', b.get(32));
        assertEquals(GGUFValueType.UINT32.id(), b.getInt(33));
        assertEquals(7, b.getInt(37));
        assertFalse(b.capacity() % 32 != 0);
    }
}
