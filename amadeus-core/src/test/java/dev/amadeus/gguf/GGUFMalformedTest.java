package dev.amadeus.gguf;

import dev.amadeus.tensor.GGMLType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Malformed files must fail fast with a {@link GGUFException} whose message is one line naming the file and the
 * problem, never with another exception, a hang or an OutOfMemoryError, however large the declared counts.
 */
class GGUFMalformedTest {

    private static final long HUGE = 1L << 62;
    private static final int F32 = GGMLType.F32.id;

    @TempDir
    Path dir;

    private TestReporter reporter;

    @org.junit.jupiter.api.BeforeEach
    void keepReporter(TestReporter reporter) {
        this.reporter = reporter;
    }

    /** Writes {@code bytes} as {@code name}, opens it and checks the failure message contains every fragment. */
    private String rejects(String name, byte[] bytes, String... fragments) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return rejects(p, fragments);
    }

    private String rejects(Path p, String... fragments) {
        String fileName = p.getFileName().toString();
        GGUFException e = assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
            try {
                GGUFFile f = GGUFFile.open(p);
                f.close();
                return fail(fileName + " was accepted");
            } catch (GGUFException expected) {
                return expected;
            } catch (Throwable other) {
                throw new AssertionError(fileName + " failed with " + other + " instead of a GGUFException", other);
            }
        });
        String m = e.getMessage();
        reporter.publishEntry(fileName, m);
        assertFalse(m.contains("\n") || m.contains("\r"), "one line: " + m);
        assertTrue(m.startsWith(fileName + ": "), "names the file: " + m);
        for (String fragment : fragments) assertTrue(m.contains(fragment), "'" + fragment + "' in: " + m);
        return m;
    }

    /** A valid file: three keys and three tensors (sizes 84, 8 and 34 bytes), default alignment. */
    private Path validFile(String name) throws IOException {
        Path p = dir.resolve(name);
        new GGUFWriter()
                .put("general.architecture", MetadataValue.string("llama"))
                .put("llama.block_count", MetadataValue.uint32(1))
                .put("tokenizer.ggml.tokens", MetadataValue.array(GGUFValueType.STRING, new String[]{"a", "b", "c"}))
                .addTensor("a.weight", GGMLType.F32, new long[]{7, 3}, MemorySegment.ofArray(new byte[84]))
                .addTensor("b.weight", GGMLType.F16, new long[]{4}, MemorySegment.ofArray(new byte[8]))
                .addTensor("c.weight", GGMLType.Q8_0, new long[]{32}, MemorySegment.ofArray(new byte[34]))
                .write(p);
        return p;
    }

    /** A file with no metadata and one tensor-info record built by {@code tensor}, followed by enough zero data. */
    private static byte[] oneTensor(String name, int typeId, long offset, long... shape) {
        RawGGUF r = RawGGUF.header(3, 1, 0).tensor(name, typeId, offset, shape).pad(32);
        return r.zeros(4096).build();
    }

    /** A file whose only metadata is {@code general.alignment} written by {@code value}, with one F32 tensor. */
    private static byte[] withAlignment(java.util.function.Consumer<RawGGUF> value) {
        RawGGUF r = RawGGUF.header(3, 1, 1);
        value.accept(r);
        return r.tensor("t", F32, 0, 4).pad(32).zeros(64).build();
    }

    // ---------------------------------------------------------------- header

    @Test
    void emptyFile() throws IOException {
        rejects("empty.gguf", new byte[0], "empty file");
    }

    @Test
    void tooShortForMagic() throws IOException {
        rejects("three-bytes.gguf", new byte[]{'G', 'G', 'U'}, "too short", "3 bytes");
    }

    @Test
    void badMagic() throws IOException {
        byte[] b = RawGGUF.header(3, 0, 0).build();
        b[3] = 'L';
        rejects("bad-magic.gguf", b, "bad magic", "not a GGUF file");
    }

    @Test
    void truncatedHeader() throws IOException {
        rejects("header-10.gguf", RawGGUF.header(3, 0, 0).truncated(10), "truncated header", "10 bytes");
    }

    @Test
    void version1() throws IOException {
        rejects("v1.gguf", RawGGUF.header(1, 0, 0).build(), "version 1", "no longer supported");
    }

    @Test
    void version4() throws IOException {
        rejects("v4.gguf", RawGGUF.header(4, 0, 0).build(), "unsupported GGUF version 4");
    }

    @Test
    void bigEndian() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN);
        b.put("GGUF".getBytes()).putInt(3).putLong(0).putLong(1);
        rejects("big-endian.gguf", b.array(), "big-endian", "0x03000000", "not supported");
    }

    @Test
    void absurdTensorCount() throws IOException {
        rejects("tensor-count.gguf", RawGGUF.header(3, HUGE, 0).build(), "tensor count " + HUGE, "offset 8");
        rejects("tensor-count-neg.gguf", RawGGUF.header(3, -1, 0).build(), "tensor count 18446744073709551615");
    }

    @Test
    void absurdKvCount() throws IOException {
        rejects("kv-count.gguf", RawGGUF.header(3, 0, HUGE).kvU32("a", 1).build(), "metadata count " + HUGE, "offset 16");
    }

    // ---------------------------------------------------------------- metadata

    @Test
    void absurdKeyLength() throws IOException {
        rejects("key-length.gguf", RawGGUF.header(3, 0, 1).i64(HUGE).zeros(32).build(),
                "metadata key #0", "offset 24", "length " + HUGE);
    }

    @Test
    void absurdStringValueLength() throws IOException {
        rejects("string-length.gguf", RawGGUF.header(3, 0, 1).key("general.name", GGUFValueType.STRING).i64(HUGE).zeros(32).build(),
                "value of metadata key 'general.name'", "length " + HUGE);
    }

    @Test
    void absurdArrayLength() throws IOException {
        rejects("array-length.gguf", RawGGUF.header(3, 0, 1).key("tokenizer.ggml.scores", GGUFValueType.ARRAY)
                        .i32(GGUFValueType.FLOAT32.id()).i64(HUGE).zeros(64).build(),
                "'tokenizer.ggml.scores'", HUGE + " array elements");
        rejects("array-length-strings.gguf", RawGGUF.header(3, 0, 1).key("tokenizer.ggml.tokens", GGUFValueType.ARRAY)
                        .i32(GGUFValueType.STRING.id()).i64(-1).zeros(64).build(),
                "'tokenizer.ggml.tokens'", "18446744073709551615 array elements");
        // A count that fits the file's bytes at one byte each, but not as 8-byte string lengths.
        rejects("array-length-fits-bytes.gguf", RawGGUF.header(3, 0, 1).key("k", GGUFValueType.ARRAY)
                        .i32(GGUFValueType.STRING.id()).i64(40).zeros(40).build(),
                "'k'", "40 array elements");
    }

    @Test
    void absurdNestedArrayLength() throws IOException {
        rejects("nested-length.gguf", RawGGUF.header(3, 0, 1).key("k", GGUFValueType.ARRAY)
                        .i32(GGUFValueType.ARRAY.id()).i64(1).i32(GGUFValueType.INT64.id()).i64(HUGE).zeros(64).build(),
                "'k'", HUGE + " array elements");
    }

    @Test
    void unknownValueType() throws IOException {
        rejects("value-type.gguf", RawGGUF.header(3, 0, 1).string("general.weird").i32(13).zeros(8).build(),
                "'general.weird'", "unknown value type 13", "offset");
        rejects("value-type-neg.gguf", RawGGUF.header(3, 0, 1).string("k").i32(-1).zeros(8).build(),
                "'k'", "unknown value type -1");
        rejects("array-elem-type.gguf", RawGGUF.header(3, 0, 1).key("k", GGUFValueType.ARRAY).i32(99).i64(1).zeros(8).build(),
                "'k'", "array of unknown value type 99");
    }

    @Test
    void duplicateKey() throws IOException {
        rejects("dup-key.gguf", RawGGUF.header(3, 0, 2).kvU32("llama.block_count", 1).kvU32("llama.block_count", 2).build(),
                "duplicate metadata key 'llama.block_count'", "offset");
    }

    @Test
    void emptyKey() throws IOException {
        rejects("empty-key.gguf", RawGGUF.header(3, 0, 1).kvU32("", 1).build(), "metadata key #0", "offset 24", "is empty");
    }

    @Test
    void keyWithNewlineStaysOnOneLine() throws IOException {
        String m = rejects("newline-key.gguf", RawGGUF.header(3, 0, 2).kvU32("a\nb", 1).kvU32("a\nb", 2).build(),
                "duplicate metadata key 'a\\u000ab'");
        assertFalse(m.contains("\n"));
    }

    @Test
    void truncatedInMetadata() throws IOException {
        RawGGUF r = RawGGUF.header(3, 0, 3).kvU32("a", 1).kvU32("llama.context_length", 2048).kvU32("c", 3);
        int cut = 24 + (8 + 1 + 4 + 4) + (8 + 20 + 4) + 2; // two bytes into the second value
        rejects("cut-value.gguf", r.truncated(cut), "truncated in metadata key 'llama.context_length'", "offset " + (cut - 2));
        // Cut so early that three records cannot fit any more: the count check reports it.
        rejects("cut-early.gguf", r.truncated(24 + 17 + 4), "metadata count 3", "truncated");
        RawGGUF k = RawGGUF.header(3, 0, 2).key("general.name", GGUFValueType.STRING).string("x".repeat(40)).kvU32("b", 1);
        rejects("cut-key.gguf", k.truncated(k.size() - 17 + 4), "truncated in metadata key #1", "needs 8 more bytes");
        rejects("cut-type.gguf", r.truncated(24 + 17 + 8 + 20 + 1), "truncated in metadata key 'llama.context_length'");
        RawGGUF s = RawGGUF.header(3, 0, 1).key("tokenizer.ggml.tokens", GGUFValueType.ARRAY)
                .i32(GGUFValueType.STRING.id()).i64(3).string("one").string("two").string("three");
        rejects("cut-array.gguf", s.truncated(s.size() - 2), "element 2 of metadata key 'tokenizer.ggml.tokens'");
    }

    @Test
    void arraysNestedTooDeep() throws IOException {
        RawGGUF r = RawGGUF.header(3, 0, 1).key("k", GGUFValueType.ARRAY);
        for (int i = 0; i < 20; i++) r.i32(GGUFValueType.ARRAY.id()).i64(1);
        rejects("deep.gguf", r.zeros(64).build(), "'k'", "nests arrays deeper");
    }

    // ---------------------------------------------------------------- tensor infos

    @Test
    void truncatedInTensorInfos() throws IOException {
        Path valid = validFile("valid.gguf");
        byte[] all = Files.readAllBytes(valid);
        int namePos = indexOf(all, "b.weight".getBytes());
        rejects("cut-infos.gguf", Arrays.copyOf(all, namePos + 8 + 4 + 3), "truncated in tensor 'b.weight'");
        rejects("cut-name.gguf", Arrays.copyOf(all, namePos + 3), "tensor name #1", "past the end of the file");
    }

    @Test
    void fiveDimensions() throws IOException {
        rejects("dims5.gguf", oneTensor("blk.0.attn_q.weight", F32, 0, 1, 1, 1, 1, 1),
                "tensor 'blk.0.attn_q.weight'", "5 dimensions");
    }

    @Test
    void zeroOrNegativeDimension() throws IOException {
        rejects("dim-zero.gguf", oneTensor("t", F32, 0, 4, 0), "tensor 't'", "dimension 1 is 0");
        rejects("dim-neg.gguf", oneTensor("t", F32, 0, -4), "tensor 't'", "dimension 0 is -4");
    }

    @Test
    void elementCountOverflow() throws IOException {
        rejects("elements.gguf", oneTensor("t", F32, 0, 1L << 32, 1L << 32), "tensor 't'", "2^63 elements");
        // 2^62 F32 elements need 2^64 bytes: that must not wrap to a small size.
        rejects("bytes.gguf", oneTensor("t", F32, 0, 1L << 31, 1L << 31), "tensor 't'", "2^63 bytes");
    }

    @Test
    void unknownTensorType() throws IOException {
        rejects("type-99.gguf", oneTensor("t", 99, 0, 32), "tensor 't'", "type id 99");
        rejects("type-removed-4.gguf", oneTensor("t", 4, 0, 32), "tensor 't'", "type id 4");
        rejects("type-removed-36.gguf", oneTensor("t", 36, 0, 32), "tensor 't'", "type id 36");
        rejects("type-neg.gguf", oneTensor("t", -1, 0, 32), "tensor 't'", "type id -1");
    }

    @Test
    void rowNotAMultipleOfBlockSize() throws IOException {
        rejects("row.gguf", oneTensor("t", GGMLType.Q8_0.id, 0, 33, 2), "tensor 't'", "Q8_0", "33", "block size 32");
        rejects("row-k.gguf", oneTensor("t", GGMLType.Q4_K.id, 0, 128), "tensor 't'", "Q4_K", "block size 256");
    }

    @Test
    void tensorNameTooLong() throws IOException {
        String name = "x".repeat(64);
        rejects("name64.gguf", oneTensor(name, F32, 0, 1), "64 bytes long", "at most 63");
        String m = rejects("name-huge.gguf", oneTensor("y".repeat(3000), F32, 0, 1), "3000 bytes long");
        assertTrue(m.length() < 400, "the name is shortened in the message: " + m.length());
    }

    @Test
    void duplicateTensorName() throws IOException {
        byte[] b = RawGGUF.header(3, 2, 0).tensor("w", F32, 0, 8).tensor("w", F32, 32, 8).pad(32).zeros(64).build();
        rejects("dup-tensor.gguf", b, "duplicate tensor name 'w'", "offset");
    }

    @Test
    void tensorOffsetNotAligned() throws IOException {
        rejects("offset.gguf", oneTensor("t", F32, 8, 4), "tensor 't'", "offset 8", "alignment 32");
        rejects("offset-neg.gguf", oneTensor("t", F32, -32, 4), "tensor 't'", "negative offset");
    }

    @Test
    void tensorDataPastEndOfFile() throws IOException {
        Path valid = validFile("valid2.gguf");
        long end;
        try (GGUFFile f = GGUFFile.open(valid)) {
            TensorInfo last = f.tensor("c.weight");
            end = f.dataStart() + last.offset() + last.byteSize();
        }
        byte[] all = Files.readAllBytes(valid);
        rejects("cut-data.gguf", Arrays.copyOf(all, (int) end - 1), "tensor 'c.weight'", "past the end of the file", "truncated");
        rejects("cut-data-start.gguf", Arrays.copyOf(all, (int) end - 150), "tensor 'a.weight'", "past the end");
        rejects("far-offset.gguf", oneTensor("t", F32, 1L << 40, 4), "tensor 't'", "past the end");
        rejects("max-offset.gguf", oneTensor("t", F32, Long.MAX_VALUE & -32L, 4), "tensor 't'", "past the end");
    }

    // ---------------------------------------------------------------- alignment

    @Test
    void alignmentNotAPowerOfTwo() throws IOException {
        rejects("align-48.gguf", withAlignment(r -> r.kvU32("general.alignment", 48)), "general.alignment 48", "power of two");
        rejects("align-0.gguf", withAlignment(r -> r.kvU32("general.alignment", 0)), "general.alignment 0", "power of two");
        rejects("align-neg.gguf", withAlignment(r -> r.key("general.alignment", GGUFValueType.INT32).i32(-32)),
                "general.alignment -32");
        rejects("align-huge.gguf", withAlignment(r -> r.key("general.alignment", GGUFValueType.UINT64).i64(1L << 40)),
                "general.alignment 1099511627776", "larger than");
    }

    @Test
    void alignmentOfWrongType() throws IOException {
        rejects("align-string.gguf", withAlignment(r -> r.key("general.alignment", GGUFValueType.STRING).string("32")),
                "general.alignment has type STRING", "UINT32");
        rejects("align-float.gguf", withAlignment(r -> r.key("general.alignment", GGUFValueType.FLOAT32).i32(Float.floatToIntBits(32f))),
                "general.alignment has type FLOAT32");
        rejects("align-array.gguf", withAlignment(r -> r.key("general.alignment", GGUFValueType.ARRAY)
                .i32(GGUFValueType.UINT32.id()).i64(1).i32(32)), "general.alignment has type ARRAY");
    }

    // ---------------------------------------------------------------- sanity

    @Test
    void helpersBuildValidFiles() throws IOException {
        Path p = dir.resolve("raw-valid.gguf");
        Files.write(p, oneTensor("t", GGMLType.Q8_0.id, 0, 64, 2));
        try (GGUFFile f = GGUFFile.open(p)) {
            assertEquals(136, f.data(f.tensor("t")).byteSize());
        }
        Files.write(p, withAlignment(r -> r.kvU32("general.alignment", 16)));
        try (GGUFFile f = GGUFFile.open(p)) {
            assertEquals(16, f.alignment());
        }
        try (GGUFFile f = GGUFFile.open(validFile("valid3.gguf"))) {
            assertEquals(3, f.tensors().size());
        }
    }

    @Test
    void missingFile() {
        GGUFException e = assertThrows(GGUFException.class, () -> GGUFFile.open(dir.resolve("absent.gguf")));
        assertTrue(e.getMessage().contains("absent.gguf") && e.getMessage().contains("no such file"), e.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }
}
