package dev.amadeus.tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Hand-built blocks with hand-derived expected values. Scales are powers of two and quants small, so
 * every product is exact and the expectations do not depend on operation order.
 */
class DequantizeExactTest {
    private static final short ONE = 0x3C00;          // f16 1.0
    private static final short HALF = 0x3800;         // f16 0.5
    private static final short QUARTER = 0x3400;      // f16 0.25
    private static final short EIGHTH = 0x3000;       // f16 0.125
    private static final short MINUS_ONE = (short) 0xBC00;

    private static TensorKernels kernels(String which) {
        return which.equals("scalar") ? TensorKernels.scalar() : TensorKernels.vector();
    }

    private static float[] run(String which, GGMLType type, byte[] block) {
        float[] out = new float[type.blockSize == 1 ? block.length / type.bytesPerBlock : type.blockSize];
        kernels(which).dequantize(type, MemorySegment.ofArray(block), 0, out.length, out, 0);
        return out;
    }

    private static void putShort(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
    }

    private static void putInt(byte[] b, int at, int v) {
        putShort(b, at, v);
        putShort(b, at + 2, v >> 16);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void floats(String which) {
        byte[] f32 = new byte[12];
        putInt(f32, 0, Float.floatToIntBits(1.5f));
        putInt(f32, 4, Float.floatToIntBits(-0.0f));
        putInt(f32, 8, Float.floatToIntBits(Float.MIN_VALUE));
        assertArrayEquals(new float[]{1.5f, -0.0f, Float.MIN_VALUE}, run(which, GGMLType.F32, f32));

        // 1, -2, smallest subnormal 2^-24, largest finite 65504, +inf, then 17 more ones for a vector's worth.
        byte[] f16 = new byte[2 * 22];
        int[] halves = {0x3C00, 0xC000, 0x0001, 0x7BFF, 0x7C00};
        for (int i = 0; i < 22; i++) putShort(f16, 2 * i, i < halves.length ? halves[i] : 0x3C00);
        float[] expected16 = new float[22];
        java.util.Arrays.fill(expected16, 1f);
        expected16[1] = -2f;
        expected16[2] = 0x1p-24f;
        expected16[3] = 65504f;
        expected16[4] = Float.POSITIVE_INFINITY;
        assertArrayEquals(expected16, run(which, GGMLType.F16, f16));

        // bf16 is the top half of a float: 1, -3, 2^-133 (subnormal), then ones.
        byte[] bf16 = new byte[2 * 19];
        int[] brains = {0x3F80, 0xC040, 0x0001};
        for (int i = 0; i < 19; i++) putShort(bf16, 2 * i, i < brains.length ? brains[i] : 0x3F80);
        float[] expectedBf = new float[19];
        java.util.Arrays.fill(expectedBf, 1f);
        expectedBf[1] = -3f;
        expectedBf[2] = 0x1p-133f;
        assertArrayEquals(expectedBf, run(which, GGMLType.BF16, bf16));
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void q8_0(String which) {
        byte[] b = new byte[34];
        putShort(b, 0, QUARTER);
        float[] expected = new float[32];
        for (int j = 0; j < 32; j++) {
            b[2 + j] = (byte) (j * 8 - 128);  // -128, -120, ..., 120
            expected[j] = (j * 8 - 128) / 4f;
        }
        assertArrayEquals(expected, run(which, GGMLType.Q8_0, b));
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void q4_0AndQ4_1(String which) {
        // Low nibble of byte j is element j, high nibble is element j + 16: not adjacent pairs.
        byte[] q40 = new byte[18];
        putShort(q40, 0, HALF);
        byte[] q41 = new byte[20];
        putShort(q41, 0, HALF);
        putShort(q41, 2, MINUS_ONE);
        float[] expected0 = new float[32];
        float[] expected1 = new float[32];
        for (int j = 0; j < 16; j++) {
            q40[2 + j] = (byte) (j | (15 - j) << 4);
            q41[4 + j] = (byte) (j | (15 - j) << 4);
            expected0[j] = (j - 8) * 0.5f;
            expected0[j + 16] = (7 - j) * 0.5f;
            expected1[j] = j * 0.5f - 1;
            expected1[j + 16] = (15 - j) * 0.5f - 1;
        }
        assertArrayEquals(expected0, run(which, GGMLType.Q4_0, q40));
        assertArrayEquals(expected1, run(which, GGMLType.Q4_1, q41));
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void q5_0AndQ5_1(String which) {
        // qh bit i is the fifth bit of element i. Pattern: elements 0-15 alternate starting with set,
        // elements 16-31 alternate starting with clear, so element i has it iff i is even below 16 / odd above.
        int qh = 0x5555 | 0xAAAA << 16;
        byte[] q50 = new byte[22];
        putShort(q50, 0, ONE);
        putInt(q50, 2, qh);
        byte[] q51 = new byte[24];
        putShort(q51, 0, HALF);
        putShort(q51, 2, MINUS_ONE);
        putInt(q51, 4, qh);
        float[] expected0 = new float[32];
        float[] expected1 = new float[32];
        for (int j = 0; j < 16; j++) {
            q50[6 + j] = (byte) (j | (15 - j) << 4);
            q51[8 + j] = (byte) (j | (15 - j) << 4);
            int low = j + (j % 2 == 0 ? 16 : 0);
            int high = (15 - j) + (j % 2 == 1 ? 16 : 0);
            expected0[j] = low - 16;
            expected0[j + 16] = high - 16;
            expected1[j] = low * 0.5f - 1;
            expected1[j + 16] = high * 0.5f - 1;
        }
        assertArrayEquals(expected0, run(which, GGMLType.Q5_0, q50));
        assertArrayEquals(expected1, run(which, GGMLType.Q5_1, q51));
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void q2_K(String which) {
        byte[] b = new byte[84];
        for (int j = 0; j < 16; j++) b[j] = (byte) (j | (15 - j) << 4);   // scale j, min 15 - j
        // 0xE4 = 11 10 01 00: the four elements sharing a byte (32 apart) get quants 0, 1, 2, 3.
        for (int i = 0; i < 64; i++) b[16 + i] = (byte) 0xE4;
        putShort(b, 80, ONE);      // d
        putShort(b, 82, HALF);     // dmin
        float[] expected = new float[256];
        for (int e = 0; e < 256; e++) {
            int sub = e / 16;
            int q = (e % 128) / 32;
            expected[e] = sub * q - 0.5f * (15 - sub);
        }
        assertArrayEquals(expected, run(which, GGMLType.Q2_K, b));
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void q3_K(String which) {
        byte[] b = new byte[110];
        // hmask: bit k of byte l belongs to element 32k + l; 0x55 sets it for k even, so odd 32-groups lose 4.
        for (int l = 0; l < 32; l++) b[l] = 0x55;
        for (int i = 0; i < 64; i++) b[32 + i] = (byte) 0xE4;
        // Six-bit stored scales u_j = 4j (scale 4j - 32): low nibbles in bytes 0-7, top two bits in bytes 8-11.
        for (int j = 0; j < 16; j++) {
            int u = 4 * j;
            if (j < 8) b[96 + j] |= (byte) (u & 15);
            else b[96 + j - 8] |= (byte) ((u & 15) << 4);
            b[96 + 8 + j % 4] |= (byte) ((u >> 4) << (2 * (j / 4)));
        }
        putShort(b, 108, HALF);
        float[] expected = new float[256];
        for (int e = 0; e < 256; e++) {
            int scale = 4 * (e / 16) - 32;
            int q2 = (e % 128) / 32;
            int q = (e / 32) % 2 == 0 ? q2 : q2 - 4;
            expected[e] = 0.5f * scale * q;
        }
        assertArrayEquals(expected, run(which, GGMLType.Q3_K, b));
    }

    /** Q4_K/Q5_K scale bytes for scales {@code sc[j]} and mins {@code m[j]}, following the documented byte map. */
    private static void packK4(byte[] b, int at, int[] sc, int[] m) {
        for (int j = 0; j < 4; j++) {
            b[at + j] = (byte) (sc[j] | (sc[j + 4] >> 4) << 6);
            b[at + 4 + j] = (byte) (m[j] | (m[j + 4] >> 4) << 6);
            b[at + 8 + j] = (byte) ((sc[j + 4] & 15) | (m[j + 4] & 15) << 4);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void q4_KAndQ5_K(String which) {
        int[] sc = {5, 12, 19, 26, 33, 40, 47, 63};
        int[] m = {63, 58, 53, 48, 43, 38, 17, 0};
        byte[] q4 = new byte[144];
        byte[] q5 = new byte[176];
        for (byte[] b : new byte[][]{q4, q5}) {
            putShort(b, 0, ONE);
            putShort(b, 2, QUARTER);
            packK4(b, 4, sc, m);
        }
        // Byte i of 64-element chunk k: low nibble is element 64k + i, high nibble element 64k + 32 + i.
        for (int i = 0; i < 128; i++) {
            q4[16 + i] = (byte) ((i % 16) | (15 - i % 16) << 4);
            q5[48 + i] = q4[16 + i];
        }
        for (int l = 0; l < 32; l++) q5[16 + l] = (byte) (l * 37);
        float[] expected4 = new float[256];
        float[] expected5 = new float[256];
        for (int e = 0; e < 256; e++) {
            int j = e / 32;
            int l = e % 32;
            int q = j % 2 == 0 ? l % 16 : 15 - l % 16;
            int high = ((l * 37) & 0xFF) >> j & 1;
            expected4[e] = sc[j] * q - 0.25f * m[j];
            expected5[e] = sc[j] * (q + 16 * high) - 0.25f * m[j];
        }
        assertArrayEquals(expected4, run(which, GGMLType.Q4_K, q4));
        assertArrayEquals(expected5, run(which, GGMLType.Q5_K, q5));
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void q6_K(String which) {
        byte[] b = new byte[210];
        // Each 128-element half: ql[0..31] low nibbles -> elements 0..31, ql[32..63] low -> 32..63,
        // ql[0..31] high -> 64..95, ql[32..63] high -> 96..127; qh byte l has the top bits of l, l+32, l+64, l+96.
        int[] q = new int[256];
        for (int e = 0; e < 256; e++) q[e] = (e * 29 + 7) % 64;   // stored value 0..63, quant q - 32
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int base = 128 * h + l;
                b[64 * h + l] = (byte) ((q[base] & 15) | (q[base + 64] & 15) << 4);
                b[64 * h + 32 + l] = (byte) ((q[base + 32] & 15) | (q[base + 96] & 15) << 4);
                b[128 + 32 * h + l] = (byte) (q[base] >> 4 | (q[base + 32] >> 4) << 2 | (q[base + 64] >> 4) << 4
                        | (q[base + 96] >> 4) << 6);
            }
        }
        for (int j = 0; j < 16; j++) b[192 + j] = (byte) ((j - 8) * 5);   // signed scales -40..35
        putShort(b, 208, EIGHTH);
        float[] expected = new float[256];
        for (int e = 0; e < 256; e++) expected[e] = 0.125f * ((e / 16 - 8) * 5) * (q[e] - 32);
        assertArrayEquals(expected, run(which, GGMLType.Q6_K, b));
    }
}
