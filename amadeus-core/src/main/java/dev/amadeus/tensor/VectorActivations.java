package dev.amadeus.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.I2B;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.I2S;
import static jdk.incubator.vector.VectorOperators.MAX;

/**
 * The Q8_0 and Q8_K activation conversions of {@link Activations} in vectors, with every derived array
 * filled in the same pass: {@link Quantizers#activationQ8_0} and {@link Quantizers#activationQ8_K} are
 * their references, and the results are the same to the bit (tested). One scalar pass per array had taken
 * 2-4 ns per element, 3-4% of a token in decoding and in prompts alike.
 * <p>
 * Quants are rounded half to even, as {@code Math.rint}, by adding and subtracting 1.5 · 2^23: at that
 * magnitude the float's last bit is worth 1, so the addition rounds to an integer in the CPU's default
 * mode, which is to nearest even; the sum's bits then hold the integer (see {@link #ROUNDER_BITS}). A scaled activation is at most 127 in
 * magnitude, far inside the trick's range. A block whose maximum or scaling factor is not finite (an
 * infinity or NaN among its activations, or activations so small that 127 over their maximum overflows)
 * goes through the scalar reference instead.
 * <p>
 * The 16-bit copies ({@code wide}), their pairs and quads are one byte sequence read as shorts, ints and
 * longs (little-endian lanes), so each is stored from the same vector reinterpreted; the quants as floats
 * are the rounded floats themselves, less the rounding bias.
 */
final class VectorActivations {
    private static final VectorSpecies<Float> F = VectorKernels.F;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final VectorSpecies<Short> S = L >= 8 ? VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16)) : null;
    private static final VectorSpecies<Byte> B = L >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;
    /** 1.5 · 2^23: added and subtracted, rounds a float of magnitude below 2^22 to an integer, half to even. */
    private static final float ROUNDER = 12582912f;
    /**
     * The bits of {@link #ROUNDER}: for a sum {@code ROUNDER + k} with |k| below 2^22, the float's bits minus these
     * are the integer k itself (its mantissa counts in units of 1), so no float-to-int conversion is needed.
     */
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);

    /** Whether the vector conversions apply: eight float lanes or more (the narrowest byte vector holds eight). */
    static final boolean SUPPORTED = L >= 8;

    private VectorActivations() {
    }

    /**
     * Q8_0 activations of {@code x[xOffset..xOffset+n)} into {@code a}'s arrays from element {@code start}
     * (a block boundary): quants, f16-rounded scales, the 16-bit copies and per-block sums, and on request
     * the pairs, quads and quants as floats.
     */
    static void q8_0(float[] x, int xOffset, int n, Activations a, int start, boolean pairs, boolean quads, boolean floats) {
        byte[] quants = a.quants;
        for (int b = 0; b < n; b += 32) {
            int xb = xOffset + b, q = start + b;
            float amax = maxMagnitude(x, xb, 32);
            float id = amax != 0 ? 127.0f / amax : 0.0f;
            if (!(id <= Float.MAX_VALUE) || !(amax <= Float.MAX_VALUE)) {
                a.convertScalar(x, xb, q, q + 32, quads, floats);
                continue;
            }
            IntVector sum = IntVector.zero(I);
            for (int j = 0; j < 32; j += L) {
                FloatVector biased = FloatVector.fromArray(F, x, xb + j).mul(id).add(ROUNDER);
                IntVector qi = biased.reinterpretAsInts().sub(ROUNDER_BITS);
                ((ByteVector) qi.convertShape(I2B, B, 0)).intoArray(quants, q + j);
                ShortVector qs = (ShortVector) qi.convertShape(I2S, S, 0);
                qs.intoArray(a.wide, q + j);
                if (pairs) qs.reinterpretAsInts().intoArray(a.pairs, (q + j) / 2);
                if (quads) qs.reinterpretAsLongs().intoArray(a.pairQuads, (q + j) / 4);
                if (floats) biased.sub(ROUNDER).intoArray(a.quantFloats, q + j);
                sum = sum.add(qi);
            }
            a.quantSums[q / 32] = sum.reduceLanes(ADD);
            a.scales[q / 32] = FloatFormats.roundToF16(amax / 127.0f);
        }
    }

    /** The largest |x[from..from+n)| ({@code n} a multiple of the lane count); NaN if any element is NaN. */
    private static float maxMagnitude(float[] x, int from, int n) {
        FloatVector m = FloatVector.fromArray(F, x, from).abs();
        for (int j = L; j < n; j += L) m = m.max(FloatVector.fromArray(F, x, from + j).abs());
        return m.reduceLanes(MAX);
    }

    /**
     * Q8_K activations of {@code x[xOffset..xOffset+n)} into {@code a}'s arrays from element {@code start}
     * (a super-block boundary): quants, scales, sums of every 16 quants, the pairs, and on request the quads and
     * the quants as floats.
     */
    static void q8_K(float[] x, int xOffset, int n, Activations a, int start, boolean quads, boolean floats) {
        byte[] quants = a.quants;
        for (int b = 0; b < n; b += 256) {
            int xb = xOffset + b, q = start + b;
            float amax = maxMagnitude(x, xb, 256);
            // Zero, an infinity or NaN, or a maximum so small that its reciprocal overflows.
            if (!(amax <= Float.MAX_VALUE) || !(127.0f / amax <= Float.MAX_VALUE)) {
                a.convertScalar(x, xb, q, q + 256, quads, floats);
                continue;
            }
            // The reference takes the sign of the first element of largest magnitude.
            float max = amax;
            for (int j = 0; j < 256; j += L) {
                FloatVector v = FloatVector.fromArray(F, x, xb + j);
                VectorMask<Float> hit = v.abs().compare(EQ, amax);
                if (hit.anyTrue()) {
                    max = v.lane(hit.firstTrue());
                    break;
                }
            }
            float iscale = -127.0f / max;
            IntVector sum = IntVector.zero(I);
            for (int j = 0; j < 256; j += L) {
                FloatVector biased = FloatVector.fromArray(F, x, xb + j).mul(iscale).add(ROUNDER);
                IntVector qi = biased.reinterpretAsInts().sub(ROUNDER_BITS).min(127);
                ((ByteVector) qi.convertShape(I2B, B, 0)).intoArray(quants, q + j);
                ShortVector qs = (ShortVector) qi.convertShape(I2S, S, 0);
                qs.reinterpretAsInts().intoArray(a.pairs, (q + j) / 2);
                if (quads) qs.reinterpretAsLongs().intoArray(a.pairQuads, (q + j) / 4);
                if (floats) ((FloatVector) qi.convert(I2F, 0)).intoArray(a.quantFloats, q + j);
                sum = sum.add(qi);
                if (((j + L) & 15) == 0) {
                    a.groupSums[(q + j) / 16] = sum.reduceLanes(ADD);
                    sum = IntVector.zero(I);
                }
            }
            a.scales[q / 256] = 1 / iscale;
        }
    }
}
