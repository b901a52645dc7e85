package dev.amadeus.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds GGUF bytes field by field, little-endian, so tests can write files the writer refuses to produce. */
final class RawGGUF {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic, version and the two counts. */
    static RawGGUF header(int version, long tensorCount, long kvCount) {
        return new RawGGUF().bytes("GGUF".getBytes(StandardCharsets.US_ASCII)).i32(version).i64(tensorCount).i64(kvCount);
    }

    RawGGUF bytes(byte... b) {
        out.writeBytes(b);
        return this;
    }

    RawGGUF u8(int v) {
        out.write(v);
        return this;
    }

    RawGGUF i32(int v) {
        for (int i = 0; i < 4; i++) out.write(v >>> (8 * i));
        return this;
    }

    RawGGUF i64(long v) {
        for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)));
        return this;
    }

    RawGGUF string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return i64(b.length).bytes(b);
    }

    /** A key and its value type id; the payload follows. */
    RawGGUF key(String key, GGUFValueType type) {
        return string(key).i32(type.id());
    }

    RawGGUF kvU32(String key, long value) {
        return key(key, GGUFValueType.UINT32).i32((int) value);
    }

    /** A tensor-info record. */
    RawGGUF tensor(String name, int typeId, long offset, long... shape) {
        string(name).i32(shape.length);
        for (long d : shape) i64(d);
        return i32(typeId).i64(offset);
    }

    int size() {
        return out.size();
    }

    /** Zero bytes up to a multiple of {@code alignment}. */
    RawGGUF pad(int alignment) {
        while (out.size() % alignment != 0) out.write(0);
        return this;
    }

    RawGGUF zeros(int n) {
        out.writeBytes(new byte[n]);
        return this;
    }

    byte[] build() {
        return out.toByteArray();
    }

    byte[] truncated(int length) {
        return Arrays.copyOf(out.toByteArray(), length);
    }
}
