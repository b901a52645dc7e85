package dev.amadeus.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.amadeus.tensor.ScalarKernels.f16;
import static dev.amadeus.tensor.ScalarKernels.i8;
import static dev.amadeus.tensor.ScalarKernels.scaleMinK4;
import static dev.amadeus.tensor.ScalarKernels.scaleQ3K;
import static dev.amadeus.tensor.ScalarKernels.u8;

/**
 * Vector API kernels, written once for whatever float vector width the CPU prefers (4, 8 or 16 lanes).
 * Quants are unpacked in byte lanes ({@link #BYTES_PER_CHUNK} at a time), widened to float lanes and
 * multiplied there. Products of two 8-bit quants, summed over one block in a float lane, are small
 * integers and therefore exact, so a block's sum equals ggml's integer sum; only the final scaling and
 * the summation across blocks round differently from the scalar code.
 * Dequantization performs the scalar code's float operations in the same order and is bit-identical.
 */
final class VectorKernels implements TensorKernels {
    static final VectorKernels INSTANCE = new VectorKernels();

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
    static final long CHUNK_LANE_BITS = (1L << BYTES_PER_CHUNK) - 1;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int C = BYTES_PER_CHUNK;

    private VectorKernels() {
    }

    private static ByteVector load(MemorySegment s, long offset) {
        return ByteVector.fromMemorySegment(B, s, offset, LE);
    }

    private static FloatVector widen(ByteVector v, int part) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, part);
    }

    /** {@code acc + w * x} over one chunk, where {@code w} holds integer quants and {@code x} activation quants. */
    private static FloatVector dotChunk(ByteVector w, byte[] xq, int xo, FloatVector acc) {
        ByteVector xv = ByteVector.fromArray(B, xq, xo);
        for (int p = 0; p < PARTS; p++) {
            acc = widen(w, p).fma(widen(xv, p), acc);
        }
        return acc;
    }

    /** {@code acc + v * f}; rounds like ggml's "integer block sum times float scale". */
    private static FloatVector scaledAdd(FloatVector v, float f, FloatVector acc) {
        return v.fma(FloatVector.broadcast(F, f), acc);
    }

    private static void storeScaled(ByteVector q, float d, float[] y, int yo) {
        for (int p = 0; p < PARTS; p++) widen(q, p).mul(d).intoArray(y, yo + p * L);
    }

    private static void storeScaledPlus(ByteVector q, float d, float m, float[] y, int yo) {
        for (int p = 0; p < PARTS; p++) widen(q, p).mul(d).add(m).intoArray(y, yo + p * L);
    }

    private static void storeScaledMinus(ByteVector q, float d, float m, float[] y, int yo) {
        for (int p = 0; p < PARTS; p++) widen(q, p).mul(d).sub(m).intoArray(y, yo + p * L);
    }

    /** 0x10 in every lane whose bit is set in {@code bits}: the fifth quant bit of Q5_0/Q5_1. */
    private static ByteVector withFifthBit(ByteVector low4, int bits) {
        VectorMask<Byte> set = VectorMask.fromLong(B, bits & CHUNK_LANE_BITS);
        return low4.lanewise(VectorOperators.OR, (byte) 0x10, set);
    }

    private static ByteVector bits(ByteVector v, int shift, int mask) {
        return v.lanewise(VectorOperators.LSHR, shift).and((byte) mask);
    }

    private static FloatVector halfToFloat(MemorySegment s, long offset) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(H, s, offset, LE).convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitude = h.and(0x7FFF);
        // Shifting the half's exponent and mantissa into float position and scaling by 2^112 rebiases
        // the exponent, and handles subnormal halves exactly; infinities and NaNs need their exponent forced.
        FloatVector scaled = magnitude.lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f);
        IntVector bits = scaled.reinterpretAsInts()
                .lanewise(VectorOperators.OR, 0x7F800000, magnitude.compare(VectorOperators.GE, 0x7C00))
                .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16));
        return bits.reinterpretAsFloats();
    }

    private static FloatVector bf16ToFloat(MemorySegment s, long offset) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(H, s, offset, LE).convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    @Override
    public void dequantize(GGMLType type, MemorySegment s, long o, int count, float[] y, int yo) {
        int blocks = count / type.blockSize;
        switch (type) {
            case F32 -> MemorySegment.copy(s, ScalarKernels.FLOAT, o, y, yo, count);
            case F16, BF16 -> {
                int i = 0;
                for (; i <= count - L; i += L) {
                    FloatVector v = type == GGMLType.F16 ? halfToFloat(s, o + 2L * i) : bf16ToFloat(s, o + 2L * i);
                    v.intoArray(y, yo + i);
                }
                if (i < count) ScalarKernels.INSTANCE.dequantize(type, s, o + 2L * i, count - i, y, yo + i);
            }
            case Q8_0 -> {
                for (int b = 0; b < blocks; b++, o += 34, yo += 32) {
                    float d = f16(s, o);
                    for (int c = 0; c < 32; c += C) storeScaled(load(s, o + 2 + c), d, y, yo + c);
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < blocks; b++, o += 18, yo += 32) {
                    float d = f16(s, o);
                    for (int c = 0; c < 16; c += C) {
                        ByteVector raw = load(s, o + 2 + c);
                        storeScaled(raw.and((byte) 0xF).sub((byte) 8), d, y, yo + c);
                        storeScaled(raw.lanewise(VectorOperators.LSHR, 4).sub((byte) 8), d, y, yo + 16 + c);
                    }
                }
            }
            case Q4_1 -> {
                for (int b = 0; b < blocks; b++, o += 20, yo += 32) {
                    float d = f16(s, o);
                    float m = f16(s, o + 2);
                    for (int c = 0; c < 16; c += C) {
                        ByteVector raw = load(s, o + 4 + c);
                        storeScaledPlus(raw.and((byte) 0xF), d, m, y, yo + c);
                        storeScaledPlus(raw.lanewise(VectorOperators.LSHR, 4), d, m, y, yo + 16 + c);
                    }
                }
            }
            case Q5_0 -> {
                for (int b = 0; b < blocks; b++, o += 22, yo += 32) {
                    float d = f16(s, o);
                    int qh = s.get(ScalarKernels.INT, o + 2);
                    for (int c = 0; c < 16; c += C) {
                        ByteVector raw = load(s, o + 6 + c);
                        storeScaled(withFifthBit(raw.and((byte) 0xF), qh >>> c).sub((byte) 16), d, y, yo + c);
                        storeScaled(withFifthBit(raw.lanewise(VectorOperators.LSHR, 4), qh >>> (16 + c)).sub((byte) 16), d, y, yo + 16 + c);
                    }
                }
            }
            case Q5_1 -> {
                for (int b = 0; b < blocks; b++, o += 24, yo += 32) {
                    float d = f16(s, o);
                    float m = f16(s, o + 2);
                    int qh = s.get(ScalarKernels.INT, o + 4);
                    for (int c = 0; c < 16; c += C) {
                        ByteVector raw = load(s, o + 8 + c);
                        storeScaledPlus(withFifthBit(raw.and((byte) 0xF), qh >>> c), d, m, y, yo + c);
                        storeScaledPlus(withFifthBit(raw.lanewise(VectorOperators.LSHR, 4), qh >>> (16 + c)), d, m, y, yo + 16 + c);
                    }
                }
            }
            case Q2_K -> {
                for (int b = 0; b < blocks; b++, o += 84, yo += 256) {
                    float d = f16(s, o + 80);
                    float min = f16(s, o + 82);
                    for (int e = 0; e < 256; e += C) {
                        int sc = u8(s, o + e / 16);
                        ByteVector q = bits(load(s, o + 16 + 32 * (e / 128) + e % 32), 2 * ((e % 128) / 32), 3);
                        storeScaledMinus(q, d * (sc & 0xF), min * (sc >> 4), y, yo + e);
                    }
                }
            }
            case Q3_K -> {
                for (int b = 0; b < blocks; b++, o += 110, yo += 256) {
                    float d = f16(s, o + 108);
                    for (int e = 0; e < 256; e += C) {
                        ByteVector q = q3k(s, o, e);
                        storeScaled(q, d * scaleQ3K(s, o + 96, e / 16), y, yo + e);
                    }
                }
            }
            case Q4_K, Q5_K -> {
                boolean five = type == GGMLType.Q5_K;
                for (int b = 0; b < blocks; b++, o += type.bytesPerBlock, yo += 256) {
                    float d = f16(s, o);
                    float min = f16(s, o + 2);
                    long qs = o + (five ? 48 : 16);
                    for (int j = 0; j < 8; j++) {
                        int scMin = scaleMinK4(s, o + 4, j);
                        float dl = d * (scMin & 0xFF);
                        float ml = min * (scMin >> 8);
                        for (int l = 0; l < 32; l += C) {
                            ByteVector q = bits(load(s, qs + 32 * (j / 2) + l), 4 * (j % 2), 15);
                            if (five) q = q.or(bits(load(s, o + 16 + l), j, 1).lanewise(VectorOperators.LSHL, 4));
                            storeScaledMinus(q, dl, ml, y, yo + 32 * j + l);
                        }
                    }
                }
            }
            case Q6_K -> {
                for (int b = 0; b < blocks; b++, o += 210, yo += 256) {
                    float d = f16(s, o + 208);
                    for (int e = 0; e < 256; e += C) {
                        storeScaled(q6k(s, o, e), d * i8(s, o + 192 + e / 16), y, yo + e);
                    }
                }
            }
            default -> throw new IllegalArgumentException("unsupported weight type " + type);
        }
    }

    /** Q3_K quants (-4..3) of the chunk starting at element {@code e}. */
    private static ByteVector q3k(MemorySegment s, long o, int e) {
        int group = (e % 128) / 32;
        ByteVector q2 = bits(load(s, o + 32 + 32 * (e / 128) + e % 32), 2 * group, 3);
        ByteVector high = bits(load(s, o + e % 32), e / 32, 1);
        return q2.add(high.lanewise(VectorOperators.LSHL, 2)).sub((byte) 4);
    }

    /** Q6_K quants (-32..31) of the chunk starting at element {@code e}. */
    private static ByteVector q6k(MemorySegment s, long o, int e) {
        int h = e / 128;
        int g = (e % 128) / 32;
        int l = e % 32;
        ByteVector low4 = bits(load(s, o + 64 * h + 32 * (g & 1) + l), 4 * (g >> 1), 15);
        ByteVector high2 = bits(load(s, o + 128 + 32 * h + l), 2 * g, 3);
        return low4.or(high2.lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
    }

    @Override
    public float dot(GGMLType type, MemorySegment s, long o, Activations x, int xo, int count) {
        int blocks = count / type.blockSize;
        byte[] xq = x.quants;
        FloatVector acc = FloatVector.zero(F);
        switch (type) {
            case F32, F16, BF16 -> {
                float[] xv = x.values;
                int i = 0;
                for (; i <= count - L; i += L) {
                    FloatVector w = switch (type) {
                        case F32 -> FloatVector.fromMemorySegment(F, s, o + 4L * i, LE);
                        case F16 -> halfToFloat(s, o + 2L * i);
                        default -> bf16ToFloat(s, o + 2L * i);
                    };
                    acc = w.fma(FloatVector.fromArray(F, xv, xo + i), acc);
                }
                float sum = acc.reduceLanes(VectorOperators.ADD);
                if (i < count) {
                    long tail = o + (long) i * (type == GGMLType.F32 ? 4 : 2);
                    sum += ScalarKernels.INSTANCE.dot(type, s, tail, x, xo + i, count - i);
                }
                return sum;
            }
            case Q8_0 -> {
                for (int b = 0; b < blocks; b++, o += 34, xo += 32) {
                    FloatVector block = FloatVector.zero(F);
                    for (int c = 0; c < 32; c += C) block = dotChunk(load(s, o + 2 + c), xq, xo + c, block);
                    acc = scaledAdd(block, f16(s, o) * x.scales[xo / 32], acc);
                }
                return acc.reduceLanes(VectorOperators.ADD);
            }
            case Q4_0 -> {
                for (int b = 0; b < blocks; b++, o += 18, xo += 32) {
                    FloatVector block = FloatVector.zero(F);
                    for (int c = 0; c < 16; c += C) {
                        ByteVector raw = load(s, o + 2 + c);
                        block = dotChunk(raw.and((byte) 0xF).sub((byte) 8), xq, xo + c, block);
                        block = dotChunk(raw.lanewise(VectorOperators.LSHR, 4).sub((byte) 8), xq, xo + 16 + c, block);
                    }
                    acc = scaledAdd(block, f16(s, o) * x.scales[xo / 32], acc);
                }
                return acc.reduceLanes(VectorOperators.ADD);
            }
            case Q5_0 -> {
                for (int b = 0; b < blocks; b++, o += 22, xo += 32) {
                    int qh = s.get(ScalarKernels.INT, o + 2);
                    FloatVector block = FloatVector.zero(F);
                    for (int c = 0; c < 16; c += C) {
                        ByteVector raw = load(s, o + 6 + c);
                        block = dotChunk(withFifthBit(raw.and((byte) 0xF), qh >>> c).sub((byte) 16), xq, xo + c, block);
                        block = dotChunk(withFifthBit(raw.lanewise(VectorOperators.LSHR, 4), qh >>> (16 + c)).sub((byte) 16),
                                xq, xo + 16 + c, block);
                    }
                    acc = scaledAdd(block, f16(s, o) * x.scales[xo / 32], acc);
                }
                return acc.reduceLanes(VectorOperators.ADD);
            }
            case Q4_1, Q5_1 -> {
                boolean five = type == GGMLType.Q5_1;
                long quantsAt = five ? 8 : 4;
                float mins = 0;
                for (int b = 0; b < blocks; b++, o += type.bytesPerBlock, xo += 32) {
                    int qh = five ? s.get(ScalarKernels.INT, o + 4) : 0;
                    FloatVector block = FloatVector.zero(F);
                    for (int c = 0; c < 16; c += C) {
                        ByteVector raw = load(s, o + quantsAt + c);
                        ByteVector lo = raw.and((byte) 0xF);
                        ByteVector hi = raw.lanewise(VectorOperators.LSHR, 4);
                        if (five) {
                            lo = withFifthBit(lo, qh >>> c);
                            hi = withFifthBit(hi, qh >>> (16 + c));
                        }
                        block = dotChunk(lo, xq, xo + c, block);
                        block = dotChunk(hi, xq, xo + 16 + c, block);
                    }
                    acc = scaledAdd(block, f16(s, o) * x.scales[xo / 32], acc);
                    mins += f16(s, o + 2) * x.blockSums[xo / 32];
                }
                return acc.reduceLanes(VectorOperators.ADD) + mins;
            }
            case Q2_K -> {
                float mins = 0;
                for (int b = 0; b < blocks; b++, o += 84, xo += 256) {
                    float dy = x.scales[xo / 256];
                    int summ = 0;
                    for (int j = 0; j < 16; j++) summ += (u8(s, o + j) >> 4) * x.groupSums[xo / 16 + j];
                    FloatVector superBlock = FloatVector.zero(F);
                    for (int h = 0; h < 2; h++) {
                        for (int l0 = 0; l0 < 32; l0 += 16) {
                            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
                            for (int c = l0; c < l0 + 16; c += C) {
                                ByteVector raw = load(s, o + 16 + 32 * h + c);
                                int xb = xo + 128 * h + c;
                                s0 = dotChunk(raw.and((byte) 3), xq, xb, s0);
                                s1 = dotChunk(bits(raw, 2, 3), xq, xb + 32, s1);
                                s2 = dotChunk(bits(raw, 4, 3), xq, xb + 64, s2);
                                s3 = dotChunk(raw.lanewise(VectorOperators.LSHR, 6), xq, xb + 96, s3);
                            }
                            int j = 8 * h + l0 / 16;
                            superBlock = scaledAdd(s0, u8(s, o + j) & 0xF, superBlock);
                            superBlock = scaledAdd(s1, u8(s, o + j + 2) & 0xF, superBlock);
                            superBlock = scaledAdd(s2, u8(s, o + j + 4) & 0xF, superBlock);
                            superBlock = scaledAdd(s3, u8(s, o + j + 6) & 0xF, superBlock);
                        }
                    }
                    acc = scaledAdd(superBlock, f16(s, o + 80) * dy, acc);
                    mins += f16(s, o + 82) * dy * summ;
                }
                return acc.reduceLanes(VectorOperators.ADD) - mins;
            }
            case Q3_K -> {
                for (int b = 0; b < blocks; b++, o += 110, xo += 256) {
                    FloatVector superBlock = FloatVector.zero(F);
                    for (int j = 0; j < 16; j++) {
                        FloatVector sub = FloatVector.zero(F);
                        for (int e = 16 * j; e < 16 * j + 16; e += C) sub = dotChunk(q3k(s, o, e), xq, xo + e, sub);
                        superBlock = scaledAdd(sub, scaleQ3K(s, o + 96, j), superBlock);
                    }
                    acc = scaledAdd(superBlock, f16(s, o + 108) * x.scales[xo / 256], acc);
                }
                return acc.reduceLanes(VectorOperators.ADD);
            }
            case Q4_K, Q5_K -> {
                boolean five = type == GGMLType.Q5_K;
                float mins = 0;
                for (int b = 0; b < blocks; b++, o += type.bytesPerBlock, xo += 256) {
                    long qs = o + (five ? 48 : 16);
                    int groups = xo / 16;
                    int summ = 0;
                    FloatVector superBlock = FloatVector.zero(F);
                    for (int k = 0; k < 4; k++) {
                        int scMinLo = scaleMinK4(s, o + 4, 2 * k);
                        int scMinHi = scaleMinK4(s, o + 4, 2 * k + 1);
                        summ += (scMinLo >> 8) * (x.groupSums[groups + 4 * k] + x.groupSums[groups + 4 * k + 1])
                                + (scMinHi >> 8) * (x.groupSums[groups + 4 * k + 2] + x.groupSums[groups + 4 * k + 3]);
                        FloatVector sLo = FloatVector.zero(F), sHi = sLo;
                        for (int c = 0; c < 32; c += C) {
                            ByteVector raw = load(s, qs + 32 * k + c);
                            ByteVector lo = raw.and((byte) 0xF);
                            ByteVector hi = raw.lanewise(VectorOperators.LSHR, 4);
                            if (five) {
                                ByteVector qh = load(s, o + 16 + c);
                                lo = lo.or(bits(qh, 2 * k, 1).lanewise(VectorOperators.LSHL, 4));
                                hi = hi.or(bits(qh, 2 * k + 1, 1).lanewise(VectorOperators.LSHL, 4));
                            }
                            sLo = dotChunk(lo, xq, xo + 64 * k + c, sLo);
                            sHi = dotChunk(hi, xq, xo + 64 * k + 32 + c, sHi);
                        }
                        superBlock = scaledAdd(sLo, scMinLo & 0xFF, superBlock);
                        superBlock = scaledAdd(sHi, scMinHi & 0xFF, superBlock);
                    }
                    float dy = x.scales[xo / 256];
                    acc = scaledAdd(superBlock, f16(s, o) * dy, acc);
                    mins += f16(s, o + 2) * dy * summ;
                }
                return acc.reduceLanes(VectorOperators.ADD) - mins;
            }
            case Q6_K -> {
                for (int b = 0; b < blocks; b++, o += 210, xo += 256) {
                    FloatVector superBlock = FloatVector.zero(F);
                    for (int h = 0; h < 2; h++) {
                        for (int l0 = 0; l0 < 32; l0 += 16) {
                            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
                            for (int l = l0; l < l0 + 16; l += C) {
                                ByteVector ql0 = load(s, o + 64 * h + l);
                                ByteVector ql1 = load(s, o + 64 * h + 32 + l);
                                ByteVector qh = load(s, o + 128 + 32 * h + l);
                                int xb = xo + 128 * h + l;
                                s0 = dotChunk(ql0.and((byte) 0xF).or(bits(qh, 0, 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32), xq, xb, s0);
                                s1 = dotChunk(ql1.and((byte) 0xF).or(bits(qh, 2, 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32), xq, xb + 32, s1);
                                s2 = dotChunk(ql0.lanewise(VectorOperators.LSHR, 4).or(bits(qh, 4, 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32), xq, xb + 64, s2);
                                s3 = dotChunk(ql1.lanewise(VectorOperators.LSHR, 4).or(qh.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32), xq, xb + 96, s3);
                            }
                            long scales = o + 192 + 8 * h + l0 / 16;
                            superBlock = scaledAdd(s0, i8(s, scales), superBlock);
                            superBlock = scaledAdd(s1, i8(s, scales + 2), superBlock);
                            superBlock = scaledAdd(s2, i8(s, scales + 4), superBlock);
                            superBlock = scaledAdd(s3, i8(s, scales + 6), superBlock);
                        }
                    }
                    acc = scaledAdd(superBlock, f16(s, o + 208) * x.scales[xo / 256], acc);
                }
                return acc.reduceLanes(VectorOperators.ADD);
            }
            default -> throw new IllegalArgumentException("unsupported weight type " + type);
        }
    }
}
