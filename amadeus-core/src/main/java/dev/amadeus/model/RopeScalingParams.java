package dev.amadeus.model;

import dev.amadeus.gguf.GGUFFile;

/**
 * RoPE scaling as declared by a GGUF file ({@code rope.scaling.*}). Optional YaRN keys that the file
 * lacks are NaN.
 *
 * @param type                  none, linear, yarn, longrope (as llama.cpp names them); "linear" when absent
 * @param factor                context extension factor; 1 when absent
 * @param originalContextLength the context the model was trained with before extension
 * @param attnFactor            multiplier of cos and sin (Phi-3's LongRoPE factor); 1 when absent
 * @param hasAttnFactor         whether the file sets {@code rope.scaling.attn_factor}
 * @param yarnExtFactor         {@code rope.scaling.yarn_ext_factor}
 * @param yarnAttnFactor        {@code rope.scaling.yarn_attn_factor} (Hugging Face's attention_factor)
 * @param yarnBetaFast          {@code rope.scaling.yarn_beta_fast}
 * @param yarnBetaSlow          {@code rope.scaling.yarn_beta_slow}
 * @param yarnLogMultiplier     {@code rope.scaling.yarn_log_multiplier}: 0.1·mscale_all_dim as DeepSeek's converter writes it
 */
public record RopeScalingParams(String type, float factor, int originalContextLength, float attnFactor,
                                boolean hasAttnFactor, float yarnExtFactor, float yarnAttnFactor, float yarnBetaFast,
                                float yarnBetaSlow, float yarnLogMultiplier) {

    static RopeScalingParams fromGGUF(GGUFFile file, String prefix, int trainedCtx) {
        String k = prefix + "rope.scaling.";
        String type = file.getString(k + "type", "linear");
        float factor = file.getFloat(k + "factor", file.getFloat(prefix + "rope.scale_linear", 1f));
        if (factor == 0f || type.equals("none")) factor = 1f;
        int original = file.getInt(k + "original_context_length", trainedCtx);
        if (original <= 0) original = trainedCtx;
        float attn = file.getFloat(k + "attn_factor", 1f);
        return new RopeScalingParams(type, factor, original, attn, file.contains(k + "attn_factor"),
                file.getFloat(k + "yarn_ext_factor", Float.NaN), file.getFloat(k + "yarn_attn_factor", Float.NaN),
                file.getFloat(k + "yarn_beta_fast", Float.NaN), file.getFloat(k + "yarn_beta_slow", Float.NaN),
                file.getFloat(k + "yarn_log_multiplier", Float.NaN));
    }

    /** Position multiplier of linear interpolation: 1/factor. */
    public float freqScale() {
        return 1f / factor;
    }
}
