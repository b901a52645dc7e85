package dev.amadeus.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static dev.amadeus.tensor.ScalarKernels.f16;
import static dev.amadeus.tensor.ScalarKernels.i8;
import static dev.amadeus.tensor.ScalarKernels.scaleMinK4;
import static dev.amadeus.tensor.ScalarKernels.scaleQ3K;
import static dev.amadeus.tensor.ScalarKernels.u8;
import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.B2F;
import static jdk.incubator.vector.VectorOperators.B2I;
import static jdk.incubator.vector.VectorOperators.B2S;
import static jdk.incubator.vector.VectorOperators.ZERO_EXTEND_B2S;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.L2I;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.OR;
import static jdk.incubator.vector.VectorOperators.S2I;

/**
 * Vector API kernels, written once for whatever float vector width the CPU prefers (4, 8 or 16 lanes).
 * Quants are unpacked in byte lanes ({@link #BYTES_PER_CHUNK} at a time), widened to float lanes
 * ({@link #PARTS} float vectors per byte chunk) and multiplied there. Products of two 8-bit quants,
 * summed over a block in a float lane, are small integers and therefore exact, so a block's sum equals
 * ggml's integer sum; only the scaling and the summation across blocks round differently from the
 * scalar code. Dequantization performs the scalar code's float operations in the same order and is
 * bit-identical.
 * <p>
 * Lanes are summed by halving ({@code slice}), never with {@code reduceLanes(ADD)}, whose order of
 * additions is unspecified and differs between the interpreter and compiled code: the same row must give
 * the same float every time, or batched and token-by-token evaluation would drift apart.
 * <p>
 * No method here passes vectors to or returns vectors from another method of ours. When C2 compiles
 * such a helper on its own first, it later refuses to inline it ("already compiled into a big method")
 * and every vector in the caller becomes a heap object, making the kernel slower than scalar code.
 * So vector code is written out in place, and long kernels are cut into methods that exchange only
 * primitives (one super-block or half of one at a time).
 */
final class VectorKernels implements TensorKernels {
    /**
     * Whether 512-bit vectors are native here. Then products of interleaved matrices take two chunks per step
     * (see {@link #dotQ8_0GroupWide}); on narrower CPUs 512-bit shapes would run emulated, far slower.
     */
    static final boolean WIDE_NATIVE = ShortVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    static final VectorKernels INSTANCE = new VectorKernels(WIDE_NATIVE);
    /** The kernels with 256-bit steps only, as on AVX2 CPUs, and with 512-bit ones: tests hold both to the reference. */
    static final VectorKernels NARROW = new VectorKernels(false);
    static final VectorKernels WIDE = new VectorKernels(true);

    private final boolean wide;

    /** At most 16 lanes so that a chunk never exceeds the 16 nibble bytes of a 32-element block. */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() > 16
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Byte vectors are at least 64 bits wide, so on narrow CPUs one byte chunk feeds several float vectors. */
    static final int BYTES_PER_CHUNK = Math.max(L, 8);
    static final int PARTS = BYTES_PER_CHUNK / L;
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(BYTES_PER_CHUNK * 8));
    static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final long CHUNK_LANE_BITS = (1L << BYTES_PER_CHUNK) - 1;
    /*
     * ggml's AVX2 kernels sum in eight float lanes; these fixed shapes reproduce that lane structure
     * whatever the CPU's preferred width.
     */
    static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
    static final VectorSpecies<Short> H8 = ShortVector.SPECIES_128;
    static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
    static final VectorSpecies<Integer> I4 = IntVector.SPECIES_128;
    static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;
    /** Lanes 4..7 of eight: the second 16 elements of a 32-element chunk. */
    private static final VectorMask<Integer> UPPER_HALF = VectorMask.fromLong(IntVector.SPECIES_256, 0xF0);
    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int C = BYTES_PER_CHUNK;

    private VectorKernels(boolean wide) {
        this.wide = wide;
    }

    @Override
    public String toString() {
        return wide ? "512-bit vector kernels" : "256-bit vector kernels";
    }

    @Override
    public boolean readsQuantFloats(GGMLType weightType, int activationRows) {
        // Prefill of Q8_0, Q4_K and Q6_K (see dotQ8_0Groups4x4Float, dotKGroups4x4Float).
        return wide && (weightType == GGMLType.Q8_0 || weightType == GGMLType.Q4_K || weightType == GGMLType.Q6_K)
                && activationRows >= 4;
    }

    @Override
    public boolean takesWholeBatch(GGMLType weightType, int activationRows) {
        // Q8_0 prefill widens each panel of weights to floats once for all the rows (dotInterleavedQ8_0Float).
        return readsQuantFloats(weightType, activationRows);
    }

    @Override
    public boolean readsPairQuads(GGMLType weightType, int activationRows) {
        // The 512-bit kernels decoding Q4_K and taking four rows of Q8_0 (dotQ8_0Group4Wide).
        return wide && (weightType == GGMLType.Q8_0 && activationRows >= 4 || weightType == GGMLType.Q4_K && activationRows == 1);
    }

    @Override
    public void dequantize(GGMLType type, MemorySegment s, long o, int count, float[] y, int yo) {
        switch (type) {
            case F32 -> MemorySegment.copy(s, ScalarKernels.FLOAT, o, y, yo, count);
            case F16, BF16 -> dequantizeHalf(type, s, o, count, y, yo);
            case Q8_0 -> dequantizeQ8_0(s, o, count / 32, y, yo);
            case Q4_0, Q4_1 -> dequantizeQ4_0OrQ4_1(type, s, o, count / 32, y, yo);
            case Q5_0, Q5_1 -> dequantizeQ5_0OrQ5_1(type, s, o, count / 32, y, yo);
            case Q2_K -> {
                for (int b = 0; b < count / 256; b++) dequantizeQ2_K(s, o + 84L * b, y, yo + 256 * b);
            }
            case Q3_K -> {
                for (int b = 0; b < count / 256; b++) dequantizeQ3_K(s, o + 110L * b, y, yo + 256 * b);
            }
            case Q4_K, Q5_K -> {
                for (int b = 0; b < count / 256; b++) {
                    dequantizeQ4_KOrQ5_K(type == GGMLType.Q5_K, s, o + (long) type.bytesPerBlock * b, y, yo + 256 * b);
                }
            }
            case Q6_K -> {
                for (int b = 0; b < count / 256; b++) dequantizeQ6_K(s, o + 210L * b, y, yo + 256 * b);
            }
            default -> throw new IllegalArgumentException("unsupported weight type " + type);
        }
    }

    private static void dequantizeHalf(GGMLType type, MemorySegment s, long o, int count, float[] y, int yo) {
        boolean f16 = type == GGMLType.F16;
        int i = 0;
        for (; i <= count - L; i += L) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H, s, o + 2L * i, LE).convertShape(S2I, I, 0);
            FloatVector v;
            if (f16) {
                // A half's exponent and mantissa moved into float position, the exponent rebiased by adding 112;
                // a subnormal half is its mantissa times 2^-24, converted from the integer; infinities and NaNs need
                // their exponent forced. (Scaling the moved bits by 2^112 did both at once, but a subnormal half is
                // then a subnormal float, and the CPU takes a slow microcode path for each multiplication by one:
                // Q8_0 and K-quant block scales of small weights are subnormal halves, and decoding such a matrix
                // ran at two thirds of the speed of the others. Q4_0's kernels keep the multiplication: their
                // scales are subnormal only for blocks of near-zero weights, and they sit at C2's inlining limits.)
                IntVector magnitude = h.and(0x7FFF);
                IntVector bits = magnitude.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitude.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitude.compare(LT, 0x400))
                        .lanewise(OR, 0x7F800000, magnitude.compare(GE, 0x7C00))
                        .or(h.and(0x8000).lanewise(LSHL, 16));
                v = bits.reinterpretAsFloats();
            } else {
                v = h.lanewise(LSHL, 16).reinterpretAsFloats();
            }
            v.intoArray(y, yo + i);
        }
        if (i < count) ScalarKernels.INSTANCE.dequantize(type, s, o + 2L * i, count - i, y, yo + i);
    }

    private static void dequantizeQ8_0(MemorySegment s, long o, int blocks, float[] y, int yo) {
        for (int b = 0; b < blocks; b++, o += 34, yo += 32) {
            float d = f16(s, o);
            for (int c = 0; c < 32; c += C) {
                ByteVector q = ByteVector.fromMemorySegment(B, s, o + 2 + c, LE);
                for (int p = 0; p < PARTS; p++) ((FloatVector) q.convertShape(B2F, F, p)).mul(d).intoArray(y, yo + c + p * L);
            }
        }
    }

    private static void dequantizeQ4_0OrQ4_1(GGMLType type, MemorySegment s, long o, int blocks, float[] y, int yo) {
        boolean withMin = type == GGMLType.Q4_1;
        int quantsAt = withMin ? 4 : 2;
        byte offset = (byte) (withMin ? 0 : 8);
        for (int b = 0; b < blocks; b++, o += type.bytesPerBlock, yo += 32) {
            float d = f16(s, o);
            float m = withMin ? f16(s, o + 2) : 0;
            for (int c = 0; c < 16; c += C) {
                ByteVector raw = ByteVector.fromMemorySegment(B, s, o + quantsAt + c, LE);
                ByteVector lo = raw.and((byte) 0xF).sub(offset);
                ByteVector hi = raw.lanewise(LSHR, 4).sub(offset);
                for (int p = 0; p < PARTS; p++) {
                    FloatVector vl = ((FloatVector) lo.convertShape(B2F, F, p)).mul(d);
                    FloatVector vh = ((FloatVector) hi.convertShape(B2F, F, p)).mul(d);
                    if (withMin) {
                        vl = vl.add(m);
                        vh = vh.add(m);
                    }
                    vl.intoArray(y, yo + c + p * L);
                    vh.intoArray(y, yo + 16 + c + p * L);
                }
            }
        }
    }

    private static void dequantizeQ5_0OrQ5_1(GGMLType type, MemorySegment s, long o, int blocks, float[] y, int yo) {
        boolean withMin = type == GGMLType.Q5_1;
        int qhAt = withMin ? 4 : 2;
        byte offset = (byte) (withMin ? 0 : 16);
        for (int b = 0; b < blocks; b++, o += type.bytesPerBlock, yo += 32) {
            float d = f16(s, o);
            float m = withMin ? f16(s, o + 2) : 0;
            int qh = s.get(ScalarKernels.INT, o + qhAt);
            for (int c = 0; c < 16; c += C) {
                ByteVector raw = ByteVector.fromMemorySegment(B, s, o + qhAt + 4 + c, LE);
                ByteVector lo = raw.and((byte) 0xF)
                        .lanewise(OR, (byte) 0x10, VectorMask.fromLong(B, (qh >>> c) & CHUNK_LANE_BITS)).sub(offset);
                ByteVector hi = raw.lanewise(LSHR, 4)
                        .lanewise(OR, (byte) 0x10, VectorMask.fromLong(B, (qh >>> (16 + c)) & CHUNK_LANE_BITS)).sub(offset);
                for (int p = 0; p < PARTS; p++) {
                    FloatVector vl = ((FloatVector) lo.convertShape(B2F, F, p)).mul(d);
                    FloatVector vh = ((FloatVector) hi.convertShape(B2F, F, p)).mul(d);
                    if (withMin) {
                        vl = vl.add(m);
                        vh = vh.add(m);
                    }
                    vl.intoArray(y, yo + c + p * L);
                    vh.intoArray(y, yo + 16 + c + p * L);
                }
            }
        }
    }

    private static void dequantizeQ2_K(MemorySegment s, long o, float[] y, int yo) {
        float d = f16(s, o + 80);
        float min = f16(s, o + 82);
        for (int e = 0; e < 256; e += C) {
            int sc = u8(s, o + e / 16);
            float dl = d * (sc & 0xF);
            float ml = min * (sc >> 4);
            ByteVector q = ByteVector.fromMemorySegment(B, s, o + 16 + 32 * (e / 128) + e % 32, LE)
                    .lanewise(LSHR, 2 * ((e % 128) / 32)).and((byte) 3);
            for (int p = 0; p < PARTS; p++) {
                ((FloatVector) q.convertShape(B2F, F, p)).mul(dl).sub(ml).intoArray(y, yo + e + p * L);
            }
        }
    }

    private static void dequantizeQ3_K(MemorySegment s, long o, float[] y, int yo) {
        float d = f16(s, o + 108);
        for (int e = 0; e < 256; e += C) {
            float dl = d * scaleQ3K(s, o + 96, e / 16);
            ByteVector q2 = ByteVector.fromMemorySegment(B, s, o + 32 + 32 * (e / 128) + e % 32, LE)
                    .lanewise(LSHR, 2 * ((e % 128) / 32)).and((byte) 3);
            ByteVector high = ByteVector.fromMemorySegment(B, s, o + e % 32, LE).lanewise(LSHR, e / 32).and((byte) 1);
            ByteVector q = q2.add(high.lanewise(LSHL, 2)).sub((byte) 4);
            for (int p = 0; p < PARTS; p++) {
                ((FloatVector) q.convertShape(B2F, F, p)).mul(dl).intoArray(y, yo + e + p * L);
            }
        }
    }

    private static void dequantizeQ4_KOrQ5_K(boolean five, MemorySegment s, long o, float[] y, int yo) {
        float d = f16(s, o);
        float min = f16(s, o + 2);
        long qs = o + (five ? 48 : 16);
        for (int j = 0; j < 8; j++) {
            int scMin = scaleMinK4(s, o + 4, j);
            float dl = d * (scMin & 0xFF);
            float ml = min * (scMin >> 8);
            for (int l = 0; l < 32; l += C) {
                ByteVector q = ByteVector.fromMemorySegment(B, s, qs + 32 * (j / 2) + l, LE).lanewise(LSHR, 4 * (j % 2)).and((byte) 15);
                if (five) {
                    ByteVector high = ByteVector.fromMemorySegment(B, s, o + 16 + l, LE).lanewise(LSHR, j).and((byte) 1);
                    q = q.or(high.lanewise(LSHL, 4));
                }
                for (int p = 0; p < PARTS; p++) {
                    ((FloatVector) q.convertShape(B2F, F, p)).mul(dl).sub(ml).intoArray(y, yo + 32 * j + l + p * L);
                }
            }
        }
    }

    private static void dequantizeQ6_K(MemorySegment s, long o, float[] y, int yo) {
        float d = f16(s, o + 208);
        for (int e = 0; e < 256; e += C) {
            int h = e / 128;
            int g = (e % 128) / 32;
            int l = e % 32;
            ByteVector low4 = ByteVector.fromMemorySegment(B, s, o + 64 * h + 32 * (g & 1) + l, LE).lanewise(LSHR, 4 * (g >> 1)).and((byte) 15);
            ByteVector high2 = ByteVector.fromMemorySegment(B, s, o + 128 + 32 * h + l, LE).lanewise(LSHR, 2 * g).and((byte) 3);
            ByteVector q = low4.or(high2.lanewise(LSHL, 4)).sub((byte) 32);
            float dl = d * i8(s, o + 192 + e / 16);
            for (int p = 0; p < PARTS; p++) {
                ((FloatVector) q.convertShape(B2F, F, p)).mul(dl).intoArray(y, yo + e + p * L);
            }
        }
    }

    @Override
    public float dot(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count, int matrixRows) {
        return switch (type) {
            case F32, F16, BF16 -> matrixRows % 4 == 0 && count % 8 == 0 ? dotTiled(type, s, o, x.values, xo, count)
                    : vecDotFloat(type, s, o, x, xo, count);
            case Q8_0 -> dotQ8_0(s, o, x.evenOdd, x.scales, xo, count / 32);
            case Q4_0 -> dotQ4_0(s, o, x.wide, x.scales, xo, count / 32);
            case Q4_1 -> dotQ4_0OrQ4_1(type, s, o, x, xo, count / 32);
            case Q5_0, Q5_1 -> dotQ5_0OrQ5_1(type, s, o, x, xo, count / 32);
            case Q4_K -> dotQ4_K(s, o, x, xo, count / 256);
            case Q6_K -> dotQ6_K(s, o, x, xo, count / 256);
            case Q2_K, Q3_K, Q5_K -> ScalarKernels.dotK(type, s, o, x, xo, count, VectorKernels::superBlockLanes);
            default -> throw new IllegalArgumentException("unsupported weight type " + type);
        };
    }

    @Override
    public void dotTile(GGMLType type, MemorySegment s, long o, long rowBytes, int rows, int matrixRows,
                        Activations x, int xRow, int xRows, float[] out, int outOffset, int outStride) {
        // One small method per kind of kernel, each compiled with its own profile: a model mixes weight types,
        // and one method serving them all gets compiled for whichever came first.
        int done = switch (type) {
            case Q8_0 -> tileQ8_0(s, o, rowBytes, rows, x, xRow, xRows, out, outOffset, outStride);
            case F32, F16, BF16 -> matrixRows % 4 == 0 && x.cols % 8 == 0 && xRows >= 2
                    ? tileFloat(type, s, o, rowBytes, rows, x, xRow, xRows, out, outOffset, outStride) : 0;
            case Q4_0 -> tileQ4_0(s, o, rowBytes, rows, x, xRow, xRows, out, outOffset, outStride);
            default -> 0;
        };
        tileRest(type, s, o, rowBytes, done, rows, matrixRows, x, xRow, xRows, out, outOffset, outStride);
    }

    /** Rows {@code first..rows} of a tile, one output at a time. */
    private void tileRest(GGMLType type, MemorySegment s, long o, long rowBytes, int first, int rows, int matrixRows,
                          Activations x, int xRow, int xRows, float[] out, int outOffset, int outStride) {
        int cols = x.cols;
        for (int r = first; r < rows; r++) {
            for (int b = 0; b < xRows; b++) {
                out[outOffset + b * outStride + r] = dot(type, s, o + r * rowBytes, x, (xRow + b) * cols, cols, matrixRows);
            }
        }
    }

    @Override
    public void dotInterleaved(GGMLType type, MemorySegment s, long o, int groups, int firstCol, int panelCols,
                               Activations x, int xRow, int xRows, float[] out, int outOffset, int outStride) {
        if (type == GGMLType.Q8_0) {
            dotInterleavedQ8_0(s, o, groups, firstCol, panelCols, x, xRow, xRows, out, outOffset, outStride);
            return;
        }
        if (firstCol != 0 || panelCols != x.cols) throw new IllegalArgumentException("no panels in the interleaved layout of " + type);
        if (type == GGMLType.Q4_0) {
            dotInterleavedQ4_0(s, o, groups, x, xRow, xRows, out, outOffset, outStride);
            return;
        }
        if ((type == GGMLType.Q4_K || type == GGMLType.Q6_K) && wide && groups >= 4 && xRows >= 4) {
            dotInterleavedKFloat(type, s, o, groups, x, xRow, xRows, out, outOffset, outStride);
            return;
        }
        dotInterleavedK(type, s, o, groups, x, xRow, xRows, out, outOffset, outStride);
    }

    /** Q4_K and Q6_K groups in 16-bit integer lanes, four activation rows at a time while there are four. */
    private void dotInterleavedK(GGMLType type, MemorySegment s, long o, int groups, Activations x, int xRow, int xRows,
                                 float[] out, int outOffset, int outStride) {
        boolean q4k = type == GGMLType.Q4_K;
        if (!q4k && type != GGMLType.Q6_K) throw new IllegalArgumentException("no interleaved layout for " + type);
        int cols = x.cols;
        long groupBytes = RowInterleaving.groupBytes(type, cols);
        for (int g = 0; g < groups; g++, o += groupBytes) {
            int outAt = outOffset + RowInterleaving.ROWS * g;
            int b = 0;
            if (q4k) {
                for (; b + 4 <= xRows; b += 4) {
                    dotQ4_KGroup4(s, o, x.pairs, x.groupSums, x.scales, (xRow + b) * cols, cols, cols / 256, out, outAt + b * outStride, outStride);
                }
                if (wide && x.rows == 1) {
                    dotQ4_KGroupWide(s, o, x.pairQuads, x.groupSums, x.scales, 0, cols / 256, out, outAt);
                    continue;
                }
                for (; b < xRows; b++) dotQ4_KGroup(s, o, x.pairs, x.groupSums, x.scales, (xRow + b) * cols, cols / 256, out, outAt + b * outStride);
                continue;
            }
            for (; b + 4 <= xRows; b += 4) {
                dotQ6_KGroup4(s, o, x.pairs, x.scales, (xRow + b) * cols, cols, cols / 256, out, outAt + b * outStride, outStride);
            }
            if (wide && x.rows == 1) {
                dotQ6_KGroupWide(s, o, x.pairs, x.scales, cols / 256, out, outAt);
                continue;
            }
            for (; b < xRows; b++) dotQ6_KGroup(s, o, x.pairs, x.scales, (xRow + b) * cols, cols / 256, out, outAt + b * outStride);
        }
    }

    /**
     * Q4_K and Q6_K prefill in float arithmetic ({@link #dotKGroups4x4Float}) over runs of four neighbouring groups,
     * four activation rows at a time, as {@link #dotInterleavedQ8_0Float} does for Q8_0: panels of up to
     * {@value #K_PANEL_SUPER_BLOCKS} super-blocks of every run are widened to floats (266 or 257 KiB per run and
     * panel), then applied to all the call's activation rows. Q4_K's minimum terms are summed apart, in a buffer,
     * and subtracted at the end, as the integer kernels do. The last one to three activation rows and the groups
     * beyond the last run of four go the integer way.
     */
    private void dotInterleavedKFloat(GGMLType type, MemorySegment s, long o, int groups, Activations x, int xRow, int xRows,
                                      float[] out, int outOffset, int outStride) {
        boolean q4k = type == GGMLType.Q4_K;
        int cols = x.cols, superBlocks = cols / 256;
        long groupBytes = RowInterleaving.groupBytes(type, cols);
        int runs = groups / 4, fours = xRows / 4 * 4;
        int header = q4k ? Q4_K_WIDENED_HEADER : Q6_K_WIDENED_HEADER, superBlockFloats = header + 256 * 32;
        int runFloats = Math.min(superBlocks, K_PANEL_SUPER_BLOCKS) * superBlockFloats;
        float[] widened = WIDENED_PANEL.get();
        if (widened.length < runs * runFloats) {
            widened = new float[runs * runFloats];
            WIDENED_PANEL.set(widened);
        }
        float[] mins = null;
        if (q4k) {
            mins = MINIMUM_SUMS.get();
            if (mins.length < fours * runs * 32) {
                mins = new float[fours * runs * 32];
                MINIMUM_SUMS.set(mins);
            }
        }
        for (int sb0 = 0; sb0 < superBlocks; sb0 += K_PANEL_SUPER_BLOCKS) {
            int n = Math.min(K_PANEL_SUPER_BLOCKS, superBlocks - sb0);
            long at = o + sb0 * RowInterleaving.groupBlockBytes(type);
            for (int run = 0; run < runs; run++) {
                if (q4k) widenQ4_KGroups4(s, at + 4 * run * groupBytes, groupBytes, n, widened, run * runFloats);
                else widenQ6_KGroups4(s, at + 4 * run * groupBytes, groupBytes, n, widened, run * runFloats);
            }
            for (int b = 0; b < fours; b += 4) {
                for (int run = 0; run < runs; run++) {
                    dotKGroups4x4Float(widened, run * runFloats, header, x.quantFloats, x.groupSums, x.scales,
                            (xRow + b) * cols + 256 * sb0, cols, n, sb0 > 0, out, outOffset + 4 * RowInterleaving.ROWS * run + b * outStride,
                            outStride, mins, (b / 4 * runs + run) * 128);
                }
            }
        }
        if (q4k) {
            for (int b = 0; b < fours; b += 4) {
                for (int run = 0; run < runs; run++) {
                    for (int r = 0; r < 4; r++) {
                        int at = outOffset + 4 * RowInterleaving.ROWS * run + (b + r) * outStride, m = (b / 4 * runs + run) * 128 + 32 * r;
                        FloatVector.fromArray(F16, out, at).sub(FloatVector.fromArray(F16, mins, m)).intoArray(out, at);
                        FloatVector.fromArray(F16, out, at + 16).sub(FloatVector.fromArray(F16, mins, m + 16)).intoArray(out, at + 16);
                    }
                }
            }
        }
        for (int g = 0; g < 4 * runs; g++) {
            for (int b = fours; b < xRows; b++) {
                int outAt = outOffset + RowInterleaving.ROWS * g + b * outStride;
                if (q4k) dotQ4_KGroup(s, o + g * groupBytes, x.pairs, x.groupSums, x.scales, (xRow + b) * cols, superBlocks, out, outAt);
                else dotQ6_KGroup(s, o + g * groupBytes, x.pairs, x.scales, (xRow + b) * cols, superBlocks, out, outAt);
            }
        }
        if (groups > 4 * runs) {
            dotInterleavedK(type, s, o + 4 * runs * groupBytes, groups - 4 * runs, x, xRow, xRows, out,
                    outOffset + 4 * RowInterleaving.ROWS * runs, outStride);
        }
    }

    /** Interleaved Q8_0 over the panel of columns {@code firstCol .. firstCol + panelCols}. */
    private void dotInterleavedQ8_0(MemorySegment s, long o, int groups, int firstCol, int panelCols, Activations x,
                                    int xRow, int xRows, float[] out, int outOffset, int outStride) {
        if (wide && groups >= 4 && xRows >= 4) {
            dotInterleavedQ8_0Float(s, o, groups, firstCol, panelCols, x, xRow, xRows, out, outOffset, outStride);
            return;
        }
        dotInterleavedQ8_0Integer(s, o, groups, firstCol, panelCols, x, xRow, xRows, out, outOffset, outStride);
    }

    /** {@link #dotInterleavedQ8_0} in 16-bit integer lanes. */
    private void dotInterleavedQ8_0Integer(MemorySegment s, long o, int groups, int firstCol, int panelCols, Activations x,
                                           int xRow, int xRows, float[] out, int outOffset, int outStride) {
        int cols = x.cols;
        int blocks = panelCols / 32;
        boolean resume = firstCol > 0;
        long groupBytes = RowInterleaving.groupBytes(GGMLType.Q8_0, panelCols);
        for (int g = 0; g < groups; g++, o += groupBytes) {
            int outAt = outOffset + RowInterleaving.ROWS * g;
            int b = 0;
            for (; b + 4 <= xRows; b += 4) {
                int xo = (xRow + b) * cols + firstCol;
                if (wide) dotQ8_0Group4Wide(s, o, x.pairQuads, x.scales, xo, cols, blocks, resume, out, outAt + b * outStride, outStride);
                else dotQ8_0Group4(s, o, x.pairs, x.scales, xo, cols, blocks, resume, out, outAt + b * outStride, outStride);
            }
            if (wide && x.rows == 1) {
                dotQ8_0GroupWide(s, o, x.pairs, x.scales, firstCol / 32, blocks, out, outAt);
                continue;
            }
            for (; b < xRows; b++) {
                dotQ8_0Group(s, o, x.pairs, x.scales, (xRow + b) * cols + firstCol, blocks, resume, out, outAt + b * outStride);
            }
        }
    }

    /**
     * Q8_0 prefill in float arithmetic ({@link #dotQ8_0Groups4x4Float}) over runs of four neighbouring groups, four
     * activation rows at a time, over one panel of columns. Each run's panel of weights is first widened to floats
     * ({@link #widenQ8_0Groups4}, 264 KiB for 64 blocks, kept in the second-level cache) and then applied to all the
     * call's activation rows, which {@link #takesWholeBatch} asks for: the kernel's loop then has only loads and fused
     * multiply-adds. The last one to three activation rows and groups beyond the last run of four go the integer
     * way.
     */
    private void dotInterleavedQ8_0Float(MemorySegment s, long o, int groups, int firstCol, int panelCols, Activations x,
                                         int xRow, int xRows, float[] out, int outOffset, int outStride) {
        int cols = x.cols;
        int blocks = panelCols / 32;
        boolean resume = firstCol > 0;
        long groupBytes = RowInterleaving.groupBytes(GGMLType.Q8_0, panelCols);
        int runs = groups / 4, fours = xRows / 4 * 4, runFloats = blocks * WIDENED_BLOCK;
        float[] widened = WIDENED_PANEL.get();
        if (widened.length < runs * runFloats) {
            widened = new float[runs * runFloats];
            WIDENED_PANEL.set(widened);
        }
        for (int run = 0; run < runs; run++) widenQ8_0Groups4(s, o + 4 * run * groupBytes, groupBytes, blocks, widened, run * runFloats);
        for (int b = 0; b < fours; b += 4) {
            for (int run = 0; run < runs; run++) {
                dotQ8_0Groups4x4Float(widened, run * runFloats, x.quantFloats, x.scales, (xRow + b) * cols + firstCol, cols,
                        blocks, resume, out, outOffset + 4 * RowInterleaving.ROWS * run + b * outStride, outStride);
            }
        }
        for (int g = 0; g < 4 * runs; g++) {
            for (int b = fours; b < xRows; b++) {
                dotQ8_0Group(s, o + g * groupBytes, x.pairs, x.scales, (xRow + b) * cols + firstCol, blocks, resume, out,
                        outOffset + RowInterleaving.ROWS * g + b * outStride);
            }
        }
        if (groups > 4 * runs) {
            dotInterleavedQ8_0Integer(s, o + 4 * runs * groupBytes, groups - 4 * runs, firstCol, panelCols, x, xRow, xRows,
                    out, outOffset + 4 * RowInterleaving.ROWS * runs, outStride);
        }
    }

    /** Q4_0 groups of 32 rows (see {@link #dotQ4_0Rows}), four activation rows at a time while there are four. */
    private static void dotInterleavedQ4_0(MemorySegment s, long o, int groups, Activations x, int xRow, int xRows,
                                           float[] out, int outOffset, int outStride) {
        int cols = x.cols;
        int blocks = cols / 32;
        long groupBytes = RowInterleaving.groupBytes(GGMLType.Q4_0, cols);
        for (int g = 0; g < groups; g++, o += groupBytes) {
            int outAt = outOffset + RowInterleaving.Q4_0_ROWS * g;
            int b = 0;
            if (Q4_PARTS == 1 && g + 1 < groups) {
                for (; b + 4 <= xRows; b += 4) {
                    dotQ4_0Rows4x2(s, o, groupBytes, x.wide, x.quantSums, x.scales, (xRow + b) * cols, cols, blocks, out, outAt + b * outStride, outStride);
                }
                for (; b < xRows; b++) {
                    dotQ4_0Rows(s, o, x.wide, x.quantSums, x.scales, (xRow + b) * cols, blocks, out, outAt + b * outStride);
                    dotQ4_0Rows(s, o + groupBytes, x.wide, x.quantSums, x.scales, (xRow + b) * cols, blocks, out, outAt + RowInterleaving.Q4_0_ROWS + b * outStride);
                }
                g++;
                o += groupBytes;
                continue;
            }
            for (; b + 4 <= xRows; b += 4) {
                dotQ4_0Rows4(s, o, x.wide, x.quantSums, x.scales, (xRow + b) * cols, cols, blocks, out, outAt + b * outStride, outStride);
            }
            for (; b < xRows; b++) {
                dotQ4_0Rows(s, o, x.wide, x.quantSums, x.scales, (xRow + b) * cols, blocks, out, outAt + b * outStride);
            }
        }
    }

    /*
     * Row-interleaved Q4_0 (see RowInterleaving): 16-bit lane j of a chunk holds one row's weights for two elements
     * (low and high nibble), multiplied by one broadcast activation quant each; so a 512-bit vector works on 32
     * rows at once and no lane ever needs adding to another. Each of the four 16-bit sums (low and high nibbles,
     * even and odd chunks) takes eight products, at most 8 * 15 * 127 in magnitude, so two of them still fit in
     * 16 bits. At the end of a block one shift each splits the 32-bit lanes into row k's and row k + 16's sums,
     * which are widened, less 8 times the activations' block sum (the nibbles' offset), converted and
     * multiply-added with the rows' scales times the activations' scale. Narrower vectors take the 32 rows in
     * parts, each a pass over the group's blocks.
     */

    /** Short lanes per Q4_0 step: all 32 rows of a group with 512-bit vectors, part of them with narrower ones. */
    private static final VectorSpecies<Short> Q4_S = ShortVector.SPECIES_PREFERRED.length() >= RowInterleaving.Q4_0_ROWS
            ? ShortVector.SPECIES_512 : ShortVector.SPECIES_PREFERRED;
    private static final int Q4_LANES = Q4_S.length();
    private static final int Q4_PARTS = RowInterleaving.Q4_0_ROWS / Q4_LANES;
    private static final VectorSpecies<Byte> Q4_B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Q4_LANES * 8));
    private static final VectorSpecies<Integer> Q4_I = VectorSpecies.of(int.class, Q4_S.vectorShape());
    private static final VectorSpecies<Float> Q4_F = VectorSpecies.of(float.class, Q4_S.vectorShape());
    /** Bytes of a Q4_0 group block's scales, and of each of its 16 chunks. */
    private static final int Q4_SCALE_BYTES = 2 * RowInterleaving.Q4_0_ROWS, Q4_CHUNK_BYTES = RowInterleaving.Q4_0_ROWS;

    /** One activation row ({@code xo} in {@code xw}, the quants as shorts) times a Q4_0 group of 32 rows. */
    private static void dotQ4_0Rows(MemorySegment s, long o, short[] xw, int[] xsum, float[] xs, int xo, int blocks,
                                    float[] out, int outAt) {
        long blockBytes = RowInterleaving.groupBlockBytes(GGMLType.Q4_0);
        for (int p = 0; p < Q4_PARTS; p++) {
            FloatVector even = FloatVector.zero(Q4_F), odd = even;
            // Even and odd chunks in separate sums: shorter chains of dependent additions.
            ShortVector lo = ShortVector.zero(Q4_S), hi = lo, lo2 = lo, hi2 = lo;
            // One loop over all the blocks' chunks, four at a time, the block's end handled inside it: a loop of a
            // few steps per block cost C2's set-up of its pre- and post-loops (range checks) at every block. Four
            // chunks a step ran 1-3% faster than two (tokens alternating in one process, identical logits). The
            // block's 16 written out (3.5-4.7% faster than two a step) took C2 five times as long to compile, which
            // delayed the first token after a load by 0.2-0.4 s.
            for (int c = 0; c < 16 * blocks; c += 4) {
                int t = c & 15, e = xo + 2 * (c & ~15);
                long at = o + (c >>> 4) * blockBytes;
                long q = at + Q4_SCALE_BYTES + Q4_LANES * p + (long) Q4_CHUNK_BYTES * t;
                ShortVector raw = (ShortVector) ByteVector.fromMemorySegment(Q4_B, s, q, LE).convertShape(ZERO_EXTEND_B2S, Q4_S, 0);
                lo = lo.add(raw.and((short) 0xF).mul(xw[e + t]));
                hi = hi.add(raw.lanewise(LSHR, 4).mul(xw[e + t + 16]));
                raw = (ShortVector) ByteVector.fromMemorySegment(Q4_B, s, q + Q4_CHUNK_BYTES, LE).convertShape(ZERO_EXTEND_B2S, Q4_S, 0);
                lo2 = lo2.add(raw.and((short) 0xF).mul(xw[e + t + 1]));
                hi2 = hi2.add(raw.lanewise(LSHR, 4).mul(xw[e + t + 17]));
                raw = (ShortVector) ByteVector.fromMemorySegment(Q4_B, s, q + 2 * Q4_CHUNK_BYTES, LE).convertShape(ZERO_EXTEND_B2S, Q4_S, 0);
                lo = lo.add(raw.and((short) 0xF).mul(xw[e + t + 2]));
                hi = hi.add(raw.lanewise(LSHR, 4).mul(xw[e + t + 18]));
                raw = (ShortVector) ByteVector.fromMemorySegment(Q4_B, s, q + 3 * Q4_CHUNK_BYTES, LE).convertShape(ZERO_EXTEND_B2S, Q4_S, 0);
                lo2 = lo2.add(raw.and((short) 0xF).mul(xw[e + t + 3]));
                hi2 = hi2.add(raw.lanewise(LSHR, 4).mul(xw[e + t + 19]));
                if (t != 12) continue;
                IntVector low = lo.add(lo2).reinterpretAsInts(), high = hi.add(hi2).reinterpretAsInts();
                lo = ShortVector.zero(Q4_S);
                hi = lo;
                lo2 = lo;
                hi2 = lo;
                int offset = 8 * xsum[e / 32];
                IntVector sumEven = low.lanewise(LSHL, 16).lanewise(ASHR, 16).add(high.lanewise(LSHL, 16).lanewise(ASHR, 16)).sub(offset);
                IntVector sumOdd = low.lanewise(ASHR, 16).add(high.lanewise(ASHR, 16)).sub(offset);
                // The rows' f16 scales, converted exactly (as Float.float16ToFloat) in 32-bit lanes.
                IntVector scales = IntVector.fromMemorySegment(Q4_I, s, at + 2L * Q4_LANES * p, LE), oddScales = scales.lanewise(LSHR, 16);
                IntVector dEvenM = scales.and(0x7FFF);
                FloatVector dEven = dEvenM.lanewise(LSHL, 13).reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                        .lanewise(OR, 0x7F800000, dEvenM.compare(GE, 0x7C00))
                        .or(scales.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
                IntVector dOddM = oddScales.and(0x7FFF);
                FloatVector dOdd = dOddM.lanewise(LSHL, 13).reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                        .lanewise(OR, 0x7F800000, dOddM.compare(GE, 0x7C00))
                        .or(oddScales.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
                float dx = xs[e / 32];
                even = ((FloatVector) sumEven.convert(I2F, 0)).fma(dEven.mul(dx), even);
                odd = ((FloatVector) sumOdd.convert(I2F, 0)).fma(dOdd.mul(dx), odd);
            }
            even.intoArray(out, outAt + Q4_LANES / 2 * p);
            odd.intoArray(out, outAt + RowInterleaving.Q4_0_ROWS / 2 + Q4_LANES / 2 * p);
        }
    }

    /**
     * {@link #dotQ4_0Rows} for four activation rows ({@code cols} apart), each widened chunk used by all four. Each
     * row's low and high sums take all 16 chunks: 16 products, at most 16 * 15 * 127, still within 16 bits.
     */
    private static void dotQ4_0Rows4(MemorySegment s, long o, short[] xw, int[] xsum, float[] xs, int xo, int cols, int blocks,
                                     float[] out, int outAt, int outStride) {
        for (int p = 0; p < Q4_PARTS; p++) {
            FloatVector even0 = FloatVector.zero(Q4_F), odd0 = even0, even1 = even0, odd1 = even0,
                    even2 = even0, odd2 = even0, even3 = even0, odd3 = even0;
            long at = o;
            for (int blk = 0; blk < blocks; blk++, at += RowInterleaving.groupBlockBytes(GGMLType.Q4_0)) {
                int e0 = xo + 32 * blk, e1 = e0 + cols, e2 = e1 + cols, e3 = e2 + cols;
                ShortVector lo0 = ShortVector.zero(Q4_S), hi0 = lo0, lo1 = lo0, hi1 = lo0, lo2 = lo0, hi2 = lo0, lo3 = lo0, hi3 = lo0;
                long q = at + Q4_SCALE_BYTES + Q4_LANES * p;
                for (int t = 0; t < 16; t++) {
                    ShortVector raw = (ShortVector) ByteVector.fromMemorySegment(Q4_B, s, q + Q4_CHUNK_BYTES * t, LE).convertShape(ZERO_EXTEND_B2S, Q4_S, 0);
                    ShortVector lo = raw.and((short) 0xF), hi = raw.lanewise(LSHR, 4);
                    lo0 = lo0.add(lo.mul(xw[e0 + t]));
                    hi0 = hi0.add(hi.mul(xw[e0 + t + 16]));
                    lo1 = lo1.add(lo.mul(xw[e1 + t]));
                    hi1 = hi1.add(hi.mul(xw[e1 + t + 16]));
                    lo2 = lo2.add(lo.mul(xw[e2 + t]));
                    hi2 = hi2.add(hi.mul(xw[e2 + t + 16]));
                    lo3 = lo3.add(lo.mul(xw[e3 + t]));
                    hi3 = hi3.add(hi.mul(xw[e3 + t + 16]));
                }
                IntVector scales = IntVector.fromMemorySegment(Q4_I, s, at + 2L * Q4_LANES * p, LE), oddScales = scales.lanewise(LSHR, 16);
                IntVector dEvenM = scales.and(0x7FFF);
                FloatVector dEven = dEvenM.lanewise(LSHL, 13).reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                        .lanewise(OR, 0x7F800000, dEvenM.compare(GE, 0x7C00))
                        .or(scales.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
                IntVector dOddM = oddScales.and(0x7FFF);
                FloatVector dOdd = dOddM.lanewise(LSHL, 13).reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                        .lanewise(OR, 0x7F800000, dOddM.compare(GE, 0x7C00))
                        .or(oddScales.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
                // Each row's epilogue written out: as a helper method (and the f16 conversion above as one), C2 gave
                // up inlining it at its node-count cutoff, and then every vector of the call was allocated.
                IntVector low0 = lo0.reinterpretAsInts(), high0 = hi0.reinterpretAsInts();
                int offset0 = 8 * xsum[e0 / 32];
                float dx0 = xs[e0 / 32];
                even0 = ((FloatVector) low0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(high0.lanewise(LSHL, 16).lanewise(ASHR, 16))
                        .sub(offset0).convert(I2F, 0)).fma(dEven.mul(dx0), even0);
                odd0 = ((FloatVector) low0.lanewise(ASHR, 16).add(high0.lanewise(ASHR, 16))
                        .sub(offset0).convert(I2F, 0)).fma(dOdd.mul(dx0), odd0);
                IntVector low1 = lo1.reinterpretAsInts(), high1 = hi1.reinterpretAsInts();
                int offset1 = 8 * xsum[e1 / 32];
                float dx1 = xs[e1 / 32];
                even1 = ((FloatVector) low1.lanewise(LSHL, 16).lanewise(ASHR, 16).add(high1.lanewise(LSHL, 16).lanewise(ASHR, 16))
                        .sub(offset1).convert(I2F, 0)).fma(dEven.mul(dx1), even1);
                odd1 = ((FloatVector) low1.lanewise(ASHR, 16).add(high1.lanewise(ASHR, 16))
                        .sub(offset1).convert(I2F, 0)).fma(dOdd.mul(dx1), odd1);
                IntVector low2 = lo2.reinterpretAsInts(), high2 = hi2.reinterpretAsInts();
                int offset2 = 8 * xsum[e2 / 32];
                float dx2 = xs[e2 / 32];
                even2 = ((FloatVector) low2.lanewise(LSHL, 16).lanewise(ASHR, 16).add(high2.lanewise(LSHL, 16).lanewise(ASHR, 16))
                        .sub(offset2).convert(I2F, 0)).fma(dEven.mul(dx2), even2);
                odd2 = ((FloatVector) low2.lanewise(ASHR, 16).add(high2.lanewise(ASHR, 16))
                        .sub(offset2).convert(I2F, 0)).fma(dOdd.mul(dx2), odd2);
                IntVector low3 = lo3.reinterpretAsInts(), high3 = hi3.reinterpretAsInts();
                int offset3 = 8 * xsum[e3 / 32];
                float dx3 = xs[e3 / 32];
                even3 = ((FloatVector) low3.lanewise(LSHL, 16).lanewise(ASHR, 16).add(high3.lanewise(LSHL, 16).lanewise(ASHR, 16))
                        .sub(offset3).convert(I2F, 0)).fma(dEven.mul(dx3), even3);
                odd3 = ((FloatVector) low3.lanewise(ASHR, 16).add(high3.lanewise(ASHR, 16))
                        .sub(offset3).convert(I2F, 0)).fma(dOdd.mul(dx3), odd3);
            }
            int evenAt = outAt + Q4_LANES / 2 * p, oddAt = evenAt + RowInterleaving.Q4_0_ROWS / 2;
            even0.intoArray(out, evenAt);
            odd0.intoArray(out, oddAt);
            even1.intoArray(out, evenAt + outStride);
            odd1.intoArray(out, oddAt + outStride);
            even2.intoArray(out, evenAt + 2 * outStride);
            odd2.intoArray(out, oddAt + 2 * outStride);
            even3.intoArray(out, evenAt + 3 * outStride);
            odd3.intoArray(out, oddAt + 3 * outStride);
        }
    }

    /**
     * {@link #dotQ4_0Rows4} for two neighbouring groups at once (64 rows; 512-bit vectors only, where all 32 rows of
     * a group fill one vector): each broadcast activation multiplies both groups' chunks, halving the broadcasts
     * per product. Every output is the same float as {@link #dotQ4_0Rows4}'s. Its eight epilogues are written out
     * for the reason given there; the method's size costs C2 about 40 MB more memory to compile, which shows in
     * the process's peak RSS (an epilogue loop through a small array compiled smaller but ran 11% slower).
     */
    private static void dotQ4_0Rows4x2(MemorySegment s, long o, long groupBytes, short[] xw, int[] xsum, float[] xs, int xo, int cols,
                                       int blocks, float[] out, int outAt, int outStride) {
        FloatVector evenA0 = FloatVector.zero(Q4_F), oddA0 = evenA0, evenA1 = evenA0, oddA1 = evenA0, evenA2 = evenA0, oddA2 = evenA0,
                evenA3 = evenA0, oddA3 = evenA0, evenB0 = evenA0, oddB0 = evenA0, evenB1 = evenA0, oddB1 = evenA0,
                evenB2 = evenA0, oddB2 = evenA0, evenB3 = evenA0, oddB3 = evenA0;
        long at = o;
        for (int blk = 0; blk < blocks; blk++, at += RowInterleaving.groupBlockBytes(GGMLType.Q4_0)) {
            int e0 = xo + 32 * blk, e1 = e0 + cols, e2 = e1 + cols, e3 = e2 + cols;
            ShortVector loA0 = ShortVector.zero(Q4_S), hiA0 = loA0, loA1 = loA0, hiA1 = loA0, loA2 = loA0, hiA2 = loA0, loA3 = loA0, hiA3 = loA0,
                    loB0 = loA0, hiB0 = loA0, loB1 = loA0, hiB1 = loA0, loB2 = loA0, hiB2 = loA0, loB3 = loA0, hiB3 = loA0;
            long qa = at + Q4_SCALE_BYTES, qb = qa + groupBytes;
            for (int t = 0; t < 16; t++) {
                ShortVector rawA = (ShortVector) ByteVector.fromMemorySegment(Q4_B, s, qa + Q4_CHUNK_BYTES * t, LE).convertShape(ZERO_EXTEND_B2S, Q4_S, 0);
                ShortVector rawB = (ShortVector) ByteVector.fromMemorySegment(Q4_B, s, qb + Q4_CHUNK_BYTES * t, LE).convertShape(ZERO_EXTEND_B2S, Q4_S, 0);
                ShortVector loA = rawA.and((short) 0xF), hiA = rawA.lanewise(LSHR, 4), loB = rawB.and((short) 0xF), hiB = rawB.lanewise(LSHR, 4);
                ShortVector x0 = ShortVector.broadcast(Q4_S, xw[e0 + t]), y0 = ShortVector.broadcast(Q4_S, xw[e0 + t + 16]);
                loA0 = loA0.add(loA.mul(x0));
                loB0 = loB0.add(loB.mul(x0));
                hiA0 = hiA0.add(hiA.mul(y0));
                hiB0 = hiB0.add(hiB.mul(y0));
                ShortVector x1 = ShortVector.broadcast(Q4_S, xw[e1 + t]), y1 = ShortVector.broadcast(Q4_S, xw[e1 + t + 16]);
                loA1 = loA1.add(loA.mul(x1));
                loB1 = loB1.add(loB.mul(x1));
                hiA1 = hiA1.add(hiA.mul(y1));
                hiB1 = hiB1.add(hiB.mul(y1));
                ShortVector x2 = ShortVector.broadcast(Q4_S, xw[e2 + t]), y2 = ShortVector.broadcast(Q4_S, xw[e2 + t + 16]);
                loA2 = loA2.add(loA.mul(x2));
                loB2 = loB2.add(loB.mul(x2));
                hiA2 = hiA2.add(hiA.mul(y2));
                hiB2 = hiB2.add(hiB.mul(y2));
                ShortVector x3 = ShortVector.broadcast(Q4_S, xw[e3 + t]), y3 = ShortVector.broadcast(Q4_S, xw[e3 + t + 16]);
                loA3 = loA3.add(loA.mul(x3));
                loB3 = loB3.add(loB.mul(x3));
                hiA3 = hiA3.add(hiA.mul(y3));
                hiB3 = hiB3.add(hiB.mul(y3));
            }
            IntVector scalesA = IntVector.fromMemorySegment(Q4_I, s, at, LE), oddScalesA = scalesA.lanewise(LSHR, 16);
            IntVector dEvenMA = scalesA.and(0x7FFF);
            FloatVector dEvenA = dEvenMA.lanewise(LSHL, 13).reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .lanewise(OR, 0x7F800000, dEvenMA.compare(GE, 0x7C00))
                    .or(scalesA.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            IntVector dOddMA = oddScalesA.and(0x7FFF);
            FloatVector dOddA = dOddMA.lanewise(LSHL, 13).reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .lanewise(OR, 0x7F800000, dOddMA.compare(GE, 0x7C00))
                    .or(oddScalesA.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            IntVector scalesB = IntVector.fromMemorySegment(Q4_I, s, at + groupBytes, LE), oddScalesB = scalesB.lanewise(LSHR, 16);
            IntVector dEvenMB = scalesB.and(0x7FFF);
            FloatVector dEvenB = dEvenMB.lanewise(LSHL, 13).reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .lanewise(OR, 0x7F800000, dEvenMB.compare(GE, 0x7C00))
                    .or(scalesB.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            IntVector dOddMB = oddScalesB.and(0x7FFF);
            FloatVector dOddB = dOddMB.lanewise(LSHL, 13).reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .lanewise(OR, 0x7F800000, dOddMB.compare(GE, 0x7C00))
                    .or(oddScalesB.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            int offset0 = 8 * xsum[e0 / 32];
            float dx0 = xs[e0 / 32];
            IntVector lowA0 = loA0.reinterpretAsInts(), highA0 = hiA0.reinterpretAsInts();
            evenA0 = ((FloatVector) lowA0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(highA0.lanewise(LSHL, 16).lanewise(ASHR, 16))
                    .sub(offset0).convert(I2F, 0)).fma(dEvenA.mul(dx0), evenA0);
            oddA0 = ((FloatVector) lowA0.lanewise(ASHR, 16).add(highA0.lanewise(ASHR, 16))
                    .sub(offset0).convert(I2F, 0)).fma(dOddA.mul(dx0), oddA0);
            IntVector lowB0 = loB0.reinterpretAsInts(), highB0 = hiB0.reinterpretAsInts();
            evenB0 = ((FloatVector) lowB0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(highB0.lanewise(LSHL, 16).lanewise(ASHR, 16))
                    .sub(offset0).convert(I2F, 0)).fma(dEvenB.mul(dx0), evenB0);
            oddB0 = ((FloatVector) lowB0.lanewise(ASHR, 16).add(highB0.lanewise(ASHR, 16))
                    .sub(offset0).convert(I2F, 0)).fma(dOddB.mul(dx0), oddB0);
            int offset1 = 8 * xsum[e1 / 32];
            float dx1 = xs[e1 / 32];
            IntVector lowA1 = loA1.reinterpretAsInts(), highA1 = hiA1.reinterpretAsInts();
            evenA1 = ((FloatVector) lowA1.lanewise(LSHL, 16).lanewise(ASHR, 16).add(highA1.lanewise(LSHL, 16).lanewise(ASHR, 16))
                    .sub(offset1).convert(I2F, 0)).fma(dEvenA.mul(dx1), evenA1);
            oddA1 = ((FloatVector) lowA1.lanewise(ASHR, 16).add(highA1.lanewise(ASHR, 16))
                    .sub(offset1).convert(I2F, 0)).fma(dOddA.mul(dx1), oddA1);
            IntVector lowB1 = loB1.reinterpretAsInts(), highB1 = hiB1.reinterpretAsInts();
            evenB1 = ((FloatVector) lowB1.lanewise(LSHL, 16).lanewise(ASHR, 16).add(highB1.lanewise(LSHL, 16).lanewise(ASHR, 16))
                    .sub(offset1).convert(I2F, 0)).fma(dEvenB.mul(dx1), evenB1);
            oddB1 = ((FloatVector) lowB1.lanewise(ASHR, 16).add(highB1.lanewise(ASHR, 16))
                    .sub(offset1).convert(I2F, 0)).fma(dOddB.mul(dx1), oddB1);
            int offset2 = 8 * xsum[e2 / 32];
            float dx2 = xs[e2 / 32];
            IntVector lowA2 = loA2.reinterpretAsInts(), highA2 = hiA2.reinterpretAsInts();
            evenA2 = ((FloatVector) lowA2.lanewise(LSHL, 16).lanewise(ASHR, 16).add(highA2.lanewise(LSHL, 16).lanewise(ASHR, 16))
                    .sub(offset2).convert(I2F, 0)).fma(dEvenA.mul(dx2), evenA2);
            oddA2 = ((FloatVector) lowA2.lanewise(ASHR, 16).add(highA2.lanewise(ASHR, 16))
                    .sub(offset2).convert(I2F, 0)).fma(dOddA.mul(dx2), oddA2);
            IntVector lowB2 = loB2.reinterpretAsInts(), highB2 = hiB2.reinterpretAsInts();
            evenB2 = ((FloatVector) lowB2.lanewise(LSHL, 16).lanewise(ASHR, 16).add(highB2.lanewise(LSHL, 16).lanewise(ASHR, 16))
                    .sub(offset2).convert(I2F, 0)).fma(dEvenB.mul(dx2), evenB2);
            oddB2 = ((FloatVector) lowB2.lanewise(ASHR, 16).add(highB2.lanewise(ASHR, 16))
                    .sub(offset2).convert(I2F, 0)).fma(dOddB.mul(dx2), oddB2);
            int offset3 = 8 * xsum[e3 / 32];
            float dx3 = xs[e3 / 32];
            IntVector lowA3 = loA3.reinterpretAsInts(), highA3 = hiA3.reinterpretAsInts();
            evenA3 = ((FloatVector) lowA3.lanewise(LSHL, 16).lanewise(ASHR, 16).add(highA3.lanewise(LSHL, 16).lanewise(ASHR, 16))
                    .sub(offset3).convert(I2F, 0)).fma(dEvenA.mul(dx3), evenA3);
            oddA3 = ((FloatVector) lowA3.lanewise(ASHR, 16).add(highA3.lanewise(ASHR, 16))
                    .sub(offset3).convert(I2F, 0)).fma(dOddA.mul(dx3), oddA3);
            IntVector lowB3 = loB3.reinterpretAsInts(), highB3 = hiB3.reinterpretAsInts();
            evenB3 = ((FloatVector) lowB3.lanewise(LSHL, 16).lanewise(ASHR, 16).add(highB3.lanewise(LSHL, 16).lanewise(ASHR, 16))
                    .sub(offset3).convert(I2F, 0)).fma(dEvenB.mul(dx3), evenB3);
            oddB3 = ((FloatVector) lowB3.lanewise(ASHR, 16).add(highB3.lanewise(ASHR, 16))
                    .sub(offset3).convert(I2F, 0)).fma(dOddB.mul(dx3), oddB3);
        }
        int oddAt = outAt + RowInterleaving.Q4_0_ROWS / 2, nextAt = outAt + RowInterleaving.Q4_0_ROWS, nextOddAt = oddAt + RowInterleaving.Q4_0_ROWS;
        evenA0.intoArray(out, outAt);
        oddA0.intoArray(out, oddAt);
        evenB0.intoArray(out, nextAt);
        oddB0.intoArray(out, nextOddAt);
        evenA1.intoArray(out, outAt + outStride);
        oddA1.intoArray(out, oddAt + outStride);
        evenB1.intoArray(out, nextAt + outStride);
        oddB1.intoArray(out, nextOddAt + outStride);
        evenA2.intoArray(out, outAt + 2 * outStride);
        oddA2.intoArray(out, oddAt + 2 * outStride);
        evenB2.intoArray(out, nextAt + 2 * outStride);
        oddB2.intoArray(out, nextOddAt + 2 * outStride);
        evenA3.intoArray(out, outAt + 3 * outStride);
        oddA3.intoArray(out, oddAt + 3 * outStride);
        evenB3.intoArray(out, nextAt + 3 * outStride);
        oddB3.intoArray(out, nextOddAt + 3 * outStride);
    }

    /*
     * Row-interleaved Q4_K (see RowInterleaving): each 32-element sub-block's nibbles as Q4_0's, its integer dot
     * products weighted by the rows' 6-bit scales, the activations' sums by their minimums, both in 32-bit lanes over
     * the super-block; then one fused multiply-add each into the scales' and the minimums' float sums. The quants
     * and activations of the Q8_K format (per 256 elements one scale) are as Q8_0's, so the products fit 16-bit lanes alike.
     */

    private static void dotQ4_KGroup(MemorySegment s, long o, int[] xp, int[] xsum16, float[] xs, int xo, int superBlocks,
                                     float[] out, int outAt) {
        FloatVector acc = FloatVector.zero(F8), mins = acc;
        for (int sb = 0; sb < superBlocks; sb++, o += RowInterleaving.Q4_K_GROUP_BYTES) {
            int e0 = xo + 256 * sb;
            IntVector scaled = IntVector.zero(I8), minSum = scaled;
            for (int j = 0; j < 8; j++) {
                int p = (e0 + 32 * j) >> 1;
                long q = o + RowInterleaving.Q4_K_QUANTS + 128 * j;
                // The eight chunks written out: as a loop, C2 wraps them in pre-, main and post-loops with
                // range-check set-up that cost as much as the arithmetic.
                ShortVector s0 = ShortVector.zero(S16), raw;
                raw = (ShortVector) ByteVector.fromMemorySegment(B16, s, q + 0, LE).convertShape(ZERO_EXTEND_B2S, S16, 0);
                s0 = s0.add(raw.and((short) 0xF).mul(IntVector.broadcast(I8, xp[p + 0]).reinterpretAsShorts()))
                        .add(raw.lanewise(LSHR, 4).mul(IntVector.broadcast(I8, xp[p + 8]).reinterpretAsShorts()));
                raw = (ShortVector) ByteVector.fromMemorySegment(B16, s, q + 16, LE).convertShape(ZERO_EXTEND_B2S, S16, 0);
                s0 = s0.add(raw.and((short) 0xF).mul(IntVector.broadcast(I8, xp[p + 1]).reinterpretAsShorts()))
                        .add(raw.lanewise(LSHR, 4).mul(IntVector.broadcast(I8, xp[p + 9]).reinterpretAsShorts()));
                raw = (ShortVector) ByteVector.fromMemorySegment(B16, s, q + 32, LE).convertShape(ZERO_EXTEND_B2S, S16, 0);
                s0 = s0.add(raw.and((short) 0xF).mul(IntVector.broadcast(I8, xp[p + 2]).reinterpretAsShorts()))
                        .add(raw.lanewise(LSHR, 4).mul(IntVector.broadcast(I8, xp[p + 10]).reinterpretAsShorts()));
                raw = (ShortVector) ByteVector.fromMemorySegment(B16, s, q + 48, LE).convertShape(ZERO_EXTEND_B2S, S16, 0);
                s0 = s0.add(raw.and((short) 0xF).mul(IntVector.broadcast(I8, xp[p + 3]).reinterpretAsShorts()))
                        .add(raw.lanewise(LSHR, 4).mul(IntVector.broadcast(I8, xp[p + 11]).reinterpretAsShorts()));
                raw = (ShortVector) ByteVector.fromMemorySegment(B16, s, q + 64, LE).convertShape(ZERO_EXTEND_B2S, S16, 0);
                s0 = s0.add(raw.and((short) 0xF).mul(IntVector.broadcast(I8, xp[p + 4]).reinterpretAsShorts()))
                        .add(raw.lanewise(LSHR, 4).mul(IntVector.broadcast(I8, xp[p + 12]).reinterpretAsShorts()));
                raw = (ShortVector) ByteVector.fromMemorySegment(B16, s, q + 80, LE).convertShape(ZERO_EXTEND_B2S, S16, 0);
                s0 = s0.add(raw.and((short) 0xF).mul(IntVector.broadcast(I8, xp[p + 5]).reinterpretAsShorts()))
                        .add(raw.lanewise(LSHR, 4).mul(IntVector.broadcast(I8, xp[p + 13]).reinterpretAsShorts()));
                raw = (ShortVector) ByteVector.fromMemorySegment(B16, s, q + 96, LE).convertShape(ZERO_EXTEND_B2S, S16, 0);
                s0 = s0.add(raw.and((short) 0xF).mul(IntVector.broadcast(I8, xp[p + 6]).reinterpretAsShorts()))
                        .add(raw.lanewise(LSHR, 4).mul(IntVector.broadcast(I8, xp[p + 14]).reinterpretAsShorts()));
                raw = (ShortVector) ByteVector.fromMemorySegment(B16, s, q + 112, LE).convertShape(ZERO_EXTEND_B2S, S16, 0);
                s0 = s0.add(raw.and((short) 0xF).mul(IntVector.broadcast(I8, xp[p + 7]).reinterpretAsShorts()))
                        .add(raw.lanewise(LSHR, 4).mul(IntVector.broadcast(I8, xp[p + 15]).reinterpretAsShorts()));
                IntVector i0 = s0.reinterpretAsInts();
                IntVector dot = i0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(i0.lanewise(ASHR, 16));
                IntVector scale = (IntVector) ByteVector.fromMemorySegment(B8, s, o + RowInterleaving.Q4_K_SCALES + 8 * j, LE).convertShape(B2I, I8, 0);
                IntVector min = (IntVector) ByteVector.fromMemorySegment(B8, s, o + RowInterleaving.Q4_K_MINS + 8 * j, LE).convertShape(B2I, I8, 0);
                int g = (e0 + 32 * j) >> 4;
                scaled = scaled.add(dot.mul(scale));
                minSum = minSum.add(min.mul(xsum16[g] + xsum16[g + 1]));
            }
            float dx = xs[e0 >> 8];
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H8, s, o, LE).convertShape(S2I, I8, 0);
            IntVector magnitude = h.and(0x7FFF);
            FloatVector d = magnitude.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitude.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitude.compare(LT, 0x400))
                    .lanewise(OR, 0x7F800000, magnitude.compare(GE, 0x7C00))
                    .or(h.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            IntVector hm = (IntVector) ShortVector.fromMemorySegment(H8, s, o + RowInterleaving.Q4_K_DMIN, LE).convertShape(S2I, I8, 0);
            IntVector magnitudeM = hm.and(0x7FFF);
            FloatVector dmin = magnitudeM.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitudeM.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitudeM.compare(LT, 0x400))
                    .lanewise(OR, 0x7F800000, magnitudeM.compare(GE, 0x7C00))
                    .or(hm.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            acc = ((FloatVector) scaled.convert(I2F, 0)).fma(d.mul(dx), acc);
            mins = ((FloatVector) minSum.convert(I2F, 0)).fma(dmin.mul(dx), mins);
        }
        acc.sub(mins).intoArray(out, outAt);
    }

    /** {@link #dotQ4_KGroup} in 512-bit steps, each sub-block's chunks zipped as in {@link #dotQ8_0Group4Wide}. */
    private static void dotQ4_KGroupWide(MemorySegment s, long o, long[] xq, int[] xsum16, float[] xs, int xo, int superBlocks,
                                     float[] out, int outAt) {
        FloatVector acc = FloatVector.zero(F8), mins = acc;
        for (int sb = 0; sb < superBlocks; sb++, o += RowInterleaving.Q4_K_GROUP_BYTES) {
            int e0 = xo + 256 * sb;
            IntVector scaled = IntVector.zero(I8), minSum = scaled;
            for (int j = 0; j < 8; j++) {
                int qd = (e0 + 32 * j) >> 2;
                long q = o + RowInterleaving.Q4_K_QUANTS + 128 * j;
                ShortVector lo = ShortVector.zero(S32), hi = lo, raw;
                raw = ((ShortVector) ByteVector.fromMemorySegment(B32, s, q + 0, LE).convertShape(ZERO_EXTEND_B2S, S32, 0))
                        .reinterpretAsInts().rearrange(ZIP_CHUNKS).reinterpretAsShorts();
                lo = lo.add(raw.and((short) 0xF).mul(LongVector.broadcast(L8, xq[qd + 0]).reinterpretAsShorts()));
                hi = hi.add(raw.lanewise(LSHR, 4).mul(LongVector.broadcast(L8, xq[qd + 4]).reinterpretAsShorts()));
                raw = ((ShortVector) ByteVector.fromMemorySegment(B32, s, q + 32, LE).convertShape(ZERO_EXTEND_B2S, S32, 0))
                        .reinterpretAsInts().rearrange(ZIP_CHUNKS).reinterpretAsShorts();
                lo = lo.add(raw.and((short) 0xF).mul(LongVector.broadcast(L8, xq[qd + 1]).reinterpretAsShorts()));
                hi = hi.add(raw.lanewise(LSHR, 4).mul(LongVector.broadcast(L8, xq[qd + 5]).reinterpretAsShorts()));
                raw = ((ShortVector) ByteVector.fromMemorySegment(B32, s, q + 64, LE).convertShape(ZERO_EXTEND_B2S, S32, 0))
                        .reinterpretAsInts().rearrange(ZIP_CHUNKS).reinterpretAsShorts();
                lo = lo.add(raw.and((short) 0xF).mul(LongVector.broadcast(L8, xq[qd + 2]).reinterpretAsShorts()));
                hi = hi.add(raw.lanewise(LSHR, 4).mul(LongVector.broadcast(L8, xq[qd + 6]).reinterpretAsShorts()));
                raw = ((ShortVector) ByteVector.fromMemorySegment(B32, s, q + 96, LE).convertShape(ZERO_EXTEND_B2S, S32, 0))
                        .reinterpretAsInts().rearrange(ZIP_CHUNKS).reinterpretAsShorts();
                lo = lo.add(raw.and((short) 0xF).mul(LongVector.broadcast(L8, xq[qd + 3]).reinterpretAsShorts()));
                hi = hi.add(raw.lanewise(LSHR, 4).mul(LongVector.broadcast(L8, xq[qd + 7]).reinterpretAsShorts()));
                IntVector both = lo.add(hi).reinterpretAsInts();
                LongVector pairSums = both.lanewise(LSHL, 16).lanewise(ASHR, 16).add(both.lanewise(ASHR, 16)).reinterpretAsLongs();
                IntVector dot = (IntVector) pairSums.lanewise(LSHL, 32).lanewise(ASHR, 32).add(pairSums.lanewise(ASHR, 32)).convertShape(L2I, I8, 0);
                IntVector scale = (IntVector) ByteVector.fromMemorySegment(B8, s, o + RowInterleaving.Q4_K_SCALES + 8 * j, LE).convertShape(B2I, I8, 0);
                IntVector min = (IntVector) ByteVector.fromMemorySegment(B8, s, o + RowInterleaving.Q4_K_MINS + 8 * j, LE).convertShape(B2I, I8, 0);
                int g = (e0 + 32 * j) >> 4;
                scaled = scaled.add(dot.mul(scale));
                minSum = minSum.add(min.mul(xsum16[g] + xsum16[g + 1]));
            }
            float dx = xs[e0 >> 8];
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H8, s, o, LE).convertShape(S2I, I8, 0);
            IntVector magnitude = h.and(0x7FFF);
            FloatVector d = magnitude.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitude.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitude.compare(LT, 0x400))
                    .lanewise(OR, 0x7F800000, magnitude.compare(GE, 0x7C00))
                    .or(h.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            IntVector hm = (IntVector) ShortVector.fromMemorySegment(H8, s, o + RowInterleaving.Q4_K_DMIN, LE).convertShape(S2I, I8, 0);
            IntVector magnitudeM = hm.and(0x7FFF);
            FloatVector dmin = magnitudeM.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitudeM.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitudeM.compare(LT, 0x400))
                    .lanewise(OR, 0x7F800000, magnitudeM.compare(GE, 0x7C00))
                    .or(hm.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            acc = ((FloatVector) scaled.convert(I2F, 0)).fma(d.mul(dx), acc);
            mins = ((FloatVector) minSum.convert(I2F, 0)).fma(dmin.mul(dx), mins);
        }
        acc.sub(mins).intoArray(out, outAt);
    }

    /** {@link #dotQ4_KGroup} for four activation rows ({@code cols} apart), each unpacked weight chunk used by all four. */
    private static void dotQ4_KGroup4(MemorySegment s, long o, int[] xp, int[] xsum16, float[] xs, int xo, int cols, int superBlocks,
                                      float[] out, int outAt, int outStride) {
        FloatVector acc0 = FloatVector.zero(F8), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        FloatVector mins0 = acc0, mins1 = acc0, mins2 = acc0, mins3 = acc0;
        for (int sb = 0; sb < superBlocks; sb++, o += RowInterleaving.Q4_K_GROUP_BYTES) {
            int e0 = xo + 256 * sb;
            IntVector scaled0 = IntVector.zero(I8), scaled1 = scaled0, scaled2 = scaled0, scaled3 = scaled0;
            IntVector minSum0 = scaled0, minSum1 = scaled0, minSum2 = scaled0, minSum3 = scaled0;
            for (int j = 0; j < 8; j++) {
                int p0 = (e0 + 32 * j) >> 1;
                int p1 = p0 + (cols >> 1);
                int p2 = p1 + (cols >> 1);
                int p3 = p2 + (cols >> 1);
                long q = o + RowInterleaving.Q4_K_QUANTS + 128 * j;
                ShortVector s0 = ShortVector.zero(S16), s1 = s0, s2 = s0, s3 = s0;
                for (int t = 0; t < 8; t++) {
                    ShortVector raw = (ShortVector) ByteVector.fromMemorySegment(B16, s, q + 16 * t, LE).convertShape(ZERO_EXTEND_B2S, S16, 0);
                    ShortVector lo = raw.and((short) 0xF);
                    ShortVector hi = raw.lanewise(LSHR, 4);
                    s0 = s0.add(lo.mul(IntVector.broadcast(I8, xp[p0 + t]).reinterpretAsShorts()))
                            .add(hi.mul(IntVector.broadcast(I8, xp[p0 + 8 + t]).reinterpretAsShorts()));
                    s1 = s1.add(lo.mul(IntVector.broadcast(I8, xp[p1 + t]).reinterpretAsShorts()))
                            .add(hi.mul(IntVector.broadcast(I8, xp[p1 + 8 + t]).reinterpretAsShorts()));
                    s2 = s2.add(lo.mul(IntVector.broadcast(I8, xp[p2 + t]).reinterpretAsShorts()))
                            .add(hi.mul(IntVector.broadcast(I8, xp[p2 + 8 + t]).reinterpretAsShorts()));
                    s3 = s3.add(lo.mul(IntVector.broadcast(I8, xp[p3 + t]).reinterpretAsShorts()))
                            .add(hi.mul(IntVector.broadcast(I8, xp[p3 + 8 + t]).reinterpretAsShorts()));
                }
                IntVector scale = (IntVector) ByteVector.fromMemorySegment(B8, s, o + RowInterleaving.Q4_K_SCALES + 8 * j, LE).convertShape(B2I, I8, 0);
                IntVector min = (IntVector) ByteVector.fromMemorySegment(B8, s, o + RowInterleaving.Q4_K_MINS + 8 * j, LE).convertShape(B2I, I8, 0);
                int g0 = (e0 + 32 * j) >> 4;
                IntVector i0 = s0.reinterpretAsInts();
                scaled0 = scaled0.add(i0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(i0.lanewise(ASHR, 16)).mul(scale));
                minSum0 = minSum0.add(min.mul(xsum16[g0 + 0 * (cols >> 4)] + xsum16[g0 + 0 * (cols >> 4) + 1]));
                IntVector i1 = s1.reinterpretAsInts();
                scaled1 = scaled1.add(i1.lanewise(LSHL, 16).lanewise(ASHR, 16).add(i1.lanewise(ASHR, 16)).mul(scale));
                minSum1 = minSum1.add(min.mul(xsum16[g0 + 1 * (cols >> 4)] + xsum16[g0 + 1 * (cols >> 4) + 1]));
                IntVector i2 = s2.reinterpretAsInts();
                scaled2 = scaled2.add(i2.lanewise(LSHL, 16).lanewise(ASHR, 16).add(i2.lanewise(ASHR, 16)).mul(scale));
                minSum2 = minSum2.add(min.mul(xsum16[g0 + 2 * (cols >> 4)] + xsum16[g0 + 2 * (cols >> 4) + 1]));
                IntVector i3 = s3.reinterpretAsInts();
                scaled3 = scaled3.add(i3.lanewise(LSHL, 16).lanewise(ASHR, 16).add(i3.lanewise(ASHR, 16)).mul(scale));
                minSum3 = minSum3.add(min.mul(xsum16[g0 + 3 * (cols >> 4)] + xsum16[g0 + 3 * (cols >> 4) + 1]));
            }
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H8, s, o, LE).convertShape(S2I, I8, 0);
            IntVector magnitude = h.and(0x7FFF);
            FloatVector d = magnitude.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitude.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitude.compare(LT, 0x400))
                    .lanewise(OR, 0x7F800000, magnitude.compare(GE, 0x7C00))
                    .or(h.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            IntVector hm = (IntVector) ShortVector.fromMemorySegment(H8, s, o + RowInterleaving.Q4_K_DMIN, LE).convertShape(S2I, I8, 0);
            IntVector magnitudeM = hm.and(0x7FFF);
            FloatVector dmin = magnitudeM.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitudeM.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitudeM.compare(LT, 0x400))
                    .lanewise(OR, 0x7F800000, magnitudeM.compare(GE, 0x7C00))
                    .or(hm.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            float dx0 = xs[(e0 + 0 * cols) >> 8];
            acc0 = ((FloatVector) scaled0.convert(I2F, 0)).fma(d.mul(dx0), acc0);
            mins0 = ((FloatVector) minSum0.convert(I2F, 0)).fma(dmin.mul(dx0), mins0);
            float dx1 = xs[(e0 + 1 * cols) >> 8];
            acc1 = ((FloatVector) scaled1.convert(I2F, 0)).fma(d.mul(dx1), acc1);
            mins1 = ((FloatVector) minSum1.convert(I2F, 0)).fma(dmin.mul(dx1), mins1);
            float dx2 = xs[(e0 + 2 * cols) >> 8];
            acc2 = ((FloatVector) scaled2.convert(I2F, 0)).fma(d.mul(dx2), acc2);
            mins2 = ((FloatVector) minSum2.convert(I2F, 0)).fma(dmin.mul(dx2), mins2);
            float dx3 = xs[(e0 + 3 * cols) >> 8];
            acc3 = ((FloatVector) scaled3.convert(I2F, 0)).fma(d.mul(dx3), acc3);
            mins3 = ((FloatVector) minSum3.convert(I2F, 0)).fma(dmin.mul(dx3), mins3);
        }
        acc0.sub(mins0).intoArray(out, outAt);
        acc1.sub(mins1).intoArray(out, outAt + outStride);
        acc2.sub(mins2).intoArray(out, outAt + 2 * outStride);
        acc3.sub(mins3).intoArray(out, outAt + 3 * outStride);
    }

    /*
     * Row-interleaved Q6_K (see RowInterleaving): signed bytes in Q8_0's chunks. A product is at most 32 * 127, so a
     * 16-element sub-block's eight products per 16-bit lane fit before each lane pair (one row) is widened and
     * weighted by the row's scale of that sub-block; one fused multiply-add per super-block and row.
     */

    private static void dotQ6_KGroup(MemorySegment s, long o, int[] xp, float[] xs, int xo, int superBlocks,
                                     float[] out, int outAt) {
        FloatVector acc = FloatVector.zero(F8);
        for (int sb = 0; sb < superBlocks; sb++, o += RowInterleaving.Q6_K_GROUP_BYTES) {
            int e0 = xo + 256 * sb;
            IntVector scaled = IntVector.zero(I8);
            for (int i = 0; i < 16; i++) {
                int p = (e0 + 16 * i) >> 1;
                long q = o + RowInterleaving.Q6_K_QUANTS + 128 * i;
                // A loop here: written out like the others, this kernel measured 8% slower.
                ShortVector s0 = ShortVector.zero(S16);
                for (int t = 0; t < 8; t++) {
                    ShortVector w = (ShortVector) ByteVector.fromMemorySegment(B16, s, q + 16 * t, LE).convertShape(B2S, S16, 0);
                    s0 = s0.add(w.mul(IntVector.broadcast(I8, xp[p + t]).reinterpretAsShorts()));
                }
                IntVector i0 = s0.reinterpretAsInts();
                IntVector scale = (IntVector) ByteVector.fromMemorySegment(B8, s, o + RowInterleaving.Q6_K_SCALES + 8 * i, LE).convertShape(B2I, I8, 0);
                scaled = scaled.add(i0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(i0.lanewise(ASHR, 16)).mul(scale));
            }
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H8, s, o, LE).convertShape(S2I, I8, 0);
            IntVector magnitude = h.and(0x7FFF);
            FloatVector d = magnitude.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitude.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitude.compare(LT, 0x400))
                    .lanewise(OR, 0x7F800000, magnitude.compare(GE, 0x7C00))
                    .or(h.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            acc = ((FloatVector) scaled.convert(I2F, 0)).fma(d.mul(xs[e0 >> 8]), acc);
        }
        acc.intoArray(out, outAt);
    }

    /**
     * {@link #dotQ6_KGroup} in 512-bit steps, for decoding, shaped as {@link #dotQ8_0GroupWide}: each 32-byte step
     * (chunks t and t+1) widened as it lies and multiplied lane for lane by pairs spread out in registers, sixteen
     * pairs (two sub-blocks) loaded at a time. A sub-block's four steps give each 16-bit lane four products, at most
     * 4 * 32 * 128; lanes r and 8 + r (row r) are weighted by row r's scale of the sub-block and added up per
     * super-block. Integer sums as exact as the 256-bit kernel's, so the same floats.
     */
    private static void dotQ6_KGroupWide(MemorySegment s, long o, int[] xp, float[] xs, int superBlocks, float[] out, int outAt) {
        FloatVector acc = FloatVector.zero(F8);
        for (int sb = 0; sb < superBlocks; sb++, o += RowInterleaving.Q6_K_GROUP_BYTES) {
            IntVector scaled = IntVector.zero(I16);
            for (int j = 0; j < 8; j++) {
                IntVector xv = IntVector.fromArray(I16, xp, 128 * sb + 16 * j);
                // Sub-blocks 2j and 2j + 1: their rows' scales, then their 256 bytes of chunks.
                IntVector scales = (IntVector) ByteVector.fromMemorySegment(B16, s, o + RowInterleaving.Q6_K_SCALES + 16 * j, LE)
                        .convertShape(B2I, I16, 0);
                long q = o + RowInterleaving.Q6_K_QUANTS + 256 * j;
                IntVector i0 = ((ShortVector) ByteVector.fromMemorySegment(B32, s, q + 0, LE).convertShape(B2S, S32, 0)).mul(xv.rearrange(SPREAD_0).reinterpretAsShorts())
                        .add(((ShortVector) ByteVector.fromMemorySegment(B32, s, q + 32, LE).convertShape(B2S, S32, 0)).mul(xv.rearrange(SPREAD_1).reinterpretAsShorts()))
                        .add(((ShortVector) ByteVector.fromMemorySegment(B32, s, q + 64, LE).convertShape(B2S, S32, 0)).mul(xv.rearrange(SPREAD_2).reinterpretAsShorts()))
                        .add(((ShortVector) ByteVector.fromMemorySegment(B32, s, q + 96, LE).convertShape(B2S, S32, 0)).mul(xv.rearrange(SPREAD_3).reinterpretAsShorts()))
                        .reinterpretAsInts();
                scaled = scaled.add(i0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(i0.lanewise(ASHR, 16)).mul(scales.rearrange(DUP_LOWER)));
                i0 = ((ShortVector) ByteVector.fromMemorySegment(B32, s, q + 128, LE).convertShape(B2S, S32, 0)).mul(xv.rearrange(SPREAD_4).reinterpretAsShorts())
                        .add(((ShortVector) ByteVector.fromMemorySegment(B32, s, q + 160, LE).convertShape(B2S, S32, 0)).mul(xv.rearrange(SPREAD_5).reinterpretAsShorts()))
                        .add(((ShortVector) ByteVector.fromMemorySegment(B32, s, q + 192, LE).convertShape(B2S, S32, 0)).mul(xv.rearrange(SPREAD_6).reinterpretAsShorts()))
                        .add(((ShortVector) ByteVector.fromMemorySegment(B32, s, q + 224, LE).convertShape(B2S, S32, 0)).mul(xv.rearrange(SPREAD_7).reinterpretAsShorts()))
                        .reinterpretAsInts();
                scaled = scaled.add(i0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(i0.lanewise(ASHR, 16)).mul(scales.rearrange(DUP_UPPER)));
            }
            IntVector rows = ((IntVector) scaled.reinterpretShape(I8, 0)).add((IntVector) scaled.reinterpretShape(I8, 1));
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H8, s, o, LE).convertShape(S2I, I8, 0);
            IntVector magnitude = h.and(0x7FFF);
            FloatVector d = magnitude.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitude.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitude.compare(LT, 0x400))
                    .lanewise(OR, 0x7F800000, magnitude.compare(GE, 0x7C00))
                    .or(h.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            acc = ((FloatVector) rows.convert(I2F, 0)).fma(d.mul(xs[sb]), acc);
        }
        acc.intoArray(out, outAt);
    }

    /** {@link #dotQ6_KGroup} for four activation rows ({@code cols} apart), each loaded weight chunk used by all four. */
    private static void dotQ6_KGroup4(MemorySegment s, long o, int[] xp, float[] xs, int xo, int cols, int superBlocks,
                                      float[] out, int outAt, int outStride) {
        FloatVector acc0 = FloatVector.zero(F8), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int sb = 0; sb < superBlocks; sb++, o += RowInterleaving.Q6_K_GROUP_BYTES) {
            int e0 = xo + 256 * sb;
            IntVector scaled0 = IntVector.zero(I8), scaled1 = scaled0, scaled2 = scaled0, scaled3 = scaled0;
            for (int i = 0; i < 16; i++) {
                int p0 = (e0 + 16 * i) >> 1;
                int p1 = p0 + (cols >> 1);
                int p2 = p1 + (cols >> 1);
                int p3 = p2 + (cols >> 1);
                long q = o + RowInterleaving.Q6_K_QUANTS + 128 * i;
                ShortVector s0 = ShortVector.zero(S16), s1 = s0, s2 = s0, s3 = s0;
                for (int t = 0; t < 8; t++) {
                    ShortVector w = (ShortVector) ByteVector.fromMemorySegment(B16, s, q + 16 * t, LE).convertShape(B2S, S16, 0);
                    s0 = s0.add(w.mul(IntVector.broadcast(I8, xp[p0 + t]).reinterpretAsShorts()));
                    s1 = s1.add(w.mul(IntVector.broadcast(I8, xp[p1 + t]).reinterpretAsShorts()));
                    s2 = s2.add(w.mul(IntVector.broadcast(I8, xp[p2 + t]).reinterpretAsShorts()));
                    s3 = s3.add(w.mul(IntVector.broadcast(I8, xp[p3 + t]).reinterpretAsShorts()));
                }
                IntVector scale = (IntVector) ByteVector.fromMemorySegment(B8, s, o + RowInterleaving.Q6_K_SCALES + 8 * i, LE).convertShape(B2I, I8, 0);
                IntVector i0 = s0.reinterpretAsInts();
                scaled0 = scaled0.add(i0.lanewise(LSHL, 16).lanewise(ASHR, 16).add(i0.lanewise(ASHR, 16)).mul(scale));
                IntVector i1 = s1.reinterpretAsInts();
                scaled1 = scaled1.add(i1.lanewise(LSHL, 16).lanewise(ASHR, 16).add(i1.lanewise(ASHR, 16)).mul(scale));
                IntVector i2 = s2.reinterpretAsInts();
                scaled2 = scaled2.add(i2.lanewise(LSHL, 16).lanewise(ASHR, 16).add(i2.lanewise(ASHR, 16)).mul(scale));
                IntVector i3 = s3.reinterpretAsInts();
                scaled3 = scaled3.add(i3.lanewise(LSHL, 16).lanewise(ASHR, 16).add(i3.lanewise(ASHR, 16)).mul(scale));
            }
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H8, s, o, LE).convertShape(S2I, I8, 0);
            IntVector magnitude = h.and(0x7FFF);
            FloatVector d = magnitude.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitude.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitude.compare(LT, 0x400))
                    .lanewise(OR, 0x7F800000, magnitude.compare(GE, 0x7C00))
                    .or(h.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            acc0 = ((FloatVector) scaled0.convert(I2F, 0)).fma(d.mul(xs[e0 >> 8]), acc0);
            acc1 = ((FloatVector) scaled1.convert(I2F, 0)).fma(d.mul(xs[(e0 + cols) >> 8]), acc1);
            acc2 = ((FloatVector) scaled2.convert(I2F, 0)).fma(d.mul(xs[(e0 + 2 * cols) >> 8]), acc2);
            acc3 = ((FloatVector) scaled3.convert(I2F, 0)).fma(d.mul(xs[(e0 + 3 * cols) >> 8]), acc3);
        }
        acc0.intoArray(out, outAt);
        acc1.intoArray(out, outAt + outStride);
        acc2.intoArray(out, outAt + 2 * outStride);
        acc3.intoArray(out, outAt + 3 * outStride);
    }

    /** Super-blocks per panel of the Q4_K and Q6_K float prefill: a run's widened panel then takes about 260 KiB. */
    private static final int K_PANEL_SUPER_BLOCKS = 8;
    /**
     * Floats before a widened super-block's weights: Q6_K's 32 rows' scales {@code d}; Q4_K's {@code d}, {@code dmin}
     * and the eight sub-blocks' minimums of the 32 rows.
     */
    private static final int Q6_K_WIDENED_HEADER = 32, Q4_K_WIDENED_HEADER = 32 + 32 + 8 * 32;
    /** Each thread's sums of Q4_K's minimum terms, kept between calls. */
    private static final ThreadLocal<float[]> MINIMUM_SUMS = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Q4_K and Q6_K prefill in float arithmetic, for four neighbouring groups widened by {@link #widenQ4_KGroups4}
     * or {@link #widenQ6_KGroups4} (from {@code wo} in {@code w}, the weights after {@code header} floats, each
     * already times its sub-block's scale) and four activation rows of Q8_K quants as floats ({@code cols} apart,
     * the first from {@code xo}), {@code superBlocks} super-blocks; the rows' sums go to {@code out}, added to what it
     * holds if {@code resume}. For Q4_K ({@code mins} not null) the minimum terms' sums go to {@code mins} from
     * {@code minsAt}, 32 per activation row, likewise; the caller subtracts them at the end.
     * <p>
     * Bit-equal to {@link #dotQ4_KGroup4} and {@link #dotQ6_KGroup4}: a weight times its scale is at most 32 * 128
     * (Q6_K) or 15 * 63 (Q4_K) in magnitude and a quant at most 127, so 32 products and a carried rest of at most
     * 2048 sum to less than 2^24: every partial sum in a float lane is an exact integer. After each 32 elements the
     * sum's multiples of 4096 move to a second sum (exact: at most 2^27, in steps of 4096) and the rest carries on;
     * at the super-block's end the two are added, rounding once, which gives the float nearest the integer sum, as
     * the integer kernels' conversion does, and that is multiply-added with {@code d_w·d_x} into the row's sum. A
     * Q4_K minimum times a sum of 32 quants is at most 63 * 32 * 127, so the eight such products sum exactly too.
     * The rows' sums stay in {@code out} between super-blocks. Converting each 32 elements' sum to an integer vector
     * instead ran at half speed in about half of the processes, where the JIT left the integer operations and
     * conversions as calls.
     */
    private static void dotKGroups4x4Float(float[] w, int wo, int header, float[] xq, int[] xsum16, float[] xs, int xo,
                                           int cols, int superBlocks, boolean resume, float[] out, int outAt, int outStride,
                                           float[] mins, int minsAt) {
        int x0 = xo, x1 = xo + cols, x2 = x1 + cols, x3 = x2 + cols;
        if (!resume) {
            FloatVector zero = FloatVector.zero(F16);
            for (int r = 0; r < 4; r++) {
                zero.intoArray(out, outAt + r * outStride);
                zero.intoArray(out, outAt + r * outStride + 16);
                if (mins != null) {
                    zero.intoArray(mins, minsAt + 32 * r);
                    zero.intoArray(mins, minsAt + 32 * r + 16);
                }
            }
        }
        int superBlockFloats = header + 256 * 32;
        for (int sb = 0, at = wo; sb < superBlocks; sb++, at += superBlockFloats) {
            FloatVector p0 = FloatVector.zero(F16), r0 = p0, p1 = p0, r1 = p0, p2 = p0, r2 = p0, p3 = p0, r3 = p0;
            FloatVector h0 = p0, g0 = p0, h1 = p0, g1 = p0, h2 = p0, g2 = p0, h3 = p0, g3 = p0;
            for (int part = 0; part < 8; part++) {
                int e = 256 * sb + 32 * part, wAt = at + header + 32 * 32 * part;
                for (int k = 0; k < 32; k++) {
                    FloatVector v = FloatVector.fromArray(F16, w, wAt + 32 * k);
                    FloatVector u = FloatVector.fromArray(F16, w, wAt + 32 * k + 16);
                    FloatVector q0 = FloatVector.broadcast(F16, xq[x0 + e + k]);
                    p0 = v.fma(q0, p0);
                    r0 = u.fma(q0, r0);
                    FloatVector q1 = FloatVector.broadcast(F16, xq[x1 + e + k]);
                    p1 = v.fma(q1, p1);
                    r1 = u.fma(q1, r1);
                    FloatVector q2 = FloatVector.broadcast(F16, xq[x2 + e + k]);
                    p2 = v.fma(q2, p2);
                    r2 = u.fma(q2, r2);
                    FloatVector q3 = FloatVector.broadcast(F16, xq[x3 + e + k]);
                    p3 = v.fma(q3, p3);
                    r3 = u.fma(q3, r3);
                }
                // Move each sum's multiples of 4096 to the high sums; the rest (at most 2048) carries on.
                FloatVector t;
                t = p0.add(SPLIT).sub(SPLIT); h0 = h0.add(t); p0 = p0.sub(t);
                t = r0.add(SPLIT).sub(SPLIT); g0 = g0.add(t); r0 = r0.sub(t);
                t = p1.add(SPLIT).sub(SPLIT); h1 = h1.add(t); p1 = p1.sub(t);
                t = r1.add(SPLIT).sub(SPLIT); g1 = g1.add(t); r1 = r1.sub(t);
                t = p2.add(SPLIT).sub(SPLIT); h2 = h2.add(t); p2 = p2.sub(t);
                t = r2.add(SPLIT).sub(SPLIT); g2 = g2.add(t); r2 = r2.sub(t);
                t = p3.add(SPLIT).sub(SPLIT); h3 = h3.add(t); p3 = p3.sub(t);
                t = r3.add(SPLIT).sub(SPLIT); g3 = g3.add(t); r3 = r3.sub(t);
            }
            // High plus low sum, rounded once: the float nearest the super-block's integer sum, as (float) int.
            FloatVector d = FloatVector.fromArray(F16, w, at), c = FloatVector.fromArray(F16, w, at + 16);
            int e = 256 * sb;
            float dx0 = xs[(x0 + e) >> 8], dx1 = xs[(x1 + e) >> 8], dx2 = xs[(x2 + e) >> 8], dx3 = xs[(x3 + e) >> 8];
            int o0 = outAt, o1 = outAt + outStride, o2 = o1 + outStride, o3 = o2 + outStride;
            h0.add(p0).fma(d.mul(dx0), FloatVector.fromArray(F16, out, o0)).intoArray(out, o0);
            g0.add(r0).fma(c.mul(dx0), FloatVector.fromArray(F16, out, o0 + 16)).intoArray(out, o0 + 16);
            h1.add(p1).fma(d.mul(dx1), FloatVector.fromArray(F16, out, o1)).intoArray(out, o1);
            g1.add(r1).fma(c.mul(dx1), FloatVector.fromArray(F16, out, o1 + 16)).intoArray(out, o1 + 16);
            h2.add(p2).fma(d.mul(dx2), FloatVector.fromArray(F16, out, o2)).intoArray(out, o2);
            g2.add(r2).fma(c.mul(dx2), FloatVector.fromArray(F16, out, o2 + 16)).intoArray(out, o2 + 16);
            h3.add(p3).fma(d.mul(dx3), FloatVector.fromArray(F16, out, o3)).intoArray(out, o3);
            g3.add(r3).fma(c.mul(dx3), FloatVector.fromArray(F16, out, o3 + 16)).intoArray(out, o3 + 16);
            if (mins != null) {
                // Q4_K's minimum terms: each sub-block's minimums times the activations' sum over it (two sums of
                // 16), summed exactly, then multiply-added with d_min·d_x.
                int s0 = (x0 + e) >> 4, s1 = (x1 + e) >> 4, s2 = (x2 + e) >> 4, s3 = (x3 + e) >> 4;
                FloatVector m0 = FloatVector.zero(F16), n0 = m0, m1 = m0, n1 = m0, m2 = m0, n2 = m0, m3 = m0, n3 = m0;
                for (int j = 0; j < 8; j++) {
                    FloatVector m = FloatVector.fromArray(F16, w, at + 64 + 32 * j), n = FloatVector.fromArray(F16, w, at + 80 + 32 * j);
                    FloatVector b0 = FloatVector.broadcast(F16, xsum16[s0 + 2 * j] + xsum16[s0 + 2 * j + 1]);
                    m0 = m.fma(b0, m0);
                    n0 = n.fma(b0, n0);
                    FloatVector b1 = FloatVector.broadcast(F16, xsum16[s1 + 2 * j] + xsum16[s1 + 2 * j + 1]);
                    m1 = m.fma(b1, m1);
                    n1 = n.fma(b1, n1);
                    FloatVector b2 = FloatVector.broadcast(F16, xsum16[s2 + 2 * j] + xsum16[s2 + 2 * j + 1]);
                    m2 = m.fma(b2, m2);
                    n2 = n.fma(b2, n2);
                    FloatVector b3 = FloatVector.broadcast(F16, xsum16[s3 + 2 * j] + xsum16[s3 + 2 * j + 1]);
                    m3 = m.fma(b3, m3);
                    n3 = n.fma(b3, n3);
                }
                FloatVector dm = FloatVector.fromArray(F16, w, at + 32), cm = FloatVector.fromArray(F16, w, at + 48);
                m0.fma(dm.mul(dx0), FloatVector.fromArray(F16, mins, minsAt)).intoArray(mins, minsAt);
                n0.fma(cm.mul(dx0), FloatVector.fromArray(F16, mins, minsAt + 16)).intoArray(mins, minsAt + 16);
                m1.fma(dm.mul(dx1), FloatVector.fromArray(F16, mins, minsAt + 32)).intoArray(mins, minsAt + 32);
                n1.fma(cm.mul(dx1), FloatVector.fromArray(F16, mins, minsAt + 48)).intoArray(mins, minsAt + 48);
                m2.fma(dm.mul(dx2), FloatVector.fromArray(F16, mins, minsAt + 64)).intoArray(mins, minsAt + 64);
                n2.fma(cm.mul(dx2), FloatVector.fromArray(F16, mins, minsAt + 80)).intoArray(mins, minsAt + 80);
                m3.fma(dm.mul(dx3), FloatVector.fromArray(F16, mins, minsAt + 96)).intoArray(mins, minsAt + 96);
                n3.fma(cm.mul(dx3), FloatVector.fromArray(F16, mins, minsAt + 112)).intoArray(mins, minsAt + 112);
            }
        }
    }

    /**
     * 1.5 * 2^35: for an integer float of magnitude below 2^34, {@code (v + SPLIT) - SPLIT} is v rounded to a
     * multiple of 4096, and {@code v} minus that is exact and at most 2048 in magnitude.
     */
    private static final float SPLIT = 0x1.8p35f;

    /**
     * Widens {@code superBlocks} super-blocks of four neighbouring Q6_K groups ({@code groupBytes} apart) to floats,
     * in the order {@link #dotKGroups4x4Float} reads them: the 32 rows' scales {@code d} (exactly as
     * Float.float16ToFloat converts them), then for each element the 32 rows' weights times their sub-block scales
     * (exact: at most 32 * 128). Two permutations part two groups' widened chunks (two elements of eight rows each)
     * into the first element's 16 rows and the second's, as for Q8_0.
     */
    private static void widenQ6_KGroups4(MemorySegment s, long o, long groupBytes, int superBlocks, float[] w, int wo) {
        for (int sb = 0, at = wo; sb < superBlocks; sb++, o += RowInterleaving.Q6_K_GROUP_BYTES, at += Q6_K_WIDENED_HEADER + 256 * 32) {
            for (int half = 0; half < 2; half++) {
                long g = o + 2 * half * groupBytes;
                IntVector h = ((IntVector) ShortVector.fromMemorySegment(H8, s, g, LE).convertShape(S2I, IntVector.SPECIES_512, 0))
                        .blend(((IntVector) ShortVector.fromMemorySegment(H8, s, g + groupBytes, LE)
                                .convertShape(S2I, IntVector.SPECIES_512, 0)).rearrange(LOWER_TWICE), UPPER_EIGHT);
                IntVector magnitude = h.and(0x7FFF);
                magnitude.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitude.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitude.compare(LT, 0x400))
                        .lanewise(OR, 0x7F800000, magnitude.compare(GE, 0x7C00))
                        .or(h.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats().intoArray(w, at + 16 * half);
                for (int i = 0; i < 16; i++) {
                    // Sub-block i's scales of both groups' eight rows.
                    FloatVector scale = (FloatVector) ((IntVector) ByteVector.fromMemorySegment(B8, s, g + RowInterleaving.Q6_K_SCALES + 8 * i, LE)
                            .convertShape(B2I, IntVector.SPECIES_512, 0))
                            .blend(((IntVector) ByteVector.fromMemorySegment(B8, s, g + groupBytes + RowInterleaving.Q6_K_SCALES + 8 * i, LE)
                                    .convertShape(B2I, IntVector.SPECIES_512, 0)).rearrange(LOWER_TWICE), UPPER_EIGHT)
                            .convert(I2F, 0);
                    for (int t = 0; t < 8; t++) {
                        long chunk = RowInterleaving.Q6_K_QUANTS + 16L * (8 * i + t);
                        int element = 16 * i + 2 * t;
                        FloatVector first = (FloatVector) ByteVector.fromMemorySegment(B16, s, g + chunk, LE).convertShape(B2F, F16, 0);
                        FloatVector second = (FloatVector) ByteVector.fromMemorySegment(B16, s, g + groupBytes + chunk, LE).convertShape(B2F, F16, 0);
                        FIRST_OF_PAIRS.selectFrom(first, second).mul(scale).intoArray(w, at + 32 + 32 * element + 16 * half);
                        SECOND_OF_PAIRS.selectFrom(first, second).mul(scale).intoArray(w, at + 32 + 32 * (element + 1) + 16 * half);
                    }
                }
            }
        }
    }

    /**
     * Widens {@code superBlocks} super-blocks of four neighbouring Q4_K groups ({@code groupBytes} apart) to floats,
     * in the order {@link #dotKGroups4x4Float} reads them: the 32 rows' {@code d}, their {@code dmin} (as
     * Float.float16ToFloat converts them), each sub-block's 32 minimums, then for each element the 32 rows' nibbles
     * times their sub-block scales (exact: at most 15 * 63). A chunk holds bytes 2t and 2t + 1 of a sub-block for
     * eight rows, whose low nibbles are elements 2t and 2t + 1 and whose high nibbles elements 2t + 16 and 2t + 17;
     * two permutations over two groups' chunks part each into the two elements' 16 rows, as for Q8_0.
     */
    private static void widenQ4_KGroups4(MemorySegment s, long o, long groupBytes, int superBlocks, float[] w, int wo) {
        float[] scale = new float[16];
        for (int sb = 0, at = wo; sb < superBlocks; sb++, o += RowInterleaving.Q4_K_GROUP_BYTES, at += Q4_K_WIDENED_HEADER + 256 * 32) {
            for (int half = 0; half < 2; half++) {
                long g = o + 2 * half * groupBytes;
                for (int r = 0; r < 16; r++) {
                    long row = g + (r / 8) * groupBytes;
                    w[at + 16 * half + r] = f16(s, row + 2 * (r % 8));
                    w[at + 32 + 16 * half + r] = f16(s, row + RowInterleaving.Q4_K_DMIN + 2 * (r % 8));
                    for (int j = 0; j < 8; j++) {
                        w[at + 64 + 32 * j + 16 * half + r] = s.get(ValueLayout.JAVA_BYTE, row + RowInterleaving.Q4_K_MINS + 8 * j + r % 8);
                    }
                }
                for (int j = 0; j < 8; j++) {
                    for (int r = 0; r < 16; r++) {
                        scale[r] = s.get(ValueLayout.JAVA_BYTE, g + (r / 8) * groupBytes + RowInterleaving.Q4_K_SCALES + 8 * j + r % 8);
                    }
                    FloatVector sc = FloatVector.fromArray(F16, scale, 0);
                    for (int t = 0; t < 8; t++) {
                        long chunk = RowInterleaving.Q4_K_QUANTS + 128L * j + 16L * t;
                        ByteVector first = ByteVector.fromMemorySegment(B16, s, g + chunk, LE);
                        ByteVector second = ByteVector.fromMemorySegment(B16, s, g + groupBytes + chunk, LE);
                        FloatVector lowFirst = (FloatVector) first.and((byte) 0xF).convertShape(B2F, F16, 0);
                        FloatVector lowSecond = (FloatVector) second.and((byte) 0xF).convertShape(B2F, F16, 0);
                        FloatVector highFirst = (FloatVector) first.lanewise(LSHR, 4).convertShape(B2F, F16, 0);
                        FloatVector highSecond = (FloatVector) second.lanewise(LSHR, 4).convertShape(B2F, F16, 0);
                        int element = at + Q4_K_WIDENED_HEADER + 32 * (32 * j + 2 * t) + 16 * half;
                        FIRST_OF_PAIRS.selectFrom(lowFirst, lowSecond).mul(sc).intoArray(w, element);
                        SECOND_OF_PAIRS.selectFrom(lowFirst, lowSecond).mul(sc).intoArray(w, element + 32);
                        FIRST_OF_PAIRS.selectFrom(highFirst, highSecond).mul(sc).intoArray(w, element + 32 * 16);
                        SECOND_OF_PAIRS.selectFrom(highFirst, highSecond).mul(sc).intoArray(w, element + 32 * 17);
                    }
                }
            }
        }
    }

    /*
     * Row-interleaved Q8_0 (see RowInterleaving): 16-bit lanes 2r and 2r+1 hold row r's weights for two
     * consecutive elements, multiplied by a broadcast pair of activations; lane r of the result is row r, one fused
     * multiply-add per block and row. A product of two quants needs up to 14 bits, so only two chunks' products
     * share a 16-bit lane before each pair of lanes (one row) is widened to 32 bits and added.
     */

    /**
     * {@link #dotQ8_0Group} in 512-bit steps, for decoding. A 32-byte step (chunks t and t+1: eight rows' weights
     * for four elements) is widened as it lies and multiplied lane for lane by the block's 16 pairs, loaded once per
     * block and spread out in registers: pair t in the lower eight 32-bit lanes, pair t+1 in the upper eight.
     * Two steps' products (at most 2 * 128 * 127) are added in 16-bit lanes, then widened and summed in 32-bit
     * lanes; lanes r and 8 + r, both row r's, are added at the end of the block. Decoding streams the weights from
     * memory, and the fewer instructions per byte, the more of its bandwidth one core draws: this takes about 85
     * per block, where zipping the weights' chunks to match a broadcast pair of pairs took about 120.
     */
    private static void dotQ8_0GroupWide(MemorySegment s, long o, int[] xp, float[] xs, int firstBlock, int blocks,
                                         float[] out, int outAt) {
        FloatVector a0 = firstBlock > 0 ? FloatVector.fromArray(F8, out, outAt) : FloatVector.zero(F8);
        for (int blk = firstBlock; blk < firstBlock + blocks; blk++, o += 272) {
            IntVector xv = IntVector.fromArray(I16, xp, 16 * blk);
            IntVector sums = IntVector.zero(I16), two;
            two = ((ShortVector) ByteVector.fromMemorySegment(B32, s, o + 16, LE).convertShape(B2S, S32, 0)).mul(xv.rearrange(SPREAD_0).reinterpretAsShorts())
                    .add(((ShortVector) ByteVector.fromMemorySegment(B32, s, o + 48, LE).convertShape(B2S, S32, 0)).mul(xv.rearrange(SPREAD_1).reinterpretAsShorts()))
                    .reinterpretAsInts();
            sums = sums.add(two.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(two.lanewise(ASHR, 16));
            two = ((ShortVector) ByteVector.fromMemorySegment(B32, s, o + 80, LE).convertShape(B2S, S32, 0)).mul(xv.rearrange(SPREAD_2).reinterpretAsShorts())
                    .add(((ShortVector) ByteVector.fromMemorySegment(B32, s, o + 112, LE).convertShape(B2S, S32, 0)).mul(xv.rearrange(SPREAD_3).reinterpretAsShorts()))
                    .reinterpretAsInts();
            sums = sums.add(two.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(two.lanewise(ASHR, 16));
            two = ((ShortVector) ByteVector.fromMemorySegment(B32, s, o + 144, LE).convertShape(B2S, S32, 0)).mul(xv.rearrange(SPREAD_4).reinterpretAsShorts())
                    .add(((ShortVector) ByteVector.fromMemorySegment(B32, s, o + 176, LE).convertShape(B2S, S32, 0)).mul(xv.rearrange(SPREAD_5).reinterpretAsShorts()))
                    .reinterpretAsInts();
            sums = sums.add(two.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(two.lanewise(ASHR, 16));
            two = ((ShortVector) ByteVector.fromMemorySegment(B32, s, o + 208, LE).convertShape(B2S, S32, 0)).mul(xv.rearrange(SPREAD_6).reinterpretAsShorts())
                    .add(((ShortVector) ByteVector.fromMemorySegment(B32, s, o + 240, LE).convertShape(B2S, S32, 0)).mul(xv.rearrange(SPREAD_7).reinterpretAsShorts()))
                    .reinterpretAsInts();
            sums = sums.add(two.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(two.lanewise(ASHR, 16));
            IntVector i0 = ((IntVector) sums.reinterpretShape(I8, 0)).add((IntVector) sums.reinterpretShape(I8, 1));
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H8, s, o, LE).convertShape(S2I, I8, 0);
            IntVector magnitude = h.and(0x7FFF);
            FloatVector dw = magnitude.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitude.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitude.compare(LT, 0x400))
                    .lanewise(OR, 0x7F800000, magnitude.compare(GE, 0x7C00))
                    .or(h.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            a0 = ((FloatVector) i0.convert(I2F, 0)).fma(dw.mul(xs[blk]), a0);
        }
        a0.intoArray(out, outAt);
    }

    private static void dotQ8_0Group(MemorySegment s, long o, int[] xp, float[] xs, int xo, int blocks, boolean resume,
                                      float[] out, int outAt) {
        FloatVector a0 = resume ? FloatVector.fromArray(F8, out, outAt) : FloatVector.zero(F8);
        int x0 = xo;
        for (int blk = 0; blk < blocks; blk++, o += 272) {
            int e = 32 * blk;
            // The sixteen chunks written out (see dotQ4_KGroup).
            IntVector i0 = IntVector.zero(I8), j0;
            int p = (x0 + e) >> 1;
            j0 = ((ShortVector) ByteVector.fromMemorySegment(B16, s, o + 16, LE).convertShape(B2S, S16, 0)).mul(IntVector.broadcast(I8, xp[p + 0]).reinterpretAsShorts())
                    .add(((ShortVector) ByteVector.fromMemorySegment(B16, s, o + 32, LE).convertShape(B2S, S16, 0)).mul(IntVector.broadcast(I8, xp[p + 1]).reinterpretAsShorts()))
                    .reinterpretAsInts();
            i0 = i0.add(j0.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(j0.lanewise(ASHR, 16));
            j0 = ((ShortVector) ByteVector.fromMemorySegment(B16, s, o + 48, LE).convertShape(B2S, S16, 0)).mul(IntVector.broadcast(I8, xp[p + 2]).reinterpretAsShorts())
                    .add(((ShortVector) ByteVector.fromMemorySegment(B16, s, o + 64, LE).convertShape(B2S, S16, 0)).mul(IntVector.broadcast(I8, xp[p + 3]).reinterpretAsShorts()))
                    .reinterpretAsInts();
            i0 = i0.add(j0.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(j0.lanewise(ASHR, 16));
            j0 = ((ShortVector) ByteVector.fromMemorySegment(B16, s, o + 80, LE).convertShape(B2S, S16, 0)).mul(IntVector.broadcast(I8, xp[p + 4]).reinterpretAsShorts())
                    .add(((ShortVector) ByteVector.fromMemorySegment(B16, s, o + 96, LE).convertShape(B2S, S16, 0)).mul(IntVector.broadcast(I8, xp[p + 5]).reinterpretAsShorts()))
                    .reinterpretAsInts();
            i0 = i0.add(j0.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(j0.lanewise(ASHR, 16));
            j0 = ((ShortVector) ByteVector.fromMemorySegment(B16, s, o + 112, LE).convertShape(B2S, S16, 0)).mul(IntVector.broadcast(I8, xp[p + 6]).reinterpretAsShorts())
                    .add(((ShortVector) ByteVector.fromMemorySegment(B16, s, o + 128, LE).convertShape(B2S, S16, 0)).mul(IntVector.broadcast(I8, xp[p + 7]).reinterpretAsShorts()))
                    .reinterpretAsInts();
            i0 = i0.add(j0.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(j0.lanewise(ASHR, 16));
            j0 = ((ShortVector) ByteVector.fromMemorySegment(B16, s, o + 144, LE).convertShape(B2S, S16, 0)).mul(IntVector.broadcast(I8, xp[p + 8]).reinterpretAsShorts())
                    .add(((ShortVector) ByteVector.fromMemorySegment(B16, s, o + 160, LE).convertShape(B2S, S16, 0)).mul(IntVector.broadcast(I8, xp[p + 9]).reinterpretAsShorts()))
                    .reinterpretAsInts();
            i0 = i0.add(j0.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(j0.lanewise(ASHR, 16));
            j0 = ((ShortVector) ByteVector.fromMemorySegment(B16, s, o + 176, LE).convertShape(B2S, S16, 0)).mul(IntVector.broadcast(I8, xp[p + 10]).reinterpretAsShorts())
                    .add(((ShortVector) ByteVector.fromMemorySegment(B16, s, o + 192, LE).convertShape(B2S, S16, 0)).mul(IntVector.broadcast(I8, xp[p + 11]).reinterpretAsShorts()))
                    .reinterpretAsInts();
            i0 = i0.add(j0.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(j0.lanewise(ASHR, 16));
            j0 = ((ShortVector) ByteVector.fromMemorySegment(B16, s, o + 208, LE).convertShape(B2S, S16, 0)).mul(IntVector.broadcast(I8, xp[p + 12]).reinterpretAsShorts())
                    .add(((ShortVector) ByteVector.fromMemorySegment(B16, s, o + 224, LE).convertShape(B2S, S16, 0)).mul(IntVector.broadcast(I8, xp[p + 13]).reinterpretAsShorts()))
                    .reinterpretAsInts();
            i0 = i0.add(j0.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(j0.lanewise(ASHR, 16));
            j0 = ((ShortVector) ByteVector.fromMemorySegment(B16, s, o + 240, LE).convertShape(B2S, S16, 0)).mul(IntVector.broadcast(I8, xp[p + 14]).reinterpretAsShorts())
                    .add(((ShortVector) ByteVector.fromMemorySegment(B16, s, o + 256, LE).convertShape(B2S, S16, 0)).mul(IntVector.broadcast(I8, xp[p + 15]).reinterpretAsShorts()))
                    .reinterpretAsInts();
            i0 = i0.add(j0.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(j0.lanewise(ASHR, 16));
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H8, s, o, LE).convertShape(S2I, I8, 0);
            IntVector magnitude = h.and(0x7FFF);
            FloatVector dw = magnitude.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitude.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitude.compare(LT, 0x400))
                    .lanewise(OR, 0x7F800000, magnitude.compare(GE, 0x7C00))
                    .or(h.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            a0 = ((FloatVector) i0.convert(I2F, 0)).fma(dw.mul(xs[(x0 + e) / 32]), a0);
        }
        a0.intoArray(out, outAt);
    }

    /**
     * {@link #dotQ8_0Group4} in 512-bit steps. Chunks t and t+1 are widened together and their 32-bit lanes zipped,
     * so that each row's lanes for the two chunks are neighbours; one broadcast long of pairs t and t+1
     * ({@link Activations#pairQuads}) then multiplies them all, and each row's 64-bit lane is added up at the end
     * of the block.
     */
    private static void dotQ8_0Group4Wide(MemorySegment s, long o, long[] xq, float[] xs, int xo, int cols, int blocks,
                                          boolean resume, float[] out, int outAt, int outStride) {
        FloatVector a0 = FloatVector.zero(F8), a1 = a0, a2 = a0, a3 = a0;
        if (resume) {
            a0 = FloatVector.fromArray(F8, out, outAt);
            a1 = FloatVector.fromArray(F8, out, outAt + outStride);
            a2 = FloatVector.fromArray(F8, out, outAt + 2 * outStride);
            a3 = FloatVector.fromArray(F8, out, outAt + 3 * outStride);
        }
        int q0 = xo >> 2, q1 = q0 + (cols >> 2), q2 = q1 + (cols >> 2), q3 = q2 + (cols >> 2);
        IntVector i0 = IntVector.zero(I16), i1 = i0, i2 = i0, i3 = i0;
        // One loop over all the blocks' steps, each block's end handled inside it (see dotQ4_0Rows).
        for (int c = 0; c < 4 * blocks; c++) {
            int blk = c >>> 2, m = 2 * (c & 3), qb = 8 * blk;
            long at = o + 272L * blk;
            ShortVector w0 = ((ShortVector) ByteVector.fromMemorySegment(B32, s, at + 16 + 32 * m, LE).convertShape(B2S, S32, 0))
                    .reinterpretAsInts().rearrange(ZIP_CHUNKS).reinterpretAsShorts();
            ShortVector w1 = ((ShortVector) ByteVector.fromMemorySegment(B32, s, at + 48 + 32 * m, LE).convertShape(B2S, S32, 0))
                    .reinterpretAsInts().rearrange(ZIP_CHUNKS).reinterpretAsShorts();
            IntVector j0 = w0.mul(LongVector.broadcast(L8, xq[q0 + qb + m]).reinterpretAsShorts())
                    .add(w1.mul(LongVector.broadcast(L8, xq[q0 + qb + m + 1]).reinterpretAsShorts())).reinterpretAsInts();
            i0 = i0.add(j0.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(j0.lanewise(ASHR, 16));
            IntVector j1 = w0.mul(LongVector.broadcast(L8, xq[q1 + qb + m]).reinterpretAsShorts())
                    .add(w1.mul(LongVector.broadcast(L8, xq[q1 + qb + m + 1]).reinterpretAsShorts())).reinterpretAsInts();
            i1 = i1.add(j1.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(j1.lanewise(ASHR, 16));
            IntVector j2 = w0.mul(LongVector.broadcast(L8, xq[q2 + qb + m]).reinterpretAsShorts())
                    .add(w1.mul(LongVector.broadcast(L8, xq[q2 + qb + m + 1]).reinterpretAsShorts())).reinterpretAsInts();
            i2 = i2.add(j2.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(j2.lanewise(ASHR, 16));
            IntVector j3 = w0.mul(LongVector.broadcast(L8, xq[q3 + qb + m]).reinterpretAsShorts())
                    .add(w1.mul(LongVector.broadcast(L8, xq[q3 + qb + m + 1]).reinterpretAsShorts())).reinterpretAsInts();
            i3 = i3.add(j3.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(j3.lanewise(ASHR, 16));
            if (m != 6) continue;
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H8, s, at, LE).convertShape(S2I, I8, 0);
            IntVector magnitude = h.and(0x7FFF);
            FloatVector dw = magnitude.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitude.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitude.compare(LT, 0x400))
                    .lanewise(OR, 0x7F800000, magnitude.compare(GE, 0x7C00))
                    .or(h.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            LongVector l0 = i0.reinterpretAsLongs();
            IntVector sum0 = (IntVector) l0.lanewise(LSHL, 32).lanewise(ASHR, 32).add(l0.lanewise(ASHR, 32)).convertShape(L2I, I8, 0);
            a0 = ((FloatVector) sum0.convert(I2F, 0)).fma(dw.mul(xs[(xo + 0 * cols) / 32 + blk]), a0);
            LongVector l1 = i1.reinterpretAsLongs();
            IntVector sum1 = (IntVector) l1.lanewise(LSHL, 32).lanewise(ASHR, 32).add(l1.lanewise(ASHR, 32)).convertShape(L2I, I8, 0);
            a1 = ((FloatVector) sum1.convert(I2F, 0)).fma(dw.mul(xs[(xo + 1 * cols) / 32 + blk]), a1);
            LongVector l2 = i2.reinterpretAsLongs();
            IntVector sum2 = (IntVector) l2.lanewise(LSHL, 32).lanewise(ASHR, 32).add(l2.lanewise(ASHR, 32)).convertShape(L2I, I8, 0);
            a2 = ((FloatVector) sum2.convert(I2F, 0)).fma(dw.mul(xs[(xo + 2 * cols) / 32 + blk]), a2);
            LongVector l3 = i3.reinterpretAsLongs();
            IntVector sum3 = (IntVector) l3.lanewise(LSHL, 32).lanewise(ASHR, 32).add(l3.lanewise(ASHR, 32)).convertShape(L2I, I8, 0);
            a3 = ((FloatVector) sum3.convert(I2F, 0)).fma(dw.mul(xs[(xo + 3 * cols) / 32 + blk]), a3);
            i0 = IntVector.zero(I16);
            i1 = i0;
            i2 = i0;
            i3 = i0;
        }
        a0.intoArray(out, outAt);
        a1.intoArray(out, outAt + outStride);
        a2.intoArray(out, outAt + 2 * outStride);
        a3.intoArray(out, outAt + 3 * outStride);
    }

    private static final VectorSpecies<Float> F16 = FloatVector.SPECIES_512;
    /**
     * Lane indices into two vectors of eight rows' element pairs (16 lanes each, lanes 2i and 2i + 1 for row i):
     * the first element of every row of the first vector, then of the second; and the second elements.
     */
    private static final FloatVector FIRST_OF_PAIRS =
            FloatVector.fromArray(F16, new float[]{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30}, 0);
    private static final FloatVector SECOND_OF_PAIRS =
            FloatVector.fromArray(F16, new float[]{1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31}, 0);
    /** The lower eight lanes repeated in the upper eight, and the mask of the upper eight. */
    private static final VectorShuffle<Integer> LOWER_TWICE =
            VectorShuffle.fromValues(IntVector.SPECIES_512, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
    private static final VectorMask<Integer> UPPER_EIGHT = VectorMask.fromLong(IntVector.SPECIES_512, 0xFF00);

    /**
     * Q8_0 prefill in float arithmetic, for four neighbouring groups of eight rows widened to floats by
     * {@link #widenQ8_0Groups4} (from {@code wo} in {@code w}) and four activation rows ({@code cols} apart, the first
     * from {@code xo}), {@code blocks} blocks (resuming the sums in {@code out} if {@code resume}), 512-bit vectors
     * only. Each element's 32 row weights (two vectors) are multiplied by the broadcast activation quant of each row
     * ({@link Activations#quantFloats}); a block's 32 products per lane are summed in that lane, and at the block's
     * end multiply-added with {@code d_w·d_x} into the row's sum, as everywhere else.
     * <p>
     * This is exact, hence bit-equal to {@link #dotQ8_0Group}'s integer sums: every product of two quants
     * is at most 127 * 128 and a block's sum at most 32 times that, far below 2^24, so every partial sum is an
     * integer a float holds exactly, whatever the order. Eight independent block sums hide the fused
     * multiply-add's latency, and each broadcast feeds two of them.
     * <p>
     * Measured against earlier forms (Q8_0 pp512 in the model, two threads): widening the weight bytes inside this
     * loop, once per chunk for four activation rows, 72 against 77 t/s; two groups whose lanes held pairs of
     * elements, which a block's end gathered with two permutations per activation row, 77-78 against 83-90 t/s. The loop over a
     * block's elements stays nested: one loop over all chunks (as in {@link #dotQ4_0Rows}) measured a third slower
     * here, with the bytes widened inside; eight activation rows at once (the row sums in {@code out}) a fifth slower.
     */
    private static void dotQ8_0Groups4x4Float(float[] w, int wo, float[] xq, float[] xs, int xo, int cols, int blocks,
                                              boolean resume, float[] out, int outAt, int outStride) {
        FloatVector a0 = FloatVector.zero(F16), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
        if (resume) {
            a0 = FloatVector.fromArray(F16, out, outAt);
            b0 = FloatVector.fromArray(F16, out, outAt + 16);
            a1 = FloatVector.fromArray(F16, out, outAt + outStride);
            b1 = FloatVector.fromArray(F16, out, outAt + outStride + 16);
            a2 = FloatVector.fromArray(F16, out, outAt + 2 * outStride);
            b2 = FloatVector.fromArray(F16, out, outAt + 2 * outStride + 16);
            a3 = FloatVector.fromArray(F16, out, outAt + 3 * outStride);
            b3 = FloatVector.fromArray(F16, out, outAt + 3 * outStride + 16);
        }
        int x0 = xo, x1 = xo + cols, x2 = x1 + cols, x3 = x2 + cols;
        for (int blk = 0, at = wo; blk < blocks; blk++, at += WIDENED_BLOCK) {
            FloatVector p0 = FloatVector.zero(F16), r0 = p0, p1 = p0, r1 = p0, p2 = p0, r2 = p0, p3 = p0, r3 = p0;
            int e = 32 * blk;
            for (int k = 0; k < 32; k++) {
                FloatVector v = FloatVector.fromArray(F16, w, at + 32 + 32 * k);
                FloatVector u = FloatVector.fromArray(F16, w, at + 48 + 32 * k);
                FloatVector q0 = FloatVector.broadcast(F16, xq[x0 + e + k]);
                p0 = v.fma(q0, p0);
                r0 = u.fma(q0, r0);
                FloatVector q1 = FloatVector.broadcast(F16, xq[x1 + e + k]);
                p1 = v.fma(q1, p1);
                r1 = u.fma(q1, r1);
                FloatVector q2 = FloatVector.broadcast(F16, xq[x2 + e + k]);
                p2 = v.fma(q2, p2);
                r2 = u.fma(q2, r2);
                FloatVector q3 = FloatVector.broadcast(F16, xq[x3 + e + k]);
                p3 = v.fma(q3, p3);
                r3 = u.fma(q3, r3);
            }
            FloatVector d = FloatVector.fromArray(F16, w, at), c = FloatVector.fromArray(F16, w, at + 16);
            int sb = (xo >> 5) + blk, sc = cols >> 5;
            float d0 = xs[sb], d1 = xs[sb + sc], d2 = xs[sb + 2 * sc], d3 = xs[sb + 3 * sc];
            a0 = p0.fma(d.mul(d0), a0);
            b0 = r0.fma(c.mul(d0), b0);
            a1 = p1.fma(d.mul(d1), a1);
            b1 = r1.fma(c.mul(d1), b1);
            a2 = p2.fma(d.mul(d2), a2);
            b2 = r2.fma(c.mul(d2), b2);
            a3 = p3.fma(d.mul(d3), a3);
            b3 = r3.fma(c.mul(d3), b3);
        }
        a0.intoArray(out, outAt);
        b0.intoArray(out, outAt + 16);
        a1.intoArray(out, outAt + outStride);
        b1.intoArray(out, outAt + outStride + 16);
        a2.intoArray(out, outAt + 2 * outStride);
        b2.intoArray(out, outAt + 2 * outStride + 16);
        a3.intoArray(out, outAt + 3 * outStride);
        b3.intoArray(out, outAt + 3 * outStride + 16);
    }

    /**
     * Floats per block of four widened groups: the 32 rows' scales, then for each of the 32 elements the 32 rows'
     * quants.
     */
    private static final int WIDENED_BLOCK = 33 * 32;
    /** Each thread's widened panels of runs of four groups, kept between calls. */
    private static final ThreadLocal<float[]> WIDENED_PANEL = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Widens {@code blocks} blocks of four neighbouring Q8_0 groups ({@code groupBytes} apart) to floats, in the
     * order {@link #dotQ8_0Groups4x4Float} reads them: the 32 rows' scales (exactly as Float.float16ToFloat converts
     * them), then each element's 32 quants, rows in order. A group's chunk holds two elements of its eight rows in
     * turn; two permutations over two groups' widened chunks part them into the first element's 16 rows and the
     * second's.
     */
    private static void widenQ8_0Groups4(MemorySegment s, long o, long groupBytes, int blocks, float[] w, int wo) {
        for (int blk = 0, at = wo; blk < blocks; blk++, o += 272, at += WIDENED_BLOCK) {
            for (int half = 0; half < 2; half++) {
                long g = o + 2 * half * groupBytes;
                // Two groups' eight half-precision scales in one vector of 16, widened to floats.
                IntVector h = ((IntVector) ShortVector.fromMemorySegment(H8, s, g, LE).convertShape(S2I, IntVector.SPECIES_512, 0))
                        .blend(((IntVector) ShortVector.fromMemorySegment(H8, s, g + groupBytes, LE)
                                .convertShape(S2I, IntVector.SPECIES_512, 0)).rearrange(LOWER_TWICE), UPPER_EIGHT);
                IntVector magnitude = h.and(0x7FFF);
                magnitude.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitude.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitude.compare(LT, 0x400))
                        .lanewise(OR, 0x7F800000, magnitude.compare(GE, 0x7C00))
                        .or(h.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats().intoArray(w, at + 16 * half);
                for (int t = 0; t < 16; t++) {
                    FloatVector first = (FloatVector) ByteVector.fromMemorySegment(B16, s, g + 16 + 16 * t, LE).convertShape(B2F, F16, 0);
                    FloatVector second = (FloatVector) ByteVector.fromMemorySegment(B16, s, g + groupBytes + 16 + 16 * t, LE).convertShape(B2F, F16, 0);
                    FIRST_OF_PAIRS.selectFrom(first, second).intoArray(w, at + 32 + 32 * (2 * t) + 16 * half);
                    SECOND_OF_PAIRS.selectFrom(first, second).intoArray(w, at + 32 + 32 * (2 * t + 1) + 16 * half);
                }
            }
        }
    }

    /** {@link #dotQ8_0Group} for four activation rows ({@code cols} apart), each loaded weight chunk used by all four. */
    private static void dotQ8_0Group4(MemorySegment s, long o, int[] xp, float[] xs, int xo, int cols, int blocks,
                                      boolean resume, float[] out, int outAt, int outStride) {
        FloatVector a0 = FloatVector.zero(F8), a1 = a0, a2 = a0, a3 = a0;
        if (resume) {
            a0 = FloatVector.fromArray(F8, out, outAt);
            a1 = FloatVector.fromArray(F8, out, outAt + outStride);
            a2 = FloatVector.fromArray(F8, out, outAt + 2 * outStride);
            a3 = FloatVector.fromArray(F8, out, outAt + 3 * outStride);
        }
        int x0 = xo;
        int x1 = xo + 1 * cols;
        int x2 = xo + 2 * cols;
        int x3 = xo + 3 * cols;
        for (int blk = 0; blk < blocks; blk++, o += 272) {
            int e = 32 * blk;
            IntVector i0 = IntVector.zero(I8), i1 = i0, i2 = i0, i3 = i0;
            for (int t = 0; t < 16; t += 2) {
                ShortVector w0 = (ShortVector) ByteVector.fromMemorySegment(B16, s, o + 16 + 16 * t, LE).convertShape(B2S, S16, 0);
                ShortVector w1 = (ShortVector) ByteVector.fromMemorySegment(B16, s, o + 32 + 16 * t, LE).convertShape(B2S, S16, 0);
                ShortVector p0 = w0.mul(IntVector.broadcast(I8, xp[(x0 + e) / 2 + t]).reinterpretAsShorts())
                        .add(w1.mul(IntVector.broadcast(I8, xp[(x0 + e) / 2 + t + 1]).reinterpretAsShorts()));
                IntVector j0 = p0.reinterpretAsInts();
                i0 = i0.add(j0.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(j0.lanewise(ASHR, 16));
                ShortVector p1 = w0.mul(IntVector.broadcast(I8, xp[(x1 + e) / 2 + t]).reinterpretAsShorts())
                        .add(w1.mul(IntVector.broadcast(I8, xp[(x1 + e) / 2 + t + 1]).reinterpretAsShorts()));
                IntVector j1 = p1.reinterpretAsInts();
                i1 = i1.add(j1.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(j1.lanewise(ASHR, 16));
                ShortVector p2 = w0.mul(IntVector.broadcast(I8, xp[(x2 + e) / 2 + t]).reinterpretAsShorts())
                        .add(w1.mul(IntVector.broadcast(I8, xp[(x2 + e) / 2 + t + 1]).reinterpretAsShorts()));
                IntVector j2 = p2.reinterpretAsInts();
                i2 = i2.add(j2.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(j2.lanewise(ASHR, 16));
                ShortVector p3 = w0.mul(IntVector.broadcast(I8, xp[(x3 + e) / 2 + t]).reinterpretAsShorts())
                        .add(w1.mul(IntVector.broadcast(I8, xp[(x3 + e) / 2 + t + 1]).reinterpretAsShorts()));
                IntVector j3 = p3.reinterpretAsInts();
                i3 = i3.add(j3.lanewise(LSHL, 16).lanewise(ASHR, 16)).add(j3.lanewise(ASHR, 16));
            }
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H8, s, o, LE).convertShape(S2I, I8, 0);
            IntVector magnitude = h.and(0x7FFF);
            FloatVector dw = magnitude.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitude.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitude.compare(LT, 0x400))
                    .lanewise(OR, 0x7F800000, magnitude.compare(GE, 0x7C00))
                    .or(h.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
            a0 = ((FloatVector) i0.convert(I2F, 0)).fma(dw.mul(xs[(x0 + e) / 32]), a0);
            a1 = ((FloatVector) i1.convert(I2F, 0)).fma(dw.mul(xs[(x1 + e) / 32]), a1);
            a2 = ((FloatVector) i2.convert(I2F, 0)).fma(dw.mul(xs[(x2 + e) / 32]), a2);
            a3 = ((FloatVector) i3.convert(I2F, 0)).fma(dw.mul(xs[(x3 + e) / 32]), a3);
        }
        a0.intoArray(out, outAt);
        a1.intoArray(out, outAt + 1 * outStride);
        a2.intoArray(out, outAt + 2 * outStride);
        a3.intoArray(out, outAt + 3 * outStride);
    }

    /**
     * Float weights in tinyBLAS order, several activation rows: widening half-precision weights is exact, so
     * four rows are widened once and reused for every activation row of the tile. Returns the rows done.
     */
    private int tileFloat(GGMLType type, MemorySegment s, long o, long rowBytes, int rows, Activations x, int xRow,
                          int xRows, float[] out, int outOffset, int outStride) {
        int cols = x.cols;
        float[] wide = new float[4 * cols];
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            dequantize(type, s, o + r * rowBytes, 4 * cols, wide, 0);
            int b = 0;
            for (; b + 2 <= xRows; b += 2) {
                dotFloat4x2(wide, cols, x.values, (xRow + b) * cols, out, outOffset + b * outStride + r, outStride);
            }
            if (b < xRows) dotFloat4x1(wide, cols, x.values, (xRow + b) * cols, out, outOffset + b * outStride + r, outStride);
        }
        return r;
    }

    /*
     * Q8_0 and Q4_0 in 16-bit lanes, in ScalarKernels.dotQ32Paired's order. A block's 32 weights are widened to
     * two vectors of 16 shorts (elements 0..15 and 16..31; Q4_0's nibbles unpacked with their -8 offset) and
     * multiplied with the activations, which Activations keeps sign-extended to shorts; the two halves' products
     * are added lane by lane (|w·x| <= 128·127, so two of them fit a short), and adjacent shorts added as ints.
     * One float fused multiply-add per block applies d_w·d_x. Several activation rows share every weight block unpacked.
     */

    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Short> S32 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Integer> I16 = IntVector.SPECIES_512;
    private static final VectorSpecies<Long> L8 = LongVector.SPECIES_512;
    /** Two chunks' 32-bit lanes (eight rows each) interleaved: row 0 of both, row 1 of both, ... */
    private static final VectorShuffle<Integer> ZIP_CHUNKS =
            VectorShuffle.fromValues(I16, 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
    /** The lower eight lanes, or the upper eight, in both halves. */
    private static final VectorShuffle<Integer> DUP_LOWER = VectorShuffle.fromValues(I16, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
    private static final VectorShuffle<Integer> DUP_UPPER = VectorShuffle.fromValues(I16, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
    /** Pairs 2k and 2k + 1 of a block (of 16) in the lower and upper eight lanes, the multiplier of chunks 2k and 2k + 1. */
    private static final VectorShuffle<Integer> SPREAD_0 = VectorShuffle.fromValues(I16, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    private static final VectorShuffle<Integer> SPREAD_1 = VectorShuffle.fromValues(I16, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
    private static final VectorShuffle<Integer> SPREAD_2 = VectorShuffle.fromValues(I16, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5);
    private static final VectorShuffle<Integer> SPREAD_3 = VectorShuffle.fromValues(I16, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7);
    private static final VectorShuffle<Integer> SPREAD_4 = VectorShuffle.fromValues(I16, 8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9);
    private static final VectorShuffle<Integer> SPREAD_5 = VectorShuffle.fromValues(I16, 10, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11, 11, 11, 11);
    private static final VectorShuffle<Integer> SPREAD_6 = VectorShuffle.fromValues(I16, 12, 12, 12, 12, 12, 12, 12, 12, 13, 13, 13, 13, 13, 13, 13, 13);
    private static final VectorShuffle<Integer> SPREAD_7 = VectorShuffle.fromValues(I16, 14, 14, 14, 14, 14, 14, 14, 14, 15, 15, 15, 15, 15, 15, 15, 15);

    /**
     * Q8_0: one weight row at a time, applied to up to four activation rows at once, so that each weight block
     * is loaded and split into its even and odd bytes once for all of them (a single activation row, matVec,
     * reads the matrix as one sequential stream). Every output in the order of {@link #dotQ8_0}.
     */
    private static int tileQ8_0(MemorySegment s, long o, long rowBytes, int rows, Activations x, int xRow, int xRows,
                                float[] out, int outOffset, int outStride) {
        int cols = x.cols;
        for (int r = 0; r < rows; r++) {
            long row = o + r * rowBytes;
            int b = 0;
            for (; b + 4 <= xRows; b += 4) {
                dotQ8_0w1x4(s, row, x.evenOdd, x.scales, (xRow + b) * cols, cols, out, outOffset + b * outStride + r, outStride);
            }
            for (; b < xRows; b++) {
                out[outOffset + b * outStride + r] = dotQ8_0(s, row, x.evenOdd, x.scales, (xRow + b) * cols, cols / 32);
            }
        }
        return rows;
    }

    /** Q4_0 in the same arrangement as {@link #tileQ8_0}; every output in the order of {@link #dotQ4_0}. */
    private static int tileQ4_0(MemorySegment s, long o, long rowBytes, int rows, Activations x, int xRow, int xRows,
                                float[] out, int outOffset, int outStride) {
        int cols = x.cols;
        for (int r = 0; r < rows; r++) {
            long row = o + r * rowBytes;
            int b = 0;
            for (; b + 4 <= xRows; b += 4) {
                dotQ4_0w1x4(s, row, x.wide, x.scales, (xRow + b) * cols, cols, out, outOffset + b * outStride + r, outStride);
            }
            for (; b < xRows; b++) {
                out[outOffset + b * outStride + r] = dotQ4_0(s, row, x.wide, x.scales, (xRow + b) * cols, cols / 32);
            }
        }
        return rows;
    }

    /**
     * Q8_0 in llama.cpp's order ({@link ScalarKernels}' dotQ32): the 32 weight bytes loaded as 16 shorts, whose
     * even (low) and odd (high) bytes are sign-extended by shifts and multiplied with the activations' even and
     * odd elements, which {@link Activations} keeps apart as shorts; adjacent 16-bit sums, added as ints, give
     * lane j the four products 4j..4j+3.
     */
    private static float dotQ8_0(MemorySegment s, long o, short[] xp, float[] xs, int xo, int blocks) {
        FloatVector acc = FloatVector.zero(F8);
        for (int b = 0, xb = xo / 32; b < blocks; b++, o += 34, xo += 32, xb++) {
            ShortVector w = ByteVector.fromMemorySegment(B32, s, o + 2, LE).reinterpretAsShorts();
            IntVector p = w.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(ShortVector.fromArray(S16, xp, xo))
                    .add(w.lanewise(ASHR, 8).mul(ShortVector.fromArray(S16, xp, xo + 16))).reinterpretAsInts();
            IntVector q = p.lanewise(LSHL, 16).lanewise(ASHR, 16).add(p.lanewise(ASHR, 16));
            acc = ((FloatVector) q.convert(I2F, 0)).fma(FloatVector.broadcast(F8, f16(s, o) * xs[xb]), acc);
        }
        FloatVector r = acc.add(acc.slice(4));
        return (r.lane(0) + r.lane(2)) + (r.lane(1) + r.lane(3));
    }

    /**
     * {@link #dotQ8_0} of one weight row with the four activation rows starting at element {@code xo} (each
     * {@code cols} long), written to {@code out[outAt + k * outStride]} for k = 0..3.
     */
    private static void dotQ8_0w1x4(MemorySegment s, long o, short[] xq, float[] xs, int xo, int cols,
                                    float[] out, int outAt, int outStride) {
        FloatVector a0 = FloatVector.zero(F8), a1 = a0, a2 = a0, a3 = a0;
        int x1 = xo + cols, x2 = x1 + cols, x3 = x2 + cols;
        for (int b = 0, blocks = cols / 32; b < blocks; b++, o += 34) {
            ShortVector w = ByteVector.fromMemorySegment(B32, s, o + 2, LE).reinterpretAsShorts();
            ShortVector even = w.lanewise(LSHL, 8).lanewise(ASHR, 8);
            ShortVector odd = w.lanewise(ASHR, 8);
            float dw = f16(s, o);
            int e = 32 * b;
            IntVector p, q;
            p = even.mul(ShortVector.fromArray(S16, xq, xo + e)).add(odd.mul(ShortVector.fromArray(S16, xq, xo + e + 16))).reinterpretAsInts();
            q = p.lanewise(LSHL, 16).lanewise(ASHR, 16).add(p.lanewise(ASHR, 16));
            a0 = ((FloatVector) q.convert(I2F, 0)).fma(FloatVector.broadcast(F8, dw * xs[(xo + e) / 32]), a0);
            p = even.mul(ShortVector.fromArray(S16, xq, x1 + e)).add(odd.mul(ShortVector.fromArray(S16, xq, x1 + e + 16))).reinterpretAsInts();
            q = p.lanewise(LSHL, 16).lanewise(ASHR, 16).add(p.lanewise(ASHR, 16));
            a1 = ((FloatVector) q.convert(I2F, 0)).fma(FloatVector.broadcast(F8, dw * xs[(x1 + e) / 32]), a1);
            p = even.mul(ShortVector.fromArray(S16, xq, x2 + e)).add(odd.mul(ShortVector.fromArray(S16, xq, x2 + e + 16))).reinterpretAsInts();
            q = p.lanewise(LSHL, 16).lanewise(ASHR, 16).add(p.lanewise(ASHR, 16));
            a2 = ((FloatVector) q.convert(I2F, 0)).fma(FloatVector.broadcast(F8, dw * xs[(x2 + e) / 32]), a2);
            p = even.mul(ShortVector.fromArray(S16, xq, x3 + e)).add(odd.mul(ShortVector.fromArray(S16, xq, x3 + e + 16))).reinterpretAsInts();
            q = p.lanewise(LSHL, 16).lanewise(ASHR, 16).add(p.lanewise(ASHR, 16));
            a3 = ((FloatVector) q.convert(I2F, 0)).fma(FloatVector.broadcast(F8, dw * xs[(x3 + e) / 32]), a3);
        }
        FloatVector r0 = a0.add(a0.slice(4));
        out[outAt] = (r0.lane(0) + r0.lane(2)) + (r0.lane(1) + r0.lane(3));
        FloatVector r1 = a1.add(a1.slice(4));
        out[outAt + outStride] = (r1.lane(0) + r1.lane(2)) + (r1.lane(1) + r1.lane(3));
        FloatVector r2 = a2.add(a2.slice(4));
        out[outAt + 2 * outStride] = (r2.lane(0) + r2.lane(2)) + (r2.lane(1) + r2.lane(3));
        FloatVector r3 = a3.add(a3.slice(4));
        out[outAt + 3 * outStride] = (r3.lane(0) + r3.lane(2)) + (r3.lane(1) + r3.lane(3));
    }

    /*
     * Q4_0: the 16 bytes of a block widened to shorts once; low nibbles are elements 0..15, high nibbles 16..31.
     * Products are at most 8·127 and a lane pair's sum at most 4·8·127, so adjacent shorts can be added in the
     * upper half of an int lane ((p + (p << 16)) >> 16) without overflowing.
     */

    private static float dotQ4_0(MemorySegment s, long o, short[] xw, float[] xs, int xo, int blocks) {
        FloatVector acc = FloatVector.zero(F8);
        for (int b = 0, xb = xo / 32; b < blocks; b++, o += 18, xo += 32, xb++) {
            ShortVector xl = ShortVector.fromArray(S16, xw, xo);
            ShortVector xh = ShortVector.fromArray(S16, xw, xo + 16);
            ShortVector raw = (ShortVector) ByteVector.fromMemorySegment(B16, s, o + 2, LE).convertShape(ZERO_EXTEND_B2S, S16, 0);
            IntVector p = raw.and((short) 0xF).sub((short) 8).mul(xl).add(raw.lanewise(LSHR, 4).sub((short) 8).mul(xh)).reinterpretAsInts();
            IntVector q = p.add(p.lanewise(LSHL, 16)).lanewise(ASHR, 16);
            acc = ((FloatVector) q.convert(I2F, 0)).fma(FloatVector.broadcast(F8, f16(s, o) * xs[xb]), acc);
        }
        FloatVector r = acc.add(acc.slice(4));
        return (r.lane(0) + r.lane(2)) + (r.lane(1) + r.lane(3));
    }

    /** {@link #dotQ4_0} of one weight row with four activation rows, as {@link #dotQ8_0w1x4}. */
    private static void dotQ4_0w1x4(MemorySegment s, long o, short[] xq, float[] xs, int xo, int cols,
                                    float[] out, int outAt, int outStride) {
        FloatVector a0 = FloatVector.zero(F8), a1 = a0, a2 = a0, a3 = a0;
        int x1 = xo + cols, x2 = x1 + cols, x3 = x2 + cols;
        for (int b = 0, blocks = cols / 32; b < blocks; b++, o += 18) {
            ShortVector raw = (ShortVector) ByteVector.fromMemorySegment(B16, s, o + 2, LE).convertShape(ZERO_EXTEND_B2S, S16, 0);
            ShortVector lo = raw.and((short) 0xF).sub((short) 8);
            ShortVector hi = raw.lanewise(LSHR, 4).sub((short) 8);
            float dw = f16(s, o);
            int e = 32 * b;
            IntVector p, q;
            p = lo.mul(ShortVector.fromArray(S16, xq, xo + e)).add(hi.mul(ShortVector.fromArray(S16, xq, xo + e + 16))).reinterpretAsInts();
            q = p.add(p.lanewise(LSHL, 16)).lanewise(ASHR, 16);
            a0 = ((FloatVector) q.convert(I2F, 0)).fma(FloatVector.broadcast(F8, dw * xs[(xo + e) / 32]), a0);
            p = lo.mul(ShortVector.fromArray(S16, xq, x1 + e)).add(hi.mul(ShortVector.fromArray(S16, xq, x1 + e + 16))).reinterpretAsInts();
            q = p.add(p.lanewise(LSHL, 16)).lanewise(ASHR, 16);
            a1 = ((FloatVector) q.convert(I2F, 0)).fma(FloatVector.broadcast(F8, dw * xs[(x1 + e) / 32]), a1);
            p = lo.mul(ShortVector.fromArray(S16, xq, x2 + e)).add(hi.mul(ShortVector.fromArray(S16, xq, x2 + e + 16))).reinterpretAsInts();
            q = p.add(p.lanewise(LSHL, 16)).lanewise(ASHR, 16);
            a2 = ((FloatVector) q.convert(I2F, 0)).fma(FloatVector.broadcast(F8, dw * xs[(x2 + e) / 32]), a2);
            p = lo.mul(ShortVector.fromArray(S16, xq, x3 + e)).add(hi.mul(ShortVector.fromArray(S16, xq, x3 + e + 16))).reinterpretAsInts();
            q = p.add(p.lanewise(LSHL, 16)).lanewise(ASHR, 16);
            a3 = ((FloatVector) q.convert(I2F, 0)).fma(FloatVector.broadcast(F8, dw * xs[(x3 + e) / 32]), a3);
        }
        FloatVector r0 = a0.add(a0.slice(4));
        out[outAt] = (r0.lane(0) + r0.lane(2)) + (r0.lane(1) + r0.lane(3));
        FloatVector r1 = a1.add(a1.slice(4));
        out[outAt + outStride] = (r1.lane(0) + r1.lane(2)) + (r1.lane(1) + r1.lane(3));
        FloatVector r2 = a2.add(a2.slice(4));
        out[outAt + 2 * outStride] = (r2.lane(0) + r2.lane(2)) + (r2.lane(1) + r2.lane(3));
        FloatVector r3 = a3.add(a3.slice(4));
        out[outAt + 3 * outStride] = (r3.lane(0) + r3.lane(2)) + (r3.lane(1) + r3.lane(3));
    }

    /**
     * {@link #dotTiled} for four weight rows (already widened to floats, row r at {@code w[r * cols]}) and two
     * activation rows: eight accumulators, each loaded vector used by two or four of them.
     */
    private static void dotFloat4x2(float[] w, int cols, float[] xv, int xo, float[] out, int outAt, int outStride) {
        FloatVector a00 = FloatVector.zero(F8), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int i = 0; i < cols; i += 8) {
            FloatVector x0 = FloatVector.fromArray(F8, xv, xo + i);
            FloatVector x1 = FloatVector.fromArray(F8, xv, xo + 1 * cols + i);
            FloatVector w0 = FloatVector.fromArray(F8, w, i);
            a00 = w0.fma(x0, a00);
            a01 = w0.fma(x1, a01);
            FloatVector w1 = FloatVector.fromArray(F8, w, 1 * cols + i);
            a10 = w1.fma(x0, a10);
            a11 = w1.fma(x1, a11);
            FloatVector w2 = FloatVector.fromArray(F8, w, 2 * cols + i);
            a20 = w2.fma(x0, a20);
            a21 = w2.fma(x1, a21);
            FloatVector w3 = FloatVector.fromArray(F8, w, 3 * cols + i);
            a30 = w3.fma(x0, a30);
            a31 = w3.fma(x1, a31);
        }
        FloatVector h00 = a00.add(a00.slice(4));
        out[outAt + 0 * outStride + 0] = (h00.lane(0) + h00.lane(2)) + (h00.lane(1) + h00.lane(3));
        FloatVector h01 = a01.add(a01.slice(4));
        out[outAt + 1 * outStride + 0] = (h01.lane(0) + h01.lane(2)) + (h01.lane(1) + h01.lane(3));
        FloatVector h10 = a10.add(a10.slice(4));
        out[outAt + 0 * outStride + 1] = (h10.lane(0) + h10.lane(2)) + (h10.lane(1) + h10.lane(3));
        FloatVector h11 = a11.add(a11.slice(4));
        out[outAt + 1 * outStride + 1] = (h11.lane(0) + h11.lane(2)) + (h11.lane(1) + h11.lane(3));
        FloatVector h20 = a20.add(a20.slice(4));
        out[outAt + 0 * outStride + 2] = (h20.lane(0) + h20.lane(2)) + (h20.lane(1) + h20.lane(3));
        FloatVector h21 = a21.add(a21.slice(4));
        out[outAt + 1 * outStride + 2] = (h21.lane(0) + h21.lane(2)) + (h21.lane(1) + h21.lane(3));
        FloatVector h30 = a30.add(a30.slice(4));
        out[outAt + 0 * outStride + 3] = (h30.lane(0) + h30.lane(2)) + (h30.lane(1) + h30.lane(3));
        FloatVector h31 = a31.add(a31.slice(4));
        out[outAt + 1 * outStride + 3] = (h31.lane(0) + h31.lane(2)) + (h31.lane(1) + h31.lane(3));
    }

    /** {@link #dotFloat4x2} for a single activation row. */
    private static void dotFloat4x1(float[] w, int cols, float[] xv, int xo, float[] out, int outAt, int outStride) {
        FloatVector a00 = FloatVector.zero(F8), a10 = a00, a20 = a00, a30 = a00;
        for (int i = 0; i < cols; i += 8) {
            FloatVector x0 = FloatVector.fromArray(F8, xv, xo + i);
            FloatVector w0 = FloatVector.fromArray(F8, w, i);
            a00 = w0.fma(x0, a00);
            FloatVector w1 = FloatVector.fromArray(F8, w, 1 * cols + i);
            a10 = w1.fma(x0, a10);
            FloatVector w2 = FloatVector.fromArray(F8, w, 2 * cols + i);
            a20 = w2.fma(x0, a20);
            FloatVector w3 = FloatVector.fromArray(F8, w, 3 * cols + i);
            a30 = w3.fma(x0, a30);
        }
        FloatVector h00 = a00.add(a00.slice(4));
        out[outAt + 0 * outStride + 0] = (h00.lane(0) + h00.lane(2)) + (h00.lane(1) + h00.lane(3));
        FloatVector h10 = a10.add(a10.slice(4));
        out[outAt + 0 * outStride + 1] = (h10.lane(0) + h10.lane(2)) + (h10.lane(1) + h10.lane(3));
        FloatVector h20 = a20.add(a20.slice(4));
        out[outAt + 0 * outStride + 2] = (h20.lane(0) + h20.lane(2)) + (h20.lane(1) + h20.lane(3));
        FloatVector h30 = a30.add(a30.slice(4));
        out[outAt + 0 * outStride + 3] = (h30.lane(0) + h30.lane(2)) + (h30.lane(1) + h30.lane(3));
    }

    /** {@link ScalarKernels}'s tinyBLAS order: one accumulator of eight lanes, fused multiply-adds, {@code hsum}. */
    private static float dotTiled(GGMLType type, MemorySegment s, long o, float[] xv, int xo, int count) {
        FloatVector acc = FloatVector.zero(F8);
        if (type == GGMLType.F32) {
            for (int i = 0; i < count; i += 8) {
                acc = FloatVector.fromMemorySegment(F8, s, o + 4L * i, LE).fma(FloatVector.fromArray(F8, xv, xo + i), acc);
            }
        } else {
            boolean f16 = type == GGMLType.F16;
            for (int i = 0; i < count; i += 8) {
                IntVector h = (IntVector) ShortVector.fromMemorySegment(H8, s, o + 2L * i, LE).convertShape(S2I, I8, 0);
                FloatVector w;
                if (f16) {
                    IntVector magnitude = h.and(0x7FFF);
                    w = magnitude.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitude.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitude.compare(LT, 0x400))
                            .lanewise(OR, 0x7F800000, magnitude.compare(GE, 0x7C00))
                            .or(h.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
                } else {
                    w = h.lanewise(LSHL, 16).reinterpretAsFloats();
                }
                acc = w.fma(FloatVector.fromArray(F8, xv, xo + i), acc);
            }
        }
        FloatVector r = acc.add(acc.slice(4));
        return (r.lane(0) + r.lane(2)) + (r.lane(1) + r.lane(3));
    }

    /** {@link ScalarKernels}'s {@code vec_dot} order: four accumulators of eight lanes over steps of 32, reduced pairwise. */
    private static float vecDotFloat(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        float[] xv = x.values;
        int np = count & ~31;
        FloatVector a0 = FloatVector.zero(F8), a1 = a0, a2 = a0, a3 = a0;
        if (type == GGMLType.F32) {
            for (int i = 0; i < np; i += 32) {
                a0 = FloatVector.fromMemorySegment(F8, s, o + 4L * i, LE).fma(FloatVector.fromArray(F8, xv, xo + i), a0);
                a1 = FloatVector.fromMemorySegment(F8, s, o + 4L * (i + 8), LE).fma(FloatVector.fromArray(F8, xv, xo + i + 8), a1);
                a2 = FloatVector.fromMemorySegment(F8, s, o + 4L * (i + 16), LE).fma(FloatVector.fromArray(F8, xv, xo + i + 16), a2);
                a3 = FloatVector.fromMemorySegment(F8, s, o + 4L * (i + 24), LE).fma(FloatVector.fromArray(F8, xv, xo + i + 24), a3);
            }
        } else {
            boolean f16 = type == GGMLType.F16;
            for (int i = 0; i < np; i += 8) {
                IntVector h = (IntVector) ShortVector.fromMemorySegment(H8, s, o + 2L * i, LE).convertShape(S2I, I8, 0);
                FloatVector w;
                if (f16) {
                    IntVector magnitude = h.and(0x7FFF);
                    w = magnitude.lanewise(LSHL, 13).add(0x38000000).blend(((FloatVector) magnitude.convert(I2F, 0)).mul(0x1p-24f).reinterpretAsInts(), magnitude.compare(LT, 0x400))
                            .lanewise(OR, 0x7F800000, magnitude.compare(GE, 0x7C00))
                            .or(h.and(0x8000).lanewise(LSHL, 16)).reinterpretAsFloats();
                } else {
                    w = h.lanewise(LSHL, 16).reinterpretAsFloats();
                }
                // Rotate the accumulators so that a0 always takes the next step of 8: after four steps each is back in place.
                FloatVector next = w.fma(FloatVector.fromArray(F8, xv, xo + i), a0);
                a0 = a1;
                a1 = a2;
                a2 = a3;
                a3 = next;
            }
        }
        FloatVector c = a0.add(a2).add(a1.add(a3));
        FloatVector r = c.add(c.slice(4));
        float reduced = type == GGMLType.BF16 ? (r.lane(0) + r.lane(2)) + (r.lane(1) + r.lane(3))
                : (r.lane(0) + r.lane(1)) + (r.lane(2) + r.lane(3));
        return ScalarKernels.vecDotLeftovers(type, s, o, x, xo, np, count, reduced);
    }

    /*
     * The 32-element block types follow ggml's AVX2 order (see ScalarKernels.dotQ32): the eight integer lanes
     * are kept as two halves of four (elements 0..15 and 16..31), each from 16 weight and 16 activation bytes.
     * Bytes are multiplied in 16-bit lanes, even and odd bytes apart, and adjacent products summed; the
     * 16-bit pair sums, reread as 32-bit lanes, are summed pairwise again, giving four consecutive products
     * per lane exactly as _mm256_maddubs_epi16 followed by _mm256_madd_epi16 does.
     */

    private static float dotQ4_0OrQ4_1(GGMLType type, MemorySegment s, long o, Activations x, int xo, int blocks) {
        byte[] xq = x.quants;
        boolean withMin = type == GGMLType.Q4_1;
        int quantsAt = withMin ? 4 : 2;
        byte offset = (byte) (withMin ? 0 : 8);
        FloatVector lo = FloatVector.zero(F4), hi = lo;
        float mins = 0;
        for (int b = 0; b < blocks; b++, o += type.bytesPerBlock, xo += 32) {
            FloatVector d = FloatVector.broadcast(F4, f16(s, o) * x.scales[xo / 32]);
            ByteVector raw = ByteVector.fromMemorySegment(B16, s, o + quantsAt, LE);
            ShortVector w = raw.and((byte) 0xF).sub(offset).reinterpretAsShorts();
            ShortVector v = ByteVector.fromArray(B16, xq, xo).reinterpretAsShorts();
            IntVector p = w.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(v.lanewise(LSHL, 8).lanewise(ASHR, 8))
                    .add(w.lanewise(ASHR, 8).mul(v.lanewise(ASHR, 8))).reinterpretAsInts();
            lo = ((FloatVector) p.lanewise(LSHL, 16).lanewise(ASHR, 16).add(p.lanewise(ASHR, 16)).convert(I2F, 0)).fma(d, lo);
            w = raw.lanewise(LSHR, 4).sub(offset).reinterpretAsShorts();
            v = ByteVector.fromArray(B16, xq, xo + 16).reinterpretAsShorts();
            p = w.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(v.lanewise(LSHL, 8).lanewise(ASHR, 8))
                    .add(w.lanewise(ASHR, 8).mul(v.lanewise(ASHR, 8))).reinterpretAsInts();
            hi = ((FloatVector) p.lanewise(LSHL, 16).lanewise(ASHR, 16).add(p.lanewise(ASHR, 16)).convert(I2F, 0)).fma(d, hi);
            if (withMin) mins = Math.fma(f16(s, o + 2), x.blockSums[xo / 32], mins);
        }
        FloatVector r = lo.add(hi);
        return (r.lane(0) + r.lane(2)) + (r.lane(1) + r.lane(3)) + mins;
    }

    private static float dotQ5_0OrQ5_1(GGMLType type, MemorySegment s, long o, Activations x, int xo, int blocks) {
        byte[] xq = x.quants;
        boolean withMin = type == GGMLType.Q5_1;
        int qhAt = withMin ? 4 : 2;
        byte offset = (byte) (withMin ? 0 : 16);
        FloatVector lo = FloatVector.zero(F4), hi = lo;
        float mins = 0;
        for (int b = 0; b < blocks; b++, o += type.bytesPerBlock, xo += 32) {
            FloatVector d = FloatVector.broadcast(F4, f16(s, o) * x.scales[xo / 32]);
            int qh = s.get(ScalarKernels.INT, o + qhAt);
            ByteVector raw = ByteVector.fromMemorySegment(B16, s, o + qhAt + 4, LE);
            ShortVector w = raw.and((byte) 0xF).lanewise(OR, (byte) 0x10, VectorMask.fromLong(B16, qh & 0xFFFF))
                    .sub(offset).reinterpretAsShorts();
            ShortVector v = ByteVector.fromArray(B16, xq, xo).reinterpretAsShorts();
            IntVector p = w.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(v.lanewise(LSHL, 8).lanewise(ASHR, 8))
                    .add(w.lanewise(ASHR, 8).mul(v.lanewise(ASHR, 8))).reinterpretAsInts();
            lo = ((FloatVector) p.lanewise(LSHL, 16).lanewise(ASHR, 16).add(p.lanewise(ASHR, 16)).convert(I2F, 0)).fma(d, lo);
            w = raw.lanewise(LSHR, 4).lanewise(OR, (byte) 0x10, VectorMask.fromLong(B16, qh >>> 16))
                    .sub(offset).reinterpretAsShorts();
            v = ByteVector.fromArray(B16, xq, xo + 16).reinterpretAsShorts();
            p = w.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(v.lanewise(LSHL, 8).lanewise(ASHR, 8))
                    .add(w.lanewise(ASHR, 8).mul(v.lanewise(ASHR, 8))).reinterpretAsInts();
            hi = ((FloatVector) p.lanewise(LSHL, 16).lanewise(ASHR, 16).add(p.lanewise(ASHR, 16)).convert(I2F, 0)).fma(d, hi);
            if (withMin) mins = Math.fma(f16(s, o + 2), x.blockSums[xo / 32], mins);
        }
        FloatVector r = lo.add(hi);
        return (r.lane(0) + r.lane(2)) + (r.lane(1) + r.lane(3)) + mins;
    }

    /**
     * Q4_K in {@link ScalarKernels#dotK}'s order, written out for the one type: the scales and minimums of a
     * super-block decoded once, each 32 quant bytes loaded once for their two chunks, the float part in vector lanes.
     */
    private static float dotQ4_K(MemorySegment s, long o, Activations x, int xo, int blocks) {
        byte[] xq = x.quants;
        int[] gs = x.groupSums;
        int[] sm = new int[16];
        FloatVector acc = FloatVector.zero(F8);
        float m0 = 0, m1 = 0, m2 = 0, m3 = 0;
        for (int b = 0; b < blocks; b++, o += 144, xo += 256) {
            float dy = x.scales[xo / 256];
            int g = xo / 16;
            scalesMinsK4(s, o + 4, sm);
            float dmin = -dy * f16(s, o + 2);
            m0 = Math.fma(dmin, (float) (sm[8] * (gs[g] + gs[g + 1]) + sm[9] * (gs[g + 2] + gs[g + 3])), m0);
            m1 = Math.fma(dmin, (float) (sm[10] * (gs[g + 4] + gs[g + 5]) + sm[11] * (gs[g + 6] + gs[g + 7])), m1);
            m2 = Math.fma(dmin, (float) (sm[12] * (gs[g + 8] + gs[g + 9]) + sm[13] * (gs[g + 10] + gs[g + 11])), m2);
            m3 = Math.fma(dmin, (float) (sm[14] * (gs[g + 12] + gs[g + 13]) + sm[15] * (gs[g + 14] + gs[g + 15])), m3);
            float d = dy * f16(s, o);
            IntVector lanes = IntVector.zero(I8);
            for (int i = 0; i < 4; i++) {
                // One load of 32 bytes serves two chunks: low nibbles then high nibbles.
                ByteVector raw = ByteVector.fromMemorySegment(B32, s, o + 16 + 32 * i, LE);
                ShortVector w, v;
                IntVector p;
                w = raw.and((byte) 15).reinterpretAsShorts();
                v = ByteVector.fromArray(B32, xq, xo + 64 * i).reinterpretAsShorts();
                p = w.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(v.lanewise(LSHL, 8).lanewise(ASHR, 8))
                        .add(w.lanewise(ASHR, 8).mul(v.lanewise(ASHR, 8))).reinterpretAsInts();
                lanes = lanes.add(p.lanewise(LSHL, 16).lanewise(ASHR, 16).add(p.lanewise(ASHR, 16)).mul(sm[2 * i]));
                w = raw.lanewise(LSHR, 4).reinterpretAsShorts();
                v = ByteVector.fromArray(B32, xq, xo + 64 * i + 32).reinterpretAsShorts();
                p = w.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(v.lanewise(LSHL, 8).lanewise(ASHR, 8))
                        .add(w.lanewise(ASHR, 8).mul(v.lanewise(ASHR, 8))).reinterpretAsInts();
                lanes = lanes.add(p.lanewise(LSHL, 16).lanewise(ASHR, 16).add(p.lanewise(ASHR, 16)).mul(sm[2 * i + 1]));
            }
            acc = ((FloatVector) lanes.convert(I2F, 0)).fma(FloatVector.broadcast(F8, d), acc);
        }
        FloatVector r = acc.add(acc.slice(4));
        // dotK's zero term for Q5_K's minimums, kept: it turns a -0 result into +0.
        return (r.lane(0) + r.lane(2)) + (r.lane(1) + r.lane(3)) + ((m0 + m2) + (m1 + m3)) + 0f;
    }

    /** The eight 6-bit scales ({@code out[0..8)}) and minimums ({@code out[8..16)}) of a Q4_K/Q5_K super-block. */
    private static void scalesMinsK4(MemorySegment s, long scales, int[] out) {
        for (int j = 0; j < 8; j++) {
            int sm = scaleMinK4(s, scales, j);
            out[j] = sm & 0xFF;
            out[8 + j] = sm >> 8;
        }
    }

    /** Q6_K in {@link ScalarKernels#dotK}'s order, written out for the one type, each quant byte loaded once. */
    private static float dotQ6_K(MemorySegment s, long o, Activations x, int xo, int blocks) {
        byte[] xq = x.quants;
        FloatVector acc = FloatVector.zero(F8);
        for (int b = 0; b < blocks; b++, o += 210, xo += 256) {
            float d = x.scales[xo / 256] * f16(s, o + 208);
            IntVector lanes = IntVector.zero(I8);
            for (int h = 0; h < 2; h++) {
                // Chunks 4h..4h+3 take their low four bits from two 32-byte loads and their high two from one.
                ByteVector ql0 = ByteVector.fromMemorySegment(B32, s, o + 64 * h, LE);
                ByteVector ql1 = ByteVector.fromMemorySegment(B32, s, o + 64 * h + 32, LE);
                ByteVector qh = ByteVector.fromMemorySegment(B32, s, o + 128 + 32 * h, LE);
                long sc = o + 192 + 8 * h;
                int xc = xo + 128 * h;
                ShortVector w, v;
                IntVector p;
                w = ql0.and((byte) 15).or(qh.and((byte) 3).lanewise(LSHL, 4)).sub((byte) 32).reinterpretAsShorts();
                v = ByteVector.fromArray(B32, xq, xc).reinterpretAsShorts();
                p = w.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(v.lanewise(LSHL, 8).lanewise(ASHR, 8))
                        .add(w.lanewise(ASHR, 8).mul(v.lanewise(ASHR, 8))).reinterpretAsInts();
                lanes = lanes.add(p.lanewise(LSHL, 16).lanewise(ASHR, 16).add(p.lanewise(ASHR, 16)).mul(IntVector.broadcast(I8, i8(s, sc + 0)).blend(i8(s, sc + 1), UPPER_HALF)));
                w = ql1.and((byte) 15).or(qh.lanewise(LSHR, 2).and((byte) 3).lanewise(LSHL, 4)).sub((byte) 32).reinterpretAsShorts();
                v = ByteVector.fromArray(B32, xq, xc + 32).reinterpretAsShorts();
                p = w.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(v.lanewise(LSHL, 8).lanewise(ASHR, 8))
                        .add(w.lanewise(ASHR, 8).mul(v.lanewise(ASHR, 8))).reinterpretAsInts();
                lanes = lanes.add(p.lanewise(LSHL, 16).lanewise(ASHR, 16).add(p.lanewise(ASHR, 16)).mul(IntVector.broadcast(I8, i8(s, sc + 2)).blend(i8(s, sc + 3), UPPER_HALF)));
                w = ql0.lanewise(LSHR, 4).or(qh.lanewise(LSHR, 4).and((byte) 3).lanewise(LSHL, 4)).sub((byte) 32).reinterpretAsShorts();
                v = ByteVector.fromArray(B32, xq, xc + 64).reinterpretAsShorts();
                p = w.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(v.lanewise(LSHL, 8).lanewise(ASHR, 8))
                        .add(w.lanewise(ASHR, 8).mul(v.lanewise(ASHR, 8))).reinterpretAsInts();
                lanes = lanes.add(p.lanewise(LSHL, 16).lanewise(ASHR, 16).add(p.lanewise(ASHR, 16)).mul(IntVector.broadcast(I8, i8(s, sc + 4)).blend(i8(s, sc + 5), UPPER_HALF)));
                w = ql1.lanewise(LSHR, 4).or(qh.lanewise(LSHR, 6).lanewise(LSHL, 4)).sub((byte) 32).reinterpretAsShorts();
                v = ByteVector.fromArray(B32, xq, xc + 96).reinterpretAsShorts();
                p = w.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(v.lanewise(LSHL, 8).lanewise(ASHR, 8))
                        .add(w.lanewise(ASHR, 8).mul(v.lanewise(ASHR, 8))).reinterpretAsInts();
                lanes = lanes.add(p.lanewise(LSHL, 16).lanewise(ASHR, 16).add(p.lanewise(ASHR, 16)).mul(IntVector.broadcast(I8, i8(s, sc + 6)).blend(i8(s, sc + 7), UPPER_HALF)));
            }
            acc = ((FloatVector) lanes.convert(I2F, 0)).fma(FloatVector.broadcast(F8, d), acc);
        }
        FloatVector r = acc.add(acc.slice(4));
        // dotK's zero terms for the other types' minimums, kept: they turn a -0 result into +0.
        return (r.lane(0) + r.lane(2)) + (r.lane(1) + r.lane(3)) + 0f + 0f;
    }

    /**
     * {@link ScalarKernels#superBlockLanes} one 32-element chunk at a time: the chunk's quants are unpacked
     * to 32 bytes, multiplied with the activations in 16-bit lanes (even and odd bytes apart, then added),
     * and adjacent 16-bit sums added as 32-bit lanes, which gives lane m the four products 4m..4m+3 as
     * _mm256_maddubs_epi16 then _mm256_madd_epi16 do; the lanes are scaled (per 16 or 32 elements) and summed.
     */
    static void superBlockLanes(GGMLType type, MemorySegment s, long o, byte[] xq, int xo, int[] out) {
        IntVector acc = IntVector.zero(I8);
        for (int c = 0; c < 8; c++) {
            ByteVector q;
            IntVector scale;
            switch (type) {
                case Q2_K -> {
                    q = ByteVector.fromMemorySegment(B32, s, o + 16 + 32 * (c / 4), LE).lanewise(LSHR, 2 * (c % 4)).and((byte) 3);
                    scale = IntVector.broadcast(I8, u8(s, o + 2 * c) & 0xF).blend(u8(s, o + 2 * c + 1) & 0xF, UPPER_HALF);
                }
                case Q3_K -> {
                    ByteVector high = ByteVector.fromMemorySegment(B32, s, o, LE).lanewise(LSHR, c).and((byte) 1);
                    q = ByteVector.fromMemorySegment(B32, s, o + 32 + 32 * (c / 4), LE).lanewise(LSHR, 2 * (c % 4)).and((byte) 3)
                            .add(high.lanewise(LSHL, 2)).sub((byte) 4);
                    scale = IntVector.broadcast(I8, scaleQ3K(s, o + 96, 2 * c)).blend(scaleQ3K(s, o + 96, 2 * c + 1), UPPER_HALF);
                }
                case Q4_K -> {
                    q = ByteVector.fromMemorySegment(B32, s, o + 16 + 32 * (c / 2), LE).lanewise(LSHR, 4 * (c % 2)).and((byte) 15);
                    scale = IntVector.broadcast(I8, scaleMinK4(s, o + 4, c) & 0xFF);
                }
                case Q5_K -> {
                    ByteVector high = ByteVector.fromMemorySegment(B32, s, o + 16, LE).lanewise(LSHR, c).and((byte) 1);
                    q = ByteVector.fromMemorySegment(B32, s, o + 48 + 32 * (c / 2), LE).lanewise(LSHR, 4 * (c % 2)).and((byte) 15)
                            .or(high.lanewise(LSHL, 4));
                    scale = IntVector.broadcast(I8, scaleMinK4(s, o + 4, c) & 0xFF);
                }
                default -> {
                    int half = c / 4, g = c % 4;
                    ByteVector low4 = ByteVector.fromMemorySegment(B32, s, o + 64 * half + 32 * (g & 1), LE)
                            .lanewise(LSHR, 4 * (g >> 1)).and((byte) 15);
                    ByteVector high2 = ByteVector.fromMemorySegment(B32, s, o + 128 + 32 * half, LE)
                            .lanewise(LSHR, 2 * g).and((byte) 3);
                    q = low4.or(high2.lanewise(LSHL, 4)).sub((byte) 32);
                    scale = IntVector.broadcast(I8, i8(s, o + 192 + 2 * c)).blend(i8(s, o + 192 + 2 * c + 1), UPPER_HALF);
                }
            }
            ShortVector w = q.reinterpretAsShorts();
            ShortVector v = ByteVector.fromArray(B32, xq, xo + 32 * c).reinterpretAsShorts();
            IntVector p = w.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(v.lanewise(LSHL, 8).lanewise(ASHR, 8))
                    .add(w.lanewise(ASHR, 8).mul(v.lanewise(ASHR, 8))).reinterpretAsInts();
            acc = acc.add(p.lanewise(LSHL, 16).lanewise(ASHR, 16).add(p.lanewise(ASHR, 16)).mul(scale));
        }
        acc.intoArray(out, 0);
    }
}
