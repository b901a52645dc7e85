package dev.amadeus.model;

import dev.amadeus.gguf.GGUFFile;

/**
 * RoPE scaling as declared by a GGUF file ({@code rope.scaling.*}).
 *
 * @param type                  none, linear, yarn, longrope (as llama.cpp names them)
 * @param factor                context extension factor; 1 when absent
 * @param originalContextLength the context the model was trained with before extension
 * @param attnFactor            YaRN attention factor multiplier
 */
public record RopeScalingParams(String type, float factor, int originalContextLength, float attnFactor) {

    public static final RopeScalingParams NONE = new RopeScalingParams("none", 1f, 0, 1f);

    static RopeScalingParams fromGGUF(GGUFFile file, String prefix, int trainedCtx) {
        String type = file.getString(prefix + "rope.scaling.type", "linear");
        float factor = file.getFloat(prefix + "rope.scaling.factor", file.getFloat(prefix + "rope.scale_linear", 1f));
        if (factor == 0f || type.equals("none")) factor = 1f;
        int original = file.getInt(prefix + "rope.scaling.original_context_length", trainedCtx);
        float attn = file.getFloat(prefix + "rope.scaling.attn_factor", 1f);
        return new RopeScalingParams(type, factor, original, attn);
    }

    /** Position multiplier of linear interpolation: 1/factor. */
    public float freqScale() {
        return 1f / factor;
    }
}
