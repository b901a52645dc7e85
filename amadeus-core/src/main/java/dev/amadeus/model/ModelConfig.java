package dev.amadeus.model;

import dev.amadeus.AmadeusException;
import dev.amadeus.gguf.GGUFFile;

/**
 * The hyper-parameters of a model, read from GGUF metadata with llama.cpp's defaults.
 *
 * @param headDim           per-head width of queries and keys ({@code attention.key_length})
 * @param valueHeadDim      per-head width of values ({@code attention.value_length})
 * @param ropeDims          how many leading dimensions of each head are rotated (partial rotary when < headDim)
 * @param slidingWindow     per layer: attention window in tokens, or 0 for full causal attention
 * @param queryScale        factor applied to attention scores (1/sqrt(headDim) for most models)
 * @param attnSoftCap       Gemma 2's cap on raw attention scores, 0 when absent
 * @param finalSoftCap      Gemma 2's cap on the output logits, 0 when absent
 */
public record ModelConfig(
        Architecture architecture,
        String name,
        int embeddingLength,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        int valueHeadDim,
        int feedForwardLength,
        int vocabularySize,
        int trainedContextLength,
        float rmsNormEps,
        int ropeDims,
        float ropeFreqBase,
        RopeScalingParams ropeScaling,
        int[] slidingWindow,
        float queryScale,
        float attnSoftCap,
        float finalSoftCap) {

    public int kvDim() {
        return kvHeads * headDim;
    }

    public int kvValueDim() {
        return kvHeads * valueHeadDim;
    }

    public int queryDim() {
        return heads * headDim;
    }

    /** Query heads per KV head (grouped-query attention); consecutive query heads share a KV head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    public static ModelConfig fromGGUF(GGUFFile file) {
        String fileName = file.fileName();
        Architecture arch = Architecture.fromGGUF(file.getString("general.architecture"), fileName);
        String p = arch.ggufName + ".";
        int embd = file.getInt(p + "embedding_length");
        int layers = file.getInt(p + "block_count");
        if (embd <= 0 || layers <= 0 || layers > 1024) {
            throw new AmadeusException(fileName + ": implausible shape (" + p + "embedding_length " + embd + ", " + p + "block_count " + layers + ")");
        }
        int heads = uniform(file, p + "attention.head_count", layers, 0);
        if (heads <= 0) throw new AmadeusException(fileName + ": key '" + p + "attention.head_count' is missing or zero");
        int kvHeads = uniform(file, p + "attention.head_count_kv", layers, heads);
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new AmadeusException(fileName + ": " + heads + " query heads cannot be grouped over " + kvHeads + " KV heads");
        }
        int ffn = uniform(file, p + "feed_forward_length", layers, 0);
        int headDim = file.getInt(p + "attention.key_length", embd / heads);
        int valueHeadDim = file.getInt(p + "attention.value_length", embd / heads);
        int ropeDims = file.getInt(p + "rope.dimension_count", headDim);
        if (ropeDims > headDim || ropeDims % 2 != 0) {
            throw new AmadeusException(fileName + ": rope.dimension_count " + ropeDims + " does not fit head size " + headDim);
        }
        int vocab = file.contains("tokenizer.ggml.tokens") ? file.getArray("tokenizer.ggml.tokens").length()
                : file.getInt(p + "vocab_size");
        int trainedCtx = file.getInt(p + "context_length");
        float eps = file.getFloat(p + "attention.layer_norm_rms_epsilon");
        float freqBase = file.getFloat(p + "rope.freq_base", 10000f);
        RopeScalingParams rope = RopeScalingParams.fromGGUF(file, p, trainedCtx);

        int[] window = new int[layers];
        float attnCap = 0, finalCap = 0;
        float queryScale = 1.0f / (float) Math.sqrt(headDim); // 1.0f/sqrtf(n), in float as llama.cpp
        switch (arch) {
            case PHI3 -> {
                int swa = file.getInt(p + "attention.sliding_window", defaultPhi3Window(layers, kvHeads, trainedCtx));
                if (swa > 0) java.util.Arrays.fill(window, swa);
            }
            case GEMMA2 -> {
                int swa = file.getInt(p + "attention.sliding_window", 4096);
                for (int l = 0; l < layers; l += 2) window[l] = swa; // even layers are local
                attnCap = file.getFloat(p + "attn_logit_softcapping", 50f);
                finalCap = file.getFloat(p + "final_logit_softcapping", 30f);
                if (layers == 46) queryScale = 1.0f / (float) Math.sqrt(embd / heads); // 27B scales by n_embd/n_head
            }
            default -> {
                int swa = file.getInt(p + "attention.sliding_window", 0);
                if (swa > 0) java.util.Arrays.fill(window, swa);
            }
        }
        String name = file.getString("general.name", fileName);
        return new ModelConfig(arch, name, embd, layers, heads, kvHeads, headDim, valueHeadDim, ffn, vocab, trainedCtx,
                eps, ropeDims, freqBase, rope, window, queryScale, attnCap, finalCap);
    }

    /** Old Phi-3 files carry no sliding_window key; llama.cpp assumes these windows for them. */
    private static int defaultPhi3Window(int layers, int kvHeads, int trainedCtx) {
        if ((layers == 32 || layers == 40) && trainedCtx == 4096) return 2047;
        if (layers == 32 && kvHeads == 32 && trainedCtx == 131072) return 262144;
        if (layers == 40 && trainedCtx == 131072) return 131072;
        return 0;
    }

    private static int uniform(GGUFFile file, String key, int layers, int defaultValue) {
        int[] values = file.getPerLayerInt(key, layers, defaultValue);
        for (int v : values) {
            if (v != values[0]) {
                throw new AmadeusException(file.fileName() + ": key '" + key + "' varies across layers, which is not supported");
            }
        }
        return values[0];
    }
}
