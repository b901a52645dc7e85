package dev.amadeus.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Element-wise steps of the forward pass, on rows of flat row-major arrays. */
final class VectorOps {
    /** Eight lanes, as ggml's AVX2 code takes them. */
    static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    /** The preferred width when it holds at least eight lanes (element-wise work, where width does not change the floats). */
    static final VectorSpecies<Float> FV = FloatVector.SPECIES_PREFERRED.length() >= 8 ? FloatVector.SPECIES_PREFERRED : F8;
    private static final int ONE_BITS = Float.floatToRawIntBits(1f);

    private VectorOps() {
    }

    /** RMSNorm as ggml computes it: mean of squares accumulated in double, then {@code x / sqrt(mean + eps) * w}. */
    static void rmsNorm(float[] out, int outOffset, float[] x, int xOffset, float[] weight, int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOffset + i];
            sum += v * v; // float product, double sum: ggml's order, so roundings downstream fall the same way
        }
        float mean = (float) (sum / n);
        float scale = 1.0f / (float) Math.sqrt(mean + eps); // sqrtf, then a float division, as ggml
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = x[xOffset + i] * scale * weight[i];
        }
    }

    static void addInPlace(float[] acc, int accOffset, float[] x, int xOffset, int n) {
        for (int i = 0; i < n; i++) acc[accOffset + i] += x[xOffset + i];
    }

    /**
     * {@code gate[i] = silu(gate[i]) * up[i]} over one row of {@code n} from {@code offset}, as ggml's
     * {@code ggml_vec_silu_f32} then {@code ggml_vec_mul_f32}: whole groups of eight from the row start use
     * {@link #expApprox}, the last {@code n % 8} elements the ordinary exponential. The vectors are the kernels'
     * own width ({@link #FV}): the approximation is lane by lane, so the width does not change the floats.
     * <p>
     * Why that width: a version in 256-bit vectors on a 512-bit CPU added those vectors' fused multiply-adds to the
     * type profile that every caller of {@code FloatVector.fma} shares, and in half of the processes the JIT then
     * compiled the Q8_0 prefill kernel without its intrinsics (prompts at 30-45 t/s instead of 90).
     */
    static void swiGlu(float[] gate, float[] up, int offset, int n) {
        int eights = n & ~7, lanes = FV.length();
        int i = 0;
        for (; i + lanes <= eights; i += lanes) {
            FloatVector x = FloatVector.fromArray(FV, gate, offset + i);
            FloatVector e = expApprox(x.neg());
            x.div(e.add(1f)).mul(FloatVector.fromArray(FV, up, offset + i)).intoArray(gate, offset + i);
        }
        swiGluScalar(gate, up, offset + i, n - i);
    }

    /** {@link #swiGlu} one element at a time: the reference of the vector version, and its tail. */
    static void swiGluScalar(float[] gate, float[] up, int offset, int n) {
        int approximated = n & ~7;
        for (int i = 0; i < n; i++) {
            float x = gate[offset + i];
            float e = i < approximated ? expApprox(0f - x) : (float) Math.exp(-x);
            gate[offset + i] = x / (1f + e) * up[offset + i];
        }
    }

    /**
     * {@link #expApprox} of every lane at once, the same float in every lane. Lanes far enough below or above zero
     * for the special scaling (|n| > 126) are rare, and then the whole vector goes through the scalar version.
     */
    static FloatVector expApprox(FloatVector x) {
        FloatVector z = x.fma(0x1.715476p+0f, 0x1.8p23f);
        FloatVector n = z.sub(0x1.8p23f);
        if (n.abs().compare(VectorOperators.GT, 126f).anyTrue()) {
            float[] lanes = x.toArray();
            for (int j = 0; j < lanes.length; j++) lanes[j] = expApprox(lanes[j]);
            return FloatVector.fromArray(x.species(), lanes, 0);
        }
        FloatVector minusN = n.neg();
        FloatVector b = minusN.fma(FloatVector.broadcast(x.species(), 0x1.7f7d1cp-20f),
                minusN.fma(FloatVector.broadcast(x.species(), 0x1.62e4p-1f), x));
        FloatVector k = ((IntVector) z.reinterpretAsInts()).lanewise(VectorOperators.LSHL, 23).add(ONE_BITS).reinterpretAsFloats();
        FloatVector u = b.mul(b);
        FloatVector j = b.fma(0x1.0e4020p-7f, 0x1.573e2ep-5f).fma(u, b.fma(0x1.555e66p-3f, 0x1.fffdb6p-2f))
                .fma(u, b.mul(0x1.ffffecp-1f));
        return j.fma(k, k);
    }

    /**
     * ggml's vectorized single-precision exponential ({@code ggml_v_expf}, AVX2 and FMA), one lane at a time:
     * x = n·ln2 + b with n rounded to an integer, a degree-5 polynomial for e^b, scaled by 2^n, with
     * special scaling where |n| > 126 and flushing beyond 192. Its results differ from the correctly
     * rounded exponential in the last bit or two, and llama.cpp uses it for SiLU and softmax.
     */
    static float expApprox(float x) {
        final float shift = 0x1.8p23f;
        float z = Math.fma(x, 0x1.715476p+0f, shift);
        float n = z - shift;
        float b = Math.fma(-n, 0x1.7f7d1cp-20f, Math.fma(-n, 0x1.62e4p-1f, x));
        int e = Float.floatToRawIntBits(z) << 23;
        float k = Float.intBitsToFloat(e + Float.floatToRawIntBits(1f));
        float u = b * b;
        float j = Math.fma(Math.fma(Math.fma(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u,
                Math.fma(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)), u, 0x1.ffffecp-1f * b);
        if (!(Math.abs(n) > 126)) return Math.fma(j, k, k);
        int g = n <= 0 ? 0x82000000 : 0;
        float s1 = Float.intBitsToFloat(g + 0x7f000000);
        float s2 = Float.intBitsToFloat(e - g);
        if (Math.abs(n) > 192) return s1 * s1;
        return Math.fma(s2, j, s2) * s1;
    }

    /** GELU with ggml's tanh approximation (Gemma's gelu_pytorch_tanh). */
    static float gelu(float v) {
        final float sqrt2OverPi = 0.7978845608028654f;
        return 0.5f * v * (1f + (float) Math.tanh(sqrt2OverPi * v * (1f + 0.044715f * v * v)));
    }

    /**
     * Softmax over {@code x[0..n)} in place, where {@code x[0]} is the score of cache position {@code first}.
     * As ggml's {@code ggml_vec_soft_max_f32} over a whole cache row (masked positions contributing zeros):
     * exponentials by {@link #expApprox}, each aligned group of eight summed in float by {@link #hsum8}, the
     * group sums added in double.
     */
    static void softmax(float[] x, int n, int first) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[i]);
        float[] lanes = new float[8];
        double sum = 0;
        for (int i = 0; i < n; ) {
            java.util.Arrays.fill(lanes, 0f);
            do {
                float e = expApprox(x[i] - max);
                x[i] = e;
                lanes[(first + i) & 7] = e;
                i++;
            } while (i < n && ((first + i) & 7) != 0);
            sum += hsum8(lanes, 0);
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) x[i] *= inv;
    }

    /** ggml's sum of eight float lanes ({@code hsum_float_8}): upper half onto lower, then lanes two apart, then the pair. */
    static float hsum8(float[] a, int offset) {
        float b0 = a[offset] + a[offset + 4], b1 = a[offset + 1] + a[offset + 5];
        float b2 = a[offset + 2] + a[offset + 6], b3 = a[offset + 3] + a[offset + 7];
        return (b0 + b2) + (b1 + b3);
    }

    /**
     * Dot product in the order of ggml's {@code ggml_vec_dot_f32} (AVX2), which llama.cpp uses for the
     * query-key products: four accumulators of eight lanes over steps of 32, reduced pairwise and by two
     * horizontal adds, then the leftover elements.
     */
    static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        float[] acc = new float[32];
        int np = n & ~31;
        for (int i = 0; i < np; i += 32) {
            for (int l = 0; l < 32; l++) acc[l] = Math.fma(a[aOffset + i + l], b[bOffset + i + l], acc[l]);
        }
        float[] c = new float[8];
        for (int l = 0; l < 8; l++) c[l] = (acc[l] + acc[16 + l]) + (acc[8 + l] + acc[24 + l]);
        float t0 = c[0] + c[4], t1 = c[1] + c[5], t2 = c[2] + c[6], t3 = c[3] + c[7];
        float sum = (t0 + t1) + (t2 + t3);
        for (int i = np; i < n; i++) sum = Math.fma(a[aOffset + i], b[bOffset + i], sum);
        return sum;
    }
}
