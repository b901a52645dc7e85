package dev.amadeus.model;

import dev.amadeus.AmadeusException;
import dev.amadeus.model.rope.AttentionScaled;
import dev.amadeus.model.rope.DynamicNtkScaling;
import dev.amadeus.model.rope.FrequencyFactors;
import dev.amadeus.model.rope.Llama3Scaling;
import dev.amadeus.model.rope.LinearScaling;
import dev.amadeus.model.rope.LongRopeScaling;
import dev.amadeus.model.rope.NoScaling;
import dev.amadeus.model.rope.NtkAwareScaling;
import dev.amadeus.model.rope.NtkByPartsScaling;
import dev.amadeus.model.rope.NtkByPartsYarnScaling;
import dev.amadeus.model.rope.RopeMethod;
import dev.amadeus.model.rope.RopeOptions;
import dev.amadeus.model.rope.RopeScaling;
import dev.amadeus.model.rope.YarnScaling;

import static dev.amadeus.model.rope.RopeOptions.isSet;

/**
 * Builds the RoPE scaling of a model from its GGUF metadata and tensors, overridden by {@link RopeOptions},
 * resolving defaults as llama.cpp does: the method is the file's {@code rope.scaling.type} (linear when
 * absent, LongRoPE when the file carries its factor tensors), the factor is {@code --rope-scale},
 * 1/{@code --rope-freq-scale} or the file's, the original context is {@code --yarn-orig-ctx}, the file's
 * {@code original_context_length} or its training context. A {@code rope_freqs} tensor divides the
 * frequencies under every method but llama3 (which is made of it). {@code --yarn-attn-factor} and the file's
 * {@code rope.scaling.attn_factor} multiply cos and sin under every method (for LongRoPE the file's value
 * is the method's own attention factor).
 */
public final class RopeScalings {
    private static final double YARN_BETA_FAST = 32, YARN_BETA_SLOW = 1;
    private static final double LLAMA3_LOW_FREQ_FACTOR = 1, LLAMA3_HIGH_FREQ_FACTOR = 4;

    private RopeScalings() {
    }

    /** The RoPE base: {@code --rope-freq-base} or the file's {@code rope.freq_base}. */
    public static double freqBase(ModelConfig c, RopeOptions o) {
        if (isSet(o.freqBase())) return positive("--rope-freq-base", o.freqBase());
        return c.ropeFreqBase();
    }

    public static RopeScaling create(ModelConfig c, ModelWeights w, RopeOptions o) {
        validate(o);
        RopeScalingParams p = c.ropeScaling();
        boolean hasLongRope = w.ropeFactorsLong() != null && w.ropeFactorsShort() != null;
        RopeMethod method = o.method() != null ? o.method() : fileMethod(c, o, hasLongRope);
        double factor = isSet(o.scale()) ? o.scale() : isSet(o.freqScale()) ? 1 / o.freqScale() : p.factor();
        // A method chosen on the command line needs a factor from somewhere; a file's own method uses the file's.
        boolean factorKnown = o.method() == null || isSet(o.scale()) || isSet(o.freqScale()) || p.factor() != 1f;
        int original = o.yarnOrigCtx() > 0 ? o.yarnOrigCtx()
                : p.originalContextLength() > 0 ? p.originalContextLength() : c.trainedContextLength();
        double betaFast = pick(o.yarnBetaFast(), p.yarnBetaFast(), YARN_BETA_FAST);
        double betaSlow = pick(o.yarnBetaSlow(), p.yarnBetaSlow(), YARN_BETA_SLOW);

        RopeScaling s = switch (method) {
            case NONE -> new NoScaling();
            case LINEAR -> factor == 1 ? new NoScaling() : new LinearScaling(factor);
            case NTK -> {
                if (!isSet(o.alpha())) throw missing(method, "--rope-alpha");
                yield new NtkAwareScaling(o.alpha());
            }
            // Hugging Face measures dynamic NTK against max_position_embeddings, the trained context.
            case DYNAMIC_NTK -> new DynamicNtkScaling(factor,
                    o.yarnOrigCtx() > 0 ? o.yarnOrigCtx() : c.trainedContextLength());
            case NTK_BY_PARTS -> {
                if (!factorKnown) throw missing(method, "--rope-scale");
                yield new NtkByPartsScaling(factor, original);
            }
            case NTK_BY_PARTS_YARN -> {
                if (!factorKnown) throw missing(method, "--rope-scale");
                yield new NtkByPartsYarnScaling(factor, original, betaFast, betaSlow);
            }
            case YARN -> {
                if (!factorKnown) throw missing(method, "--rope-scale");
                double ext = pick(o.yarnExtFactor(), p.yarnExtFactor(), 1);
                yield new YarnScaling(factor, original, betaFast, betaSlow, ext, true, yarnAttention(p, factor, ext));
            }
            case LONGROPE -> {
                if (!hasLongRope) {
                    throw new AmadeusException("--rope-scaling longrope needs the tensors rope_factors_long and "
                            + "rope_factors_short, which " + c.name() + " does not have");
                }
                double attention = p.hasAttnFactor() ? p.attnFactor() : LongRopeScaling.defaultAttentionFactor(factor, original);
                yield new LongRopeScaling(w.ropeFactorsShort(), w.ropeFactorsLong(), original, attention);
            }
            case LLAMA3 -> {
                if (w.ropeFrequencyFactors() != null) yield new FrequencyFactors(new NoScaling(), w.ropeFrequencyFactors());
                if (!factorKnown) throw missing(method, "--rope-scale (or a rope_freqs tensor in the file)");
                yield new Llama3Scaling(factor, LLAMA3_LOW_FREQ_FACTOR, LLAMA3_HIGH_FREQ_FACTOR, original);
            }
        };
        if (w.ropeFrequencyFactors() != null && method != RopeMethod.LLAMA3) {
            s = new FrequencyFactors(s, w.ropeFrequencyFactors());
        }
        double multiplier = (isSet(o.yarnAttnFactor()) ? o.yarnAttnFactor() : 1)
                * (method == RopeMethod.LONGROPE ? 1 : p.attnFactor());
        return multiplier == 1 ? s : new AttentionScaled(s, multiplier);
    }

    /** The method the file declares, or NTK-aware when only {@code --rope-alpha} was given. */
    private static RopeMethod fileMethod(ModelConfig c, RopeOptions o, boolean hasLongRope) {
        if (isSet(o.alpha())) return RopeMethod.NTK;
        RopeScalingParams p = c.ropeScaling();
        // Phi-3 files carry the LongRoPE tensors without a scaling type (which llama.cpp reads as linear, factor 1).
        if (hasLongRope && (p.type().equals("longrope") || p.type().equals("linear") && p.factor() == 1f)) {
            return RopeMethod.LONGROPE;
        }
        return RopeMethod.parse(p.type(), c.name() + ": rope.scaling.type");
    }

    /**
     * YaRN's factor on cos and sin: none without extrapolation (llama.cpp then runs plain interpolation);
     * else the file's {@code yarn_attn_factor} if any, else DeepSeek's mscale ratio when the file has a
     * {@code yarn_log_multiplier}, else {@code 0.1·ln(s) + 1}.
     */
    private static double yarnAttention(RopeScalingParams p, double factor, double ext) {
        if (ext == 0) return 1;
        if (!Float.isNaN(p.yarnAttnFactor())) return p.yarnAttnFactor();
        if (!Float.isNaN(p.yarnLogMultiplier()) && p.yarnLogMultiplier() != 0) {
            // The converter stores 0.1·mscale_all_dim; mscale is 1 outside DeepSeek's own architecture.
            return YarnScaling.defaultAttentionFactor(factor, 1, p.yarnLogMultiplier() / 0.1);
        }
        return YarnScaling.mscale(factor, 1);
    }

    private static void validate(RopeOptions o) {
        if (isSet(o.scale())) positive("--rope-scale", o.scale());
        if (isSet(o.freqBase())) positive("--rope-freq-base", o.freqBase());
        if (isSet(o.freqScale())) positive("--rope-freq-scale", o.freqScale());
        if (isSet(o.scale()) && isSet(o.freqScale())) {
            throw new AmadeusException("--rope-scale and --rope-freq-scale set the same factor: give only one");
        }
        if (o.yarnOrigCtx() < 0) throw new AmadeusException("--yarn-orig-ctx must be positive, got " + o.yarnOrigCtx());
        if (isSet(o.yarnExtFactor()) && !(o.yarnExtFactor() >= 0 && o.yarnExtFactor() <= 1)) {
            throw new AmadeusException("--yarn-ext-factor must be between 0 and 1, got " + o.yarnExtFactor());
        }
        if (isSet(o.yarnAttnFactor())) positive("--yarn-attn-factor", o.yarnAttnFactor());
        if (isSet(o.yarnBetaSlow())) positive("--yarn-beta-slow", o.yarnBetaSlow());
        if (isSet(o.yarnBetaFast())) positive("--yarn-beta-fast", o.yarnBetaFast());
        if (isSet(o.alpha())) positive("--rope-alpha", o.alpha());
        if (isSet(o.alpha()) && o.method() != null && o.method() != RopeMethod.NTK) {
            throw new AmadeusException("--rope-alpha applies to --rope-scaling ntk, not " + o.method());
        }
    }

    private static double positive(String flag, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new AmadeusException(flag + " must be a positive number, got " + value);
        }
        return value;
    }

    private static double pick(double option, float fileValue, double defaultValue) {
        if (isSet(option)) return option;
        return Float.isNaN(fileValue) ? defaultValue : fileValue;
    }

    private static AmadeusException missing(RopeMethod method, String what) {
        return new AmadeusException("--rope-scaling " + method + " needs " + what);
    }
}
