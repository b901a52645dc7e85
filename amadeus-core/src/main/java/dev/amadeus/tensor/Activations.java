package dev.amadeus.tensor;

import java.util.Set;

/**
 * One or more activation rows converted to the format a weight type's dot product consumes
 * (ggml's {@code vec_dot_type}): Q8_0, Q8_1 or Q8_K quants, or floats rounded to f16/bf16, or plain floats.
 * Converting once per matrix product, not once per weight row, is what makes the integer dot products cheap.
 * Arrays only grow, so a buffer kept per thread stops allocating after the first few calls.
 */
public final class Activations {
    GGMLType format = GGMLType.F32;
    int rows;
    int cols;
    /** Quants of Q8_0, Q8_1 and Q8_K, element-indexed: row r starts at {@code r * cols}. */
    byte[] quants = new byte[0];
    /**
     * Q8_0 only: the quants again, sign-extended to 16 bits once per conversion, so that the Q8_0 and Q4_0
     * kernels multiply them in 16-bit lanes without widening the same activation for every weight row (the
     * row-interleaved Q4_0 kernels broadcast them one at a time).
     */
    short[] wide = new short[0];
    /**
     * Q8_0 only: the quants of each 32-element block as shorts, its 16 even elements then its 16 odd ones, the
     * two operands the Q8_0 kernel multiplies with the even and odd bytes of a weight block.
     */
    short[] evenOdd = new short[0];
    /**
     * Q8_0 and Q8_K: the quants in pairs, {@code pairs[i] = quants[2i] & 0xFFFF | quants[2i + 1] << 16}, so that
     * broadcasting one int puts two consecutive elements in every pair of 16-bit lanes (the kernels for
     * {@link RowInterleaving row-interleaved} weights multiply eight rows' weights with them at once).
     */
    int[] pairs = new int[0];
    /**
     * Two consecutive {@link #pairs} in one long, {@code pairQuads[k] = pairs[2k] | pairs[2k + 1] << 32}: broadcast,
     * it multiplies two pairs' worth of eight rows in one 512-bit vector. Filled on request of the kernels; row r
     * starts at {@code r * cols / 4}.
     */
    long[] pairQuads = new long[0];
    /**
     * Q8_0 and Q8_K: the quants as floats (exact), which the float prefill kernels broadcast. Filled on request of
     * the kernels; row r starts at {@code r * cols}.
     */
    float[] quantFloats = new float[0];
    /** Q8_0 only: the sum of the quants of each 32-element block. */
    int[] quantSums = new int[0];
    /** Block scales: one per 32 elements (Q8_0, Q8_1, stored f16-rounded) or per 256 (Q8_K, full f32). */
    float[] scales = new float[0];
    /** Q8_1 only: per 32-element block, f16-rounded {@code d * sum(quants)}. */
    float[] blockSums = new float[0];
    /** Q8_K only: sum of the quants of every 16 elements. */
    int[] groupSums = new int[0];
    /** Whether the last conversion skipped {@link #evenOdd}. */
    private boolean interleavedOnly;
    /** Whether the last conversion skipped the Q8_0 format's {@link #pairs}. */
    private boolean noPairs;
    /** F32, F16 and BF16 formats: the (rounded) values themselves. */
    float[] values = new float[0];

    /**
     * Whether Q8_0 and Q8_K rows are converted by {@link VectorActivations} (the same bits as the scalar code):
     * by default wherever the vector kernels are chosen and the vectors are wide enough.
     */
    private final boolean vectors;

    public Activations() {
        this(KernelChoice.PREFERRED != ScalarKernels.INSTANCE);
    }

    /** With {@code vectors} false, every row goes through the scalar references (tests compare the two). */
    Activations(boolean vectors) {
        this.vectors = vectors && VectorActivations.SUPPORTED;
    }

    public GGMLType format() {
        return format;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The activation format ggml's CPU backend pairs with weights of {@code weightType}. */
    public static GGMLType formatFor(GGMLType weightType) {
        return switch (weightType) {
            case F32 -> GGMLType.F32;
            case F16 -> GGMLType.F16;
            case BF16 -> GGMLType.BF16;
            case Q4_0, Q5_0, Q8_0 -> GGMLType.Q8_0;
            case Q4_1, Q5_1 -> GGMLType.Q8_1;
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> GGMLType.Q8_K;
            default -> throw new IllegalArgumentException("no dot product for weight type " + weightType);
        };
    }

    /** Converts {@code rows} rows of {@code cols} floats (row-major, from {@code offset}) to the format for {@code weightType}. */
    public void convert(GGMLType weightType, float[] x, int offset, int rows, int cols) {
        this.interleavedOnly = false;
        this.noPairs = false;
        prepare(formatFor(weightType), rows, cols);
        convertRows(x, offset, 0, rows, false, false);
    }

    /**
     * Rows at least this long are converted by all the threads when there are fewer rows than threads: a 5632-element
     * row (a feed-forward down projection's input) took 20 microseconds on one, while the others waited; for
     * 2048 elements, meeting the other threads cost about what it saved.
     */
    private static final int SPLIT_ROW_LENGTH = 4096;

    /**
     * Arrays of the Q8_0 and Q8_K formats that only some kernels read, filled when a product asks for them:
     * converting costs less when the arrays no kernel of the product reads are left stale.
     */
    enum Extra {
        /** {@link #evenOdd}: the Q8_0 kernel for weights in the file's own layout. */
        EVEN_ODD,
        /** The Q8_0 format's {@link #pairs}: Q8_0 kernels (Q8_K's pairs are always filled). */
        PAIRS,
        /** {@link #pairQuads}, and the pairs they are made of (Q8_0 and Q8_K formats). */
        PAIR_QUADS,
        /** {@link #quantFloats} (Q8_0 and Q8_K formats). */
        QUANT_FLOATS
    }

    /** {@link #convert} with the rows shared among {@code pool}'s threads, filling only the {@code extras} asked for. */
    void convert(GGMLType weightType, float[] x, int offset, int rows, int cols, Set<Extra> extras, ThreadPool pool) {
        boolean quads = extras.contains(Extra.PAIR_QUADS), floats = extras.contains(Extra.QUANT_FLOATS);
        this.interleavedOnly = !extras.contains(Extra.EVEN_ODD);
        this.noPairs = !extras.contains(Extra.PAIRS) && !quads;
        prepare(formatFor(weightType), rows, cols);
        if (quads) {
            if (format != GGMLType.Q8_0 && format != GGMLType.Q8_K) {
                throw new IllegalStateException("pairs are combined for Q8_0 or Q8_K activations, not " + format);
            }
            if (pairQuads.length < rows * cols / 4) pairQuads = new long[rows * cols / 4];
        }
        if (floats) {
            if (format != GGMLType.Q8_0 && format != GGMLType.Q8_K) {
                throw new IllegalStateException("quants as floats are made of Q8_0 or Q8_K activations, not " + format);
            }
            if (quantFloats.length < rows * cols) quantFloats = new float[rows * cols];
        }
        int blocks = cols / format.blockSize;
        if (rows < pool.threads() && cols >= SPLIT_ROW_LENGTH && blocks >= pool.threads()) {
            // Decoding: a long row in one part per thread, of whole blocks, which convert independently.
            pool.parallelFor(blocks, (b0, b1) -> {
                for (int r = 0; r < rows; r++) convertPart(x, offset, r, b0 * format.blockSize, b1 * format.blockSize, quads, floats);
            });
            return;
        }
        pool.parallelFor(rows, (r0, r1) -> convertRows(x, offset, r0, r1, quads, floats));
    }

    private void convertRows(float[] x, int offset, int r0, int r1, boolean quads, boolean floats) {
        for (int r = r0; r < r1; r++) convertPart(x, offset, r, 0, cols, quads, floats);
    }

    private void convertPart(float[] x, int offset, int r, int from, int to, boolean quads, boolean floats) {
        int start = r * cols + from, end = r * cols + to, in = offset + start;
        if (vectors && format == GGMLType.Q8_0) {
            VectorActivations.q8_0(x, in, to - from, this, start, !noPairs, quads, floats);
            if (!interleavedOnly) evenOdd(start, end);
        } else if (vectors && format == GGMLType.Q8_K) {
            VectorActivations.q8_K(x, in, to - from, this, start, quads, floats);
        } else {
            convertScalar(x, in, start, end, quads, floats);
        }
    }

    /**
     * Elements {@code start..end} (whole blocks of the format, counted across rows) from {@code x[in..]} by the
     * scalar references, with the {@link #pairQuads} and {@link #quantFloats} if asked for.
     */
    void convertScalar(float[] x, int in, int start, int end, boolean quads, boolean floats) {
        convertElements(x, in, start, end);
        if (quads) fillQuads(start, end);
        if (floats) fillQuantFloats(start, end);
    }

    void prepare(GGMLType format, int rows, int cols) {
        int blockSize = format.blockSize;
        if (cols % blockSize != 0) {
            throw new IllegalArgumentException("row length " + cols + " is not a multiple of " + blockSize + " for " + format);
        }
        this.format = format;
        this.rows = rows;
        this.cols = cols;
        int n = Math.multiplyExact(rows, cols);
        switch (format) {
            case F32, F16, BF16 -> values = grow(values, n);
            case Q8_0, Q8_1, Q8_K -> {
                quants = grow(quants, n);
                scales = grow(scales, n / blockSize);
                if (format == GGMLType.Q8_0) {
                    wide = grow(wide, n);
                    evenOdd = grow(evenOdd, n);
                    pairs = grow(pairs, n / 2);
                    quantSums = grow(quantSums, n / 32);
                }
                if (format == GGMLType.Q8_1) blockSums = grow(blockSums, n / 32);
                if (format == GGMLType.Q8_K) {
                    groupSums = grow(groupSums, n / 16);
                    pairs = grow(pairs, n / 2);
                }
            }
            default -> throw new IllegalArgumentException("not an activation format: " + format);
        }
    }

    /** Elements {@code start..end} (whole blocks of the format), read from {@code x[in..]}. */
    private void convertElements(float[] x, int in, int start, int end) {
        int n = end - start;
        switch (format) {
            case F32 -> System.arraycopy(x, in, values, start, n);
            case F16 -> {
                for (int i = 0; i < n; i++) values[start + i] = FloatFormats.roundToF16(x[in + i]);
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) values[start + i] = FloatFormats.roundToBf16(x[in + i]);
            }
            case Q8_0 -> {
                Quantizers.activationQ8_0(x, in, n, quants, start, scales, start / 32, null);
                for (int i = start; i < end; i++) wide[i] = quants[i];
                if (!interleavedOnly) evenOdd(start, end);
                if (!noPairs) pair(start, end);
                for (int b = start; b < end; b += 32) {
                    int sum = 0;
                    for (int i = b; i < b + 32; i++) sum += quants[i];
                    quantSums[b / 32] = sum;
                }
            }
            case Q8_1 -> Quantizers.activationQ8_0(x, in, n, quants, start, scales, start / 32, blockSums);
            case Q8_K -> {
                Quantizers.activationQ8_K(x, in, n, quants, start, scales, start / 256, groupSums);
                pair(start, end);
            }
            default -> throw new IllegalStateException(format.toString());
        }
    }

    /** Fills {@link #evenOdd} of elements {@code start..end} (whole blocks) from the quants. */
    private void evenOdd(int start, int end) {
        for (int i = start; i < end; i++) {
            int inBlock = i & 31;
            evenOdd[(i & ~31) + (inBlock >> 1) + 16 * (inBlock & 1)] = quants[i];
        }
    }

    /** Fills the {@link #pairQuads} of elements {@code start..end} from their pairs. */
    private void fillQuads(int start, int end) {
        for (int k = start / 4; k < end / 4; k++) {
            pairQuads[k] = pairs[2 * k] & 0xFFFF_FFFFL | (long) pairs[2 * k + 1] << 32;
        }
    }

    /** Fills the {@link #quantFloats} of elements {@code start..end} from their quants. */
    private void fillQuantFloats(int start, int end) {
        for (int k = start; k < end; k++) quantFloats[k] = quants[k];
    }

    private void pair(int start, int end) {
        for (int i = start; i < end; i += 2) pairs[i / 2] = quants[i] & 0xFFFF | quants[i + 1] << 16;
    }

    private static float[] grow(float[] a, int n) {
        return a.length >= n ? a : new float[n];
    }

    private static short[] grow(short[] a, int n) {
        return a.length >= n ? a : new short[n];
    }

    private static byte[] grow(byte[] a, int n) {
        return a.length >= n ? a : new byte[n];
    }

    private static int[] grow(int[] a, int n) {
        return a.length >= n ? a : new int[n];
    }
}
