package dev.amadeus.model;

import dev.amadeus.AmadeusException;
import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.gguf.TensorInfo;
import dev.amadeus.tensor.GGMLType;
import dev.amadeus.tensor.LargePages;
import dev.amadeus.tensor.RowInterleaving;
import dev.amadeus.tensor.WeightMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The tensors of a model, as views over the memory-mapped file. Matrices stay in the file's format;
 * only norm weights and biases (a few floats per layer) are copied into arrays.
 */
public record ModelWeights(WeightMatrix tokenEmbedding, float[] outputNorm, WeightMatrix output, float[] ropeFrequencyFactors,
                           Layer[] layers, float[] ropeFactorsLong, float[] ropeFactorsShort) {

    /** One transformer block. Absent optional tensors are null; with a fused QKV only {@code qkv} is set. */
    public record Layer(float[] attnNorm,
                        WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix qkv,
                        float[] bq, float[] bk, float[] bv,
                        WeightMatrix wo, float[] bo,
                        float[] postAttnNorm,
                        float[] ffnNorm,
                        WeightMatrix gate, WeightMatrix up, WeightMatrix down,
                        float[] postFfnNorm) {

        /** The layer's matrices that enter matrix products, absent ones left out. */
        public List<WeightMatrix> matrices() {
            return Stream.of(wq, wk, wv, qkv, wo, gate, up, down).filter(Objects::nonNull).toList();
        }
    }

    /**
     * These weights with every matrix that enters a matrix product replaced by its row-interleaved version
     * ({@link WeightMatrix#interleaved}), all copies in one region of {@link LargePages} owned by {@code arena};
     * the originals' pages in {@code file}, the mapping they were loaded from, are released (they are read again
     * from the file if ever needed, e.g. an embedding row of a tied output matrix).
     */
    public ModelWeights interleaved(Arena arena, GGUFFile file) {
        List<WeightMatrix> all = new ArrayList<>();
        for (Layer y : layers) all.addAll(y.matrices());
        all.add(output);
        long bytes = 0;
        for (WeightMatrix w : all) bytes += alignedCopyBytes(w);
        if (bytes == 0) return this;
        SegmentAllocator slices = SegmentAllocator.slicingAllocator(LargePages.allocate(arena, bytes));
        // Layers copy in parallel, each taking its slices in turn from the one region.
        SegmentAllocator memory = (size, alignment) -> {
            synchronized (slices) {
                return slices.allocate(size, alignment);
            }
        };
        Layer[] out = new Layer[layers.length];
        // Layers in parallel: copying is memory-bound per thread, and a 1B model has hundreds of megabytes to move.
        IntStream.range(0, layers.length).parallel().forEach(l -> {
            Layer y = layers[l];
            out[l] = new Layer(y.attnNorm(), interleave(y.wq(), memory, file), interleave(y.wk(), memory, file),
                    interleave(y.wv(), memory, file), interleave(y.qkv(), memory, file), y.bq(), y.bk(), y.bv(),
                    interleave(y.wo(), memory, file), y.bo(), y.postAttnNorm(), y.ffnNorm(), interleave(y.gate(), memory, file),
                    interleave(y.up(), memory, file), interleave(y.down(), memory, file), y.postFfnNorm());
        });
        return new ModelWeights(tokenEmbedding, outputNorm, interleave(output, memory, file), ropeFrequencyFactors, out,
                ropeFactorsLong, ropeFactorsShort);
    }

    /** Bytes of {@code w}'s interleaved copy, rounded up to the 64-byte alignment of each copy. */
    private static long alignedCopyBytes(WeightMatrix w) {
        return (RowInterleaving.copyBytes(w.type(), w.rows(), w.cols()) + 63) / 64 * 64;
    }

    /** Bytes of the matrices that enter matrix products (the output matrix counted once). */
    public long matrixBytes() {
        long bytes = output.rowBytes() * output.rows();
        for (Layer y : layers) {
            for (WeightMatrix w : y.matrices()) bytes += w.rowBytes() * w.rows();
        }
        return bytes;
    }

    /**
     * One matrix of each kind (weight type and row length) that enters matrix products, from the first layer
     * and the output: what {@link dev.amadeus.tensor.KernelWarmUp} needs to compile the kernels the model uses.
     */
    public List<WeightMatrix> kernelSamples() {
        Map<String, WeightMatrix> kinds = new LinkedHashMap<>();
        List<WeightMatrix> candidates = new ArrayList<>(layers.length > 0 ? layers[0].matrices() : List.of());
        candidates.add(output);
        for (WeightMatrix w : candidates) kinds.putIfAbsent(w.type() + "/" + w.cols(), w);
        return List.copyOf(kinds.values());
    }

    private static WeightMatrix interleave(WeightMatrix w, SegmentAllocator memory, GGUFFile file) {
        if (w == null) return null;
        if (file.maps(w.data()) && RowInterleaving.supports(w.type(), w.rows())) LargePages.populate(w.data());
        WeightMatrix i = w.interleaved(memory);
        if (i != w) file.releasePages(w.data());
        return i;
    }

    public static ModelWeights load(GGUFFile file, ModelConfig c) {
        Loader in = new Loader(file);
        int e = c.embeddingLength();
        WeightMatrix embd = in.matrix("token_embd.weight", e, c.vocabularySize());
        float[] outNorm = in.vector("output_norm.weight", e);
        WeightMatrix output;
        if (c.architecture().alwaysTiedOutput || !file.hasTensor("output.weight")) {
            output = embd;
        } else {
            output = in.matrix("output.weight", e, c.vocabularySize());
        }
        // Per-pair RoPE frequency divisors: Llama 3.1's (rope_freqs) and LongRoPE's two sets; absent in most files.
        float[] ropeFreqs = in.optionalVector("rope_freqs.weight", c.ropeDims() / 2);
        float[] ropeLong = in.optionalVector("rope_factors_long.weight", c.ropeDims() / 2);
        float[] ropeShort = in.optionalVector("rope_factors_short.weight", c.ropeDims() / 2);

        Layer[] layers = new Layer[c.layers()];
        int q = c.queryDim(), kv = c.kvDim(), kvv = c.kvValueDim(), ff = c.feedForwardLength();
        Architecture a = c.architecture();
        for (int l = 0; l < layers.length; l++) {
            String p = "blk." + l + ".";
            WeightMatrix wq = null, wk = null, wv = null, qkv = null;
            float[] bq = null, bk = null, bv = null;
            if (a.fusedQkv) {
                qkv = in.matrix(p + "attn_qkv.weight", e, q + kv + kvv);
            } else {
                wq = in.matrix(p + "attn_q.weight", e, q);
                wk = in.matrix(p + "attn_k.weight", e, kv);
                wv = in.matrix(p + "attn_v.weight", e, kvv);
                boolean biases = a.requiresQkvBias || file.hasTensor(p + "attn_q.bias");
                if (biases) {
                    bq = in.vector(p + "attn_q.bias", q);
                    bk = in.vector(p + "attn_k.bias", kv);
                    bv = in.vector(p + "attn_v.bias", kvv);
                }
            }
            WeightMatrix wo = in.matrix(p + "attn_output.weight", c.heads() * c.valueHeadDim(), e);
            float[] bo = in.optionalVector(p + "attn_output.bias", e);
            WeightMatrix gate = null, up;
            if (a.fusedGateUp) {
                up = in.matrix(p + "ffn_up.weight", e, 2 * ff);
            } else {
                gate = in.matrix(p + "ffn_gate.weight", e, ff);
                up = in.matrix(p + "ffn_up.weight", e, ff);
            }
            WeightMatrix down = in.matrix(p + "ffn_down.weight", ff, e);
            layers[l] = new Layer(in.vector(p + "attn_norm.weight", e), wq, wk, wv, qkv, bq, bk, bv, wo, bo,
                    a.postNorms ? in.vector(p + "post_attention_norm.weight", e) : null,
                    in.vector(p + "ffn_norm.weight", e), gate, up, down,
                    a.postNorms ? in.vector(p + "post_ffw_norm.weight", e) : null);
        }
        return new ModelWeights(embd, outNorm, output, ropeFreqs, layers, ropeLong, ropeShort);
    }

    private record Loader(GGUFFile file) {
        TensorInfo info(String name) {
            TensorInfo t = file.tensor(name);
            if (t == null) throw new AmadeusException(file.fileName() + ": missing tensor '" + name + "'");
            return t;
        }

        WeightMatrix matrix(String name, int cols, int rows) {
            TensorInfo t = info(name);
            long[] s = t.shape();
            if (s.length != 2 || s[0] != cols || s[1] != rows) {
                throw new AmadeusException(file.fileName() + ": tensor '" + name + "' has shape " + Arrays.toString(s)
                        + ", expected [" + cols + ", " + rows + "]");
            }
            if (!t.type().isSupported()) {
                throw new AmadeusException(file.fileName() + ": tensor '" + name + "' has type " + t.type() + ", which Amadeus does not support");
            }
            return new WeightMatrix(name, t.type(), rows, cols, file.data(t));
        }

        float[] vector(String name, int length) {
            TensorInfo t = info(name);
            if (t.elementCount() != length) {
                throw new AmadeusException(file.fileName() + ": tensor '" + name + "' has shape " + t.shapeString()
                        + ", expected [" + length + "]");
            }
            if (t.type() != GGMLType.F32 && t.type() != GGMLType.F16 && t.type() != GGMLType.BF16) {
                throw new AmadeusException(file.fileName() + ": tensor '" + name + "' has type " + t.type() + ", expected a float type");
            }
            float[] out = new float[length];
            new WeightMatrix(name, t.type(), 1, length, file.data(t)).dequantizeRow(0, out, 0);
            return out;
        }

        float[] optionalVector(String name, int length) {
            return file.hasTensor(name) ? vector(name, length) : null;
        }
    }
}
