package dev.amadeus.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The per-type arithmetic on weight blocks read straight from a (usually memory-mapped) segment.
 * Two implementations exist for every supported type: {@link #scalar()}, written to follow ggml's
 * reference C line by line, and {@link #vector()}, the Vector API version used for real work. Tests
 * hold the second to the first.
 */
public interface TensorKernels {

    /**
     * Dequantizes {@code count} elements (a multiple of the type's block size) starting at the block that
     * begins at {@code byteOffset}. The result is bit-identical to ggml's {@code dequantize_row_*}.
     */
    void dequantize(GGMLType type, MemorySegment data, long byteOffset, int count, float[] out, int outOffset);

    /**
     * Dot product of {@code count} weights starting at {@code byteOffset} with the activations of
     * {@code x} starting at element {@code xOffset} (a multiple of the block size); {@code x} must be in
     * {@link Activations#formatFor(GGMLType) the format} for {@code type}.
     */
    default float dot(GGMLType type, MemorySegment data, long byteOffset, Activations x, int xOffset, int count) {
        return dot(type, data, byteOffset, x, xOffset, count, 8);
    }

    /**
     * The same dot product, rounded the way llama.cpp's CPU backend (AVX2 build) rounds it in a batched
     * matrix product, which depends on the weight matrix's row count {@code matrixRows}. Float weights go
     * to llamafile's tinyBLAS when the matrix has a multiple of 4 rows of a multiple of 8 elements, to
     * ggml's {@code vec_dot} otherwise; the orders of these kernels differ. Quantized types sum in one
     * order whatever the matrix: llama.cpp's AVX2 order, except Q4_0, which sums in the order of our
     * 16-bit-lane kernel (the logits stay within the parity tolerances, not bit-identical).
     */
    float dot(GGMLType type, MemorySegment data, long byteOffset, Activations x, int xOffset, int count, int matrixRows);

    /**
     * A block of outputs at once: for weight rows {@code r < rows} (row r at {@code byteOffset + r * rowBytes},
     * each {@code x.cols()} elements, of a matrix of {@code matrixRows} rows) and activation rows
     * {@code b < xRows} (row {@code xRow + b} of {@code x}),
     * {@code out[outOffset + b * outStride + r] = dot(type, data, byteOffset + r * rowBytes, x, (xRow + b) * cols, cols, matrixRows)},
     * bit for bit. Implementations compute several outputs together so that their independent
     * accumulations overlap and each loaded weight or activation serves several outputs; every output
     * still sums in exactly the order of {@link #dot}.
     */
    default void dotTile(GGMLType type, MemorySegment data, long byteOffset, long rowBytes, int rows, int matrixRows,
                         Activations x, int xRow, int xRows, float[] out, int outOffset, int outStride) {
        int cols = x.cols();
        for (int b = 0; b < xRows; b++) {
            for (int r = 0; r < rows; r++) {
                out[outOffset + b * outStride + r] = dot(type, data, byteOffset + r * rowBytes, x, (xRow + b) * cols, cols, matrixRows);
            }
        }
    }

    /**
     * Outputs of a {@link RowInterleaving row-interleaved} matrix over one panel of its columns, {@code firstCol ..
     * firstCol + cols}: for groups {@code g < groups} (the first at {@code byteOffset} of the interleaved copy) and
     * activation rows {@code b < xRows} (row {@code xRow + b} of {@code x}), {@code out[outOffset + b * outStride +
     * rowsPerGroup * g + r]} is row r of group g dotted with the activation row over those columns, plus what it
     * held if {@code firstCol > 0} (the sums of the panels before). Each block's products are summed exactly as
     * integers, then every row takes one float fused multiply-add per block, {@code acc = fma((float) sum, d_w *
     * d_x, acc)}, in block order, so that the panels one after another give what one pass over the row gives.
     */
    void dotInterleaved(GGMLType type, MemorySegment interleaved, long byteOffset, int groups, int firstCol, int cols,
                        Activations x, int xRow, int xRows, float[] out, int outOffset, int outStride);

    /**
     * Whether {@link #dotInterleaved} reads {@link Activations#pairQuads pairs of pairs} for {@code weightType}
     * and {@code activationRows} rows; callers then have them filled when converting the activations.
     */
    default boolean readsPairQuads(GGMLType weightType, int activationRows) {
        return false;
    }

    /**
     * Whether {@link #dotInterleaved} should be given all {@code activationRows} rows of a product at once for
     * {@code weightType}, rather than tiles that fit the first-level cache: it then prepares each panel of
     * weights once for all the rows.
     */
    default boolean takesWholeBatch(GGMLType weightType, int activationRows) {
        return false;
    }

    /**
     * Whether {@link #dotInterleaved} reads the {@link Activations#quantFloats quants as floats} for
     * {@code weightType} and {@code activationRows} rows; callers then have them filled when converting.
     */
    default boolean readsQuantFloats(GGMLType weightType, int activationRows) {
        return false;
    }

    static TensorKernels scalar() {
        return ScalarKernels.INSTANCE;
    }

    static TensorKernels vector() {
        return VectorKernels.INSTANCE;
    }

    /**
     * The vector kernels, unless the Vector API module is missing (then the scalar ones, which give
     * the same results slowly) or {@code -Damadeus.kernels=scalar} asks for the reference code.
     */
    static TensorKernels preferred() {
        return KernelChoice.PREFERRED;
    }
}
