package dev.amadeus.model;

import dev.amadeus.AmadeusException;

/** The decoder-only families Amadeus runs, keyed by {@code general.architecture}, and what sets them apart. */
public enum Architecture {
    //            ggufName  neoxRope  qkvBias  fusedQkv fusedGateUp gelu   embedScale postNorms outputTied scaleQ
    LLAMA("llama", false, false, false, false, false, false, false, false, false),
    QWEN2("qwen2", true, true, false, false, false, false, false, false, false),
    PHI3("phi3", true, false, true, true, false, false, false, false, true),
    GEMMA("gemma", true, false, false, false, true, true, false, true, true),
    GEMMA2("gemma2", true, false, false, false, true, true, true, true, true);

    public final String ggufName;
    /** Rotary pairs (i, i + d/2) instead of interleaved (2i, 2i+1). */
    public final boolean neoxRope;
    /** Q, K and V projections carry biases that must be present. */
    public final boolean requiresQkvBias;
    /** One {@code attn_qkv} matrix instead of three. */
    public final boolean fusedQkv;
    /** {@code ffn_up} holds [gate | up] stacked. */
    public final boolean fusedGateUp;
    /** GeGLU (tanh-approximated GELU) instead of SwiGLU. */
    public final boolean geluFfn;
    /** Embeddings are multiplied by sqrt(n_embd). */
    public final boolean scaleEmbeddings;
    /** Extra RMSNorms after attention and after the FFN (Gemma 2). */
    public final boolean postNorms;
    /** The output projection is always the token embedding matrix. */
    public final boolean alwaysTiedOutput;
    /**
     * The query scale multiplies the rotated queries rather than the scores (llama.cpp's graph for these
     * families); the two round differently.
     */
    public final boolean scaleQueries;

    Architecture(String ggufName, boolean neoxRope, boolean requiresQkvBias, boolean fusedQkv, boolean fusedGateUp,
                 boolean geluFfn, boolean scaleEmbeddings, boolean postNorms, boolean alwaysTiedOutput,
                 boolean scaleQueries) {
        this.ggufName = ggufName;
        this.neoxRope = neoxRope;
        this.requiresQkvBias = requiresQkvBias;
        this.fusedQkv = fusedQkv;
        this.fusedGateUp = fusedGateUp;
        this.geluFfn = geluFfn;
        this.scaleEmbeddings = scaleEmbeddings;
        this.postNorms = postNorms;
        this.alwaysTiedOutput = alwaysTiedOutput;
        this.scaleQueries = scaleQueries;
    }

    public static Architecture fromGGUF(String name, String fileName) {
        for (Architecture a : values()) {
            if (a.ggufName.equals(name)) return a;
        }
        StringBuilder known = new StringBuilder();
        for (Architecture a : values()) known.append(known.isEmpty() ? "" : ", ").append(a.ggufName);
        throw new AmadeusException(fileName + ": unknown model architecture '" + name + "' (general.architecture); supported: " + known);
    }
}
