package dev.amadeus.synth;

import dev.amadeus.AmadeusException;
import dev.amadeus.model.Architecture;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dimensions of a model family member, for writing random-weight models of real shapes.
 *
 * @param ropeDims      rotated dimensions per head (partial rotary when below headDim)
 * @param slidingWindow attention window written to the file, 0 for none
 */
public record ModelShape(String name, Architecture architecture, int embeddingLength, int layers, int heads, int kvHeads,
                         int headDim, int ropeDims, int feedForwardLength, int contextLength, float ropeFreqBase,
                         float rmsNormEps, boolean tiedOutput, int slidingWindow) {

    /** Real shapes, plus miniature ones that keep each family's peculiarities for fast tests. */
    public static final Map<String, ModelShape> PRESETS = new LinkedHashMap<>();

    static {
        add(new ModelShape("tinyllama-1.1b", Architecture.LLAMA, 2048, 22, 32, 4, 64, 64, 5632, 2048, 10000f, 1e-5f, false, 0));
        add(new ModelShape("llama-2-7b", Architecture.LLAMA, 4096, 32, 32, 32, 128, 128, 11008, 4096, 10000f, 1e-5f, false, 0));
        add(new ModelShape("qwen2-0.5b", Architecture.QWEN2, 896, 24, 14, 2, 64, 64, 4864, 32768, 1000000f, 1e-6f, true, 0));
        add(new ModelShape("phi3-mini", Architecture.PHI3, 3072, 32, 32, 32, 96, 96, 8192, 4096, 10000f, 1e-5f, false, 2047));
        add(new ModelShape("tiny-llama", Architecture.LLAMA, 256, 2, 8, 2, 32, 32, 512, 2048, 10000f, 1e-5f, false, 0));
        add(new ModelShape("tiny-qwen2", Architecture.QWEN2, 256, 2, 4, 2, 64, 64, 768, 4096, 1000000f, 1e-6f, false, 0));
        add(new ModelShape("tiny-phi3", Architecture.PHI3, 256, 2, 8, 8, 32, 32, 512, 4096, 10000f, 1e-5f, false, 2047));
        // Gemma-7B style: heads wider than embedding/heads. Gemma 2 files must have 26, 42 or 46 layers for llama.cpp.
        add(new ModelShape("tiny-gemma", Architecture.GEMMA, 256, 2, 4, 1, 128, 128, 512, 8192, 10000f, 1e-6f, true, 0));
        add(new ModelShape("tiny-gemma2", Architecture.GEMMA2, 256, 26, 4, 2, 64, 64, 512, 8192, 10000f, 1e-6f, true, 64));
    }

    private static void add(ModelShape s) {
        PRESETS.put(s.name, s);
    }

    public static ModelShape preset(String name) {
        ModelShape s = PRESETS.get(name);
        if (s == null) {
            throw new AmadeusException("unknown model shape '" + name + "'; known: " + String.join(", ", PRESETS.keySet()));
        }
        return s;
    }

    public int queryDim() {
        return heads * headDim;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }

    public ModelShape withLayers(int n) {
        return new ModelShape(name, architecture, embeddingLength, n, heads, kvHeads, headDim, ropeDims, feedForwardLength,
                contextLength, ropeFreqBase, rmsNormEps, tiedOutput, slidingWindow);
    }
}
