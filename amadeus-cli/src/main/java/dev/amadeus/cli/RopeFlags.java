package dev.amadeus.cli;

import dev.amadeus.AmadeusException;
import dev.amadeus.model.rope.RopeMethod;
import dev.amadeus.model.rope.RopeOptions;
import picocli.CommandLine.Option;

/**
 * The RoPE flags of llama.cpp plus ours, as a picocli mixin for any command that runs a model
 * ({@code @Mixin RopeFlags rope;} then {@link #toOptions()}). Unset flags keep the model file's settings;
 * values are checked when the model's scaling is built, so that a bad one is named with its flag.
 */
public final class RopeFlags {
    @Option(names = "--rope-scaling", paramLabel = "METHOD",
            description = "RoPE scaling method: none, linear, yarn, longrope, ntk, dynamic-ntk, ntk-by-parts, "
                    + "ntk-by-parts-yarn, llama3 (default: from the model).")
    String method;

    @Option(names = "--rope-scale", paramLabel = "N", description = "Context extension factor N (frequencies scaled by 1/N).")
    Double scale;

    @Option(names = "--rope-freq-base", paramLabel = "N", description = "RoPE base frequency (default: from the model).")
    Double freqBase;

    @Option(names = "--rope-freq-scale", paramLabel = "N", description = "RoPE frequency scale: extends the context by 1/N.")
    Double freqScale;

    @Option(names = "--yarn-orig-ctx", paramLabel = "N", description = "Original context of the model, for YaRN and NTK-by-parts (default: from the model).")
    Integer yarnOrigCtx;

    @Option(names = "--yarn-ext-factor", paramLabel = "N", description = "YaRN extrapolation share, 0 to 1 (default: 1).")
    Double yarnExtFactor;

    @Option(names = "--yarn-attn-factor", paramLabel = "N", description = "Multiplier of cos and sin, for any method (default: 1).")
    Double yarnAttnFactor;

    @Option(names = "--yarn-beta-slow", paramLabel = "N", description = "YaRN: pairs turning fewer times over the original context are fully interpolated (default: 1).")
    Double yarnBetaSlow;

    @Option(names = "--yarn-beta-fast", paramLabel = "N", description = "YaRN: pairs turning more times over the original context keep their frequency (default: 32).")
    Double yarnBetaFast;

    @Option(names = "--rope-alpha", paramLabel = "A", description = "NTK-aware alpha: the base grows to base·A^(d/(d-2)); implies --rope-scaling ntk.")
    Double alpha;

    /** The options these flags stand for; an unknown method name is an error naming {@code --rope-scaling}. */
    public RopeOptions toOptions() {
        RopeOptions o = RopeOptions.FROM_FILE;
        if (method != null) o = o.withMethod(RopeMethod.parse(method, "--rope-scaling"));
        if (scale != null) o = o.withScale(finite("--rope-scale", scale));
        if (freqBase != null) o = o.withFreqBase(finite("--rope-freq-base", freqBase));
        if (freqScale != null) o = o.withFreqScale(finite("--rope-freq-scale", freqScale));
        if (yarnOrigCtx != null) {
            if (yarnOrigCtx <= 0) throw new AmadeusException("--yarn-orig-ctx must be positive, got " + yarnOrigCtx);
            o = o.withYarnOrigCtx(yarnOrigCtx);
        }
        if (yarnExtFactor != null) o = o.withYarnExtFactor(finite("--yarn-ext-factor", yarnExtFactor));
        if (yarnAttnFactor != null) o = o.withYarnAttnFactor(finite("--yarn-attn-factor", yarnAttnFactor));
        if (yarnBetaSlow != null || yarnBetaFast != null) {
            o = o.withYarnBetas(yarnBetaSlow != null ? finite("--yarn-beta-slow", yarnBetaSlow) : Double.NaN,
                    yarnBetaFast != null ? finite("--yarn-beta-fast", yarnBetaFast) : Double.NaN);
        }
        if (alpha != null) o = o.withAlpha(finite("--rope-alpha", alpha));
        return o;
    }

    /** NaN means "unset" in {@link RopeOptions}, so a NaN or infinite flag value must not slip through. */
    private static double finite(String flag, double value) {
        if (!Double.isFinite(value)) throw new AmadeusException(flag + " must be a finite number, got " + value);
        return value;
    }
}
