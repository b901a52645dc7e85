package dev.amadeus.synth;

import dev.amadeus.AmadeusException;
import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.gguf.GGUFValueType;
import dev.amadeus.gguf.GGUFWriter;
import dev.amadeus.gguf.MetadataValue;
import dev.amadeus.model.Architecture;
import dev.amadeus.tensor.GGMLType;
import dev.amadeus.tensor.RandomWeights;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes random-weight models of real shapes, for tests and benchmarks where no trained model of
 * that shape is available. The vocabulary (every {@code tokenizer.*} key) is copied from a real GGUF
 * file so that real text can be fed in. Weight scales keep the residual stream stable and make the
 * output distribution peaked: the logits have a standard deviation of about {@link #LOGIT_STD}, so the
 * top token usually stands clearly above the rest and greedy comparisons between engines are meaningful.
 */
public final class SyntheticModel {
    /** Standard deviation of the output logits over the vocabulary. */
    static final double LOGIT_STD = 8.0;
    /**
     * Scale of what each attention and feed-forward branch adds to the residual stream, relative to a
     * unit-variance update. Random networks with strong branches are chaotic: a last-bit difference
     * that flips one 8-bit activation rounding grows into visible logit changes. Weak branches keep
     * cross-engine comparisons a measure of the implementation rather than of that amplification.
     */
    static final double BRANCH_GAIN = 0.25;

    private final ModelShape shape;
    private final GGMLType type;
    private final long seed;
    private final Path vocabularySource;
    private final List<String> notes = new ArrayList<>();

    public SyntheticModel(ModelShape shape, GGMLType type, long seed, Path vocabularySource) {
        if (!type.isSupported()) throw new AmadeusException("cannot write weights of type " + type);
        this.shape = shape;
        this.type = type;
        this.seed = seed;
        this.vocabularySource = vocabularySource;
    }

    /** Tensors whose rows did not fit the requested type's block and were stored in another type. */
    public List<String> notes() {
        return notes;
    }

    public void write(Path out) throws IOException {
        GGUFWriter writer = new GGUFWriter();
        int vocab;
        try (GGUFFile source = GGUFFile.open(vocabularySource)) {
            if (!source.contains("tokenizer.ggml.tokens")) {
                throw new AmadeusException(source.fileName() + ": has no vocabulary (tokenizer.ggml.tokens) to copy");
            }
            vocab = source.getArray("tokenizer.ggml.tokens").length();
            writeMetadata(writer, vocab);
            for (Map.Entry<String, MetadataValue> e : source.metadata().entrySet()) {
                if (e.getKey().startsWith("tokenizer.")) writer.put(e.getKey(), e.getValue());
            }
        }
        writeTensors(writer, vocab);
        writer.write(out);
    }

    private void writeMetadata(GGUFWriter w, int vocab) {
        String p = shape.architecture().ggufName + ".";
        w.put("general.architecture", MetadataValue.string(shape.architecture().ggufName));
        w.put("general.name", MetadataValue.string("amadeus-synth " + shape.name() + " " + type));
        w.put("general.file_type", MetadataValue.uint32(fileType(type)));
        w.put(p + "context_length", MetadataValue.uint32(shape.contextLength()));
        w.put(p + "embedding_length", MetadataValue.uint32(shape.embeddingLength()));
        w.put(p + "block_count", MetadataValue.uint32(shape.layers()));
        w.put(p + "feed_forward_length", MetadataValue.uint32(shape.feedForwardLength()));
        w.put(p + "attention.head_count", MetadataValue.uint32(shape.heads()));
        w.put(p + "attention.head_count_kv", MetadataValue.uint32(shape.kvHeads()));
        if (shape.headDim() * shape.heads() != shape.embeddingLength()) {
            w.put(p + "attention.key_length", MetadataValue.uint32(shape.headDim()));
            w.put(p + "attention.value_length", MetadataValue.uint32(shape.headDim()));
        }
        w.put(p + "attention.layer_norm_rms_epsilon", MetadataValue.float32(shape.rmsNormEps()));
        w.put(p + "rope.freq_base", MetadataValue.float32(shape.ropeFreqBase()));
        w.put(p + "rope.dimension_count", MetadataValue.uint32(shape.ropeDims()));
        if (shape.slidingWindow() > 0) w.put(p + "attention.sliding_window", MetadataValue.uint32(shape.slidingWindow()));
        if (shape.architecture() == Architecture.GEMMA2) {
            w.put(p + "attn_logit_softcapping", MetadataValue.float32(50f));
            w.put(p + "final_logit_softcapping", MetadataValue.float32(30f));
        }
        w.put(p + "vocab_size", MetadataValue.uint32(vocab));
    }

    private void writeTensors(GGUFWriter w, int vocab) {
        int e = shape.embeddingLength(), q = shape.queryDim(), kv = shape.kvDim(), ff = shape.feedForwardLength();
        Architecture a = shape.architecture();
        boolean tied = shape.tiedOutput() || a.alwaysTiedOutput;
        // A tied embedding doubles as the output head, so its scale then sets the logit spread.
        matrix(w, "token_embd.weight", e, vocab, tied ? LOGIT_STD / Math.sqrt(e) : 1.0);
        norm(w, "output_norm.weight", e);
        if (!tied) {
            matrix(w, "output.weight", e, vocab, LOGIT_STD / Math.sqrt(e));
        }
        for (int l = 0; l < shape.layers(); l++) {
            String p = "blk." + l + ".";
            norm(w, p + "attn_norm.weight", e);
            if (a.fusedQkv) {
                matrix(w, p + "attn_qkv.weight", e, q + 2 * kv, 1.0 / Math.sqrt(e));
            } else {
                matrix(w, p + "attn_q.weight", e, q, 1.0 / Math.sqrt(e));
                matrix(w, p + "attn_k.weight", e, kv, 1.0 / Math.sqrt(e));
                matrix(w, p + "attn_v.weight", e, kv, 1.0 / Math.sqrt(e));
                if (a.requiresQkvBias) {
                    vector(w, p + "attn_q.bias", q, 0.1);
                    vector(w, p + "attn_k.bias", kv, 0.1);
                    vector(w, p + "attn_v.bias", kv, 0.1);
                }
            }
            matrix(w, p + "attn_output.weight", q, e, BRANCH_GAIN / Math.sqrt(q));
            if (a.postNorms) norm(w, p + "post_attention_norm.weight", e);
            norm(w, p + "ffn_norm.weight", e);
            if (a.fusedGateUp) {
                matrix(w, p + "ffn_up.weight", e, 2 * ff, 1.0 / Math.sqrt(e));
            } else {
                matrix(w, p + "ffn_gate.weight", e, ff, 1.0 / Math.sqrt(e));
                matrix(w, p + "ffn_up.weight", e, ff, 1.0 / Math.sqrt(e));
            }
            matrix(w, p + "ffn_down.weight", ff, e, BRANCH_GAIN / Math.sqrt(ff));
            if (a.postNorms) norm(w, p + "post_ffw_norm.weight", e);
        }
    }

    private void matrix(GGUFWriter w, String name, int cols, int rows, double std) {
        GGMLType t = typeFor(cols);
        if (t != type) notes.add(name + " stored as " + t + " (rows of " + cols + " do not fit " + type + " blocks)");
        long tensorSeed = seed ^ (name.hashCode() * 0x9E3779B97F4A7C15L);
        float s = (float) std;
        w.addTensor(name, t, new long[]{cols, rows}, dest -> RandomWeights.fill(t, dest, rows, cols, tensorSeed, s));
    }

    private void norm(GGUFWriter w, String name, int n) {
        long tensorSeed = seed ^ (name.hashCode() * 0x9E3779B97F4A7C15L);
        w.addTensor(name, GGMLType.F32, new long[]{n}, dest -> {
            SplittableRandom r = new SplittableRandom(tensorSeed);
            for (int i = 0; i < n; i++) dest.setAtIndex(F32, i, (float) (1.0 + 0.1 * r.nextGaussian()));
        });
    }

    private void vector(GGUFWriter w, String name, int n, double std) {
        long tensorSeed = seed ^ (name.hashCode() * 0x9E3779B97F4A7C15L);
        w.addTensor(name, GGMLType.F32, new long[]{n}, dest -> {
            SplittableRandom r = new SplittableRandom(tensorSeed);
            for (int i = 0; i < n; i++) dest.setAtIndex(F32, i, (float) (std * r.nextGaussian()));
        });
    }

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The requested type, or the nearest one whose block fits rows of {@code cols} elements. */
    private GGMLType typeFor(int cols) {
        if (cols % type.blockSize == 0) return type;
        if (cols % GGMLType.Q8_0.blockSize == 0 && type.isQuantized()) return GGMLType.Q8_0;
        return GGMLType.F16;
    }

    /** llama.cpp's llama_ftype number for a file whose weights are mostly {@code t}. */
    static int fileType(GGMLType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q4_1 -> 3;
            case Q8_0 -> 7;
            case Q5_0 -> 8;
            case Q5_1 -> 9;
            case Q2_K -> 10;
            case Q3_K -> 11;
            case Q4_K -> 14;
            case Q5_K -> 16;
            case Q6_K -> 18;
            case BF16 -> 32;
            default -> throw new AmadeusException("no file type for " + t);
        };
    }
}
