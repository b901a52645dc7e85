package dev.amadeus.model.rope;

/**
 * RoPE settings that override the model file's, as llama.cpp's command-line flags do. A field left unset
 * (null, NaN or 0 as noted) keeps the file's setting or the method's default.
 *
 * @param method         {@code --rope-scaling}; null = the file's {@code rope.scaling.type}
 * @param scale          {@code --rope-scale}: context extension factor s; NaN = unset
 * @param freqBase       {@code --rope-freq-base}; NaN = the file's {@code rope.freq_base}
 * @param freqScale      {@code --rope-freq-scale} = 1/s; NaN = unset
 * @param yarnOrigCtx    {@code --yarn-orig-ctx}: original (pre-extension) context; 0 = from the file
 * @param yarnExtFactor  {@code --yarn-ext-factor}: share of the original frequencies in YaRN; NaN = from the file, else 1
 * @param yarnAttnFactor {@code --yarn-attn-factor}: multiplies cos and sin whatever the method; NaN = 1
 * @param yarnBetaSlow   {@code --yarn-beta-slow}; NaN = from the file, else 1
 * @param yarnBetaFast   {@code --yarn-beta-fast}; NaN = from the file, else 32
 * @param alpha          {@code --rope-alpha}: NTK-aware alpha; NaN = unset
 * @param ggmlAngles     form angles in float as ggml does (see {@link RotaryEmbedding}) instead of in double:
 *                       for bit-level comparison with llama.cpp only, as it loses precision far into the context
 */
public record RopeOptions(RopeMethod method, double scale, double freqBase, double freqScale, int yarnOrigCtx,
                          double yarnExtFactor, double yarnAttnFactor, double yarnBetaSlow, double yarnBetaFast,
                          double alpha, boolean ggmlAngles) {

    private static final double UNSET = Double.NaN;

    /** Everything from the model file. */
    public static final RopeOptions FROM_FILE = new RopeOptions(null, UNSET, UNSET, UNSET, 0, UNSET, UNSET, UNSET, UNSET, UNSET, false);

    public static boolean isSet(double value) {
        return !Double.isNaN(value);
    }

    public RopeOptions withMethod(RopeMethod m) {
        return new RopeOptions(m, scale, freqBase, freqScale, yarnOrigCtx, yarnExtFactor, yarnAttnFactor, yarnBetaSlow, yarnBetaFast, alpha, ggmlAngles);
    }

    public RopeOptions withScale(double s) {
        return new RopeOptions(method, s, freqBase, freqScale, yarnOrigCtx, yarnExtFactor, yarnAttnFactor, yarnBetaSlow, yarnBetaFast, alpha, ggmlAngles);
    }

    public RopeOptions withFreqBase(double b) {
        return new RopeOptions(method, scale, b, freqScale, yarnOrigCtx, yarnExtFactor, yarnAttnFactor, yarnBetaSlow, yarnBetaFast, alpha, ggmlAngles);
    }

    public RopeOptions withFreqScale(double f) {
        return new RopeOptions(method, scale, freqBase, f, yarnOrigCtx, yarnExtFactor, yarnAttnFactor, yarnBetaSlow, yarnBetaFast, alpha, ggmlAngles);
    }

    public RopeOptions withYarnOrigCtx(int n) {
        return new RopeOptions(method, scale, freqBase, freqScale, n, yarnExtFactor, yarnAttnFactor, yarnBetaSlow, yarnBetaFast, alpha, ggmlAngles);
    }

    public RopeOptions withYarnExtFactor(double f) {
        return new RopeOptions(method, scale, freqBase, freqScale, yarnOrigCtx, f, yarnAttnFactor, yarnBetaSlow, yarnBetaFast, alpha, ggmlAngles);
    }

    public RopeOptions withYarnAttnFactor(double f) {
        return new RopeOptions(method, scale, freqBase, freqScale, yarnOrigCtx, yarnExtFactor, f, yarnBetaSlow, yarnBetaFast, alpha, ggmlAngles);
    }

    public RopeOptions withYarnBetas(double betaSlow, double betaFast) {
        return new RopeOptions(method, scale, freqBase, freqScale, yarnOrigCtx, yarnExtFactor, yarnAttnFactor, betaSlow, betaFast, alpha, ggmlAngles);
    }

    public RopeOptions withAlpha(double a) {
        return new RopeOptions(method, scale, freqBase, freqScale, yarnOrigCtx, yarnExtFactor, yarnAttnFactor, yarnBetaSlow, yarnBetaFast, a, ggmlAngles);
    }

    public RopeOptions withGgmlAngles(boolean on) {
        return new RopeOptions(method, scale, freqBase, freqScale, yarnOrigCtx, yarnExtFactor, yarnAttnFactor, yarnBetaSlow, yarnBetaFast, alpha, on);
    }
}
