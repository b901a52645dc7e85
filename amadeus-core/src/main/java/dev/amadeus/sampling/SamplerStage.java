package dev.amadeus.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One filtering or reshaping step of the sampling chain. The order of stages matters, as in llama.cpp,
 * whose default order is {@link #LLAMA_CPP_DEFAULT_ORDER}. Logit biases are not a stage: like llama.cpp,
 * they are always applied first.
 */
public enum SamplerStage {
    PENALTIES("penalties", 'e'),
    TOP_K("top_k", 'k'),
    TYPICAL_P("typ_p", 'y'),
    TOP_P("top_p", 'p'),
    MIN_P("min_p", 'm'),
    TEMPERATURE("temperature", 't');

    /** llama.cpp's default {@code --samplers} order, less the stages Amadeus does not have (dry, xtc). */
    public static final List<SamplerStage> LLAMA_CPP_DEFAULT_ORDER =
            List.of(PENALTIES, TOP_K, TYPICAL_P, TOP_P, MIN_P, TEMPERATURE);

    private static final Map<String, SamplerStage> ALTERNATIVE_NAMES = Map.of(
            "top-k", TOP_K,
            "top-p", TOP_P,
            "nucleus", TOP_P,
            "typical-p", TYPICAL_P,
            "typical", TYPICAL_P,
            "typ-p", TYPICAL_P,
            "typ", TYPICAL_P,
            "min-p", MIN_P,
            "temp", TEMPERATURE);

    /*
     * llama.cpp samplers that are disabled unless their own parameters switch them on (dry_multiplier 0,
     * xtc_probability 0, top_n_sigma -1 by default). Amadeus has none of those parameters, so naming these
     * stages is exactly llama.cpp with them disabled: they are accepted and skipped, which lets llama.cpp's
     * own default string "penalties;dry;top_k;typ_p;top_p;min_p;xtc;temperature" parse.
     */
    private static final Set<String> SKIPPED_NAMES = Set.of("dry", "xtc", "top_n_sigma", "top-n-sigma");
    private static final String SKIPPED_LETTERS = "dxs";

    private final String llamaCppName;
    private final char letter;

    SamplerStage(String llamaCppName, char letter) {
        this.llamaCppName = llamaCppName;
        this.letter = letter;
    }

    /** The canonical name llama.cpp prints and accepts in {@code --samplers}. */
    public String llamaCppName() { return llamaCppName; }

    /** The letter llama.cpp uses for this stage in {@code --sampling-seq}. */
    public char letter() { return letter; }

    /**
     * Parses a llama.cpp sampler sequence: either {@code ;}-separated names as in {@code --samplers}
     * ("penalties;top_k;top_p;min_p;temperature", alternative names such as "top-k" or "temp" allowed), or
     * the letter form of {@code --sampling-seq} ("ekypmt"). A spec without {@code ;} that is not a single
     * known name is read as letters. Repeated stages are kept, as llama.cpp keeps them.
     *
     * @throws IllegalArgumentException naming the first part that is neither a stage nor a skipped llama.cpp sampler
     */
    public static List<SamplerStage> parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty sampler sequence");
        }
        String trimmed = spec.trim();
        if (trimmed.indexOf(';') < 0 && !isName(trimmed)) {
            return parseLetters(trimmed);
        }
        return parseNames(trimmed);
    }

    /** Parses {@code ;}-separated llama.cpp sampler names (canonical or alternative, case-insensitive). */
    public static List<SamplerStage> parseNames(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty sampler sequence");
        }
        List<SamplerStage> stages = new ArrayList<>();
        String[] parts = spec.split(";", -1);
        for (int i = 0; i < parts.length; i++) {
            String name = parts[i].trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                // A trailing separator is harmless; an empty name in the middle is most likely a typo.
                if (i == parts.length - 1 && i > 0) continue;
                throw new IllegalArgumentException("empty sampler name at position " + (i + 1) + " in '" + spec + "'");
            }
            if (SKIPPED_NAMES.contains(name)) continue;
            SamplerStage stage = byName(name);
            if (stage == null) {
                throw new IllegalArgumentException("unknown sampler '" + parts[i].trim() + "' in '" + spec
                        + "'; known: " + knownNames());
            }
            stages.add(stage);
        }
        return List.copyOf(stages);
    }

    /** Parses llama.cpp's letter form ({@code --sampling-seq}), e.g. "ekypmt". */
    public static List<SamplerStage> parseLetters(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty sampler sequence");
        }
        String letters = spec.trim();
        List<SamplerStage> stages = new ArrayList<>();
        for (int i = 0; i < letters.length(); i++) {
            char c = Character.toLowerCase(letters.charAt(i));
            if (SKIPPED_LETTERS.indexOf(c) >= 0) continue;
            SamplerStage stage = byLetter(c);
            if (stage == null) {
                throw new IllegalArgumentException("unknown sampler '" + letters + "': '" + letters.charAt(i)
                        + "' is not a sampler letter (known letters: " + knownLetters() + ") and '" + letters
                        + "' is not a sampler name (known: " + knownNames() + ")");
            }
            stages.add(stage);
        }
        return List.copyOf(stages);
    }

    /** The canonical {@code --samplers} string for a stage list, e.g. "penalties;top_k;temperature". */
    public static String toSpec(List<SamplerStage> stages) {
        StringBuilder sb = new StringBuilder();
        for (SamplerStage stage : stages) {
            if (!sb.isEmpty()) sb.append(';');
            sb.append(stage.llamaCppName);
        }
        return sb.toString();
    }

    private static boolean isName(String candidate) {
        String name = candidate.toLowerCase(Locale.ROOT);
        return byName(name) != null || SKIPPED_NAMES.contains(name);
    }

    private static SamplerStage byName(String lowerCaseName) {
        for (SamplerStage stage : values()) {
            if (stage.llamaCppName.equals(lowerCaseName)) return stage;
        }
        return ALTERNATIVE_NAMES.get(lowerCaseName);
    }

    private static SamplerStage byLetter(char c) {
        for (SamplerStage stage : values()) {
            if (stage.letter == c) return stage;
        }
        return null;
    }

    private static String knownNames() {
        StringBuilder sb = new StringBuilder();
        for (SamplerStage stage : values()) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(stage.llamaCppName);
        }
        return sb.toString();
    }

    private static String knownLetters() {
        StringBuilder sb = new StringBuilder();
        for (SamplerStage stage : values()) sb.append(stage.letter);
        return sb.toString();
    }
}
