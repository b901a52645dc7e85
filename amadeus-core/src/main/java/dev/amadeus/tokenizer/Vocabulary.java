package dev.amadeus.tokenizer;

import dev.amadeus.AmadeusException;
import dev.amadeus.gguf.GGUFFile;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A model's tokens with their types, scores and special ids, and the flags that steer tokenization, read
 * from GGUF metadata with llama.cpp's defaults, overrides and text-based detection of end-of-generation
 * tokens.
 */
public final class Vocabulary {
    /** The tokenization algorithm named by {@code tokenizer.ggml.model}. */
    enum Model { SPM, BPE, WPM }

    static final int NONE = -1;

    /** Texts that mark a token as ending generation whatever its stored type. */
    private static final List<String> END_OF_GENERATION_TEXTS =
            List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>");
    /** Texts that may supply a missing eot id. */
    private static final List<String> END_OF_TURN_TEXTS =
            List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<EOT>", "<｜end▁of▁sentence｜>");
    private static final List<String> FIM_PAD_TEXTS = List.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>");
    private static final List<String> FIM_REPO_TEXTS = List.of("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>");
    private static final List<String> FIM_SEP_TEXTS = List.of("<|file_sep|>");

    private final Model model;
    private final String[] texts;
    private final TokenType[] types;
    private final float[] scores;
    private final Map<String, Integer> ids;
    private final BitSet leftStrip = new BitSet();
    private final BitSet rightStrip = new BitSet();
    private final BitSet endOfGeneration = new BitSet();
    private final int bos;
    private final int eos;
    private final int eot;
    private final int eom;
    private final int unknown;
    private final int separator;
    private final int padding;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSpacePrefix;
    private final boolean cleanSpaces;
    private final BpePreset bpePreset;
    /** Candidates of the special-token partition, longest text first. */
    private final int[] specialTokens;
    private final int maxTokenLength;

    /** Everything read from a file (or built for tests) before llama.cpp's rules are applied. */
    record Source(Model model, String name, String pre, String[] texts, int[] typeCodes, float[] scores,
                  Map<String, Integer> specialIds, Boolean addBos, Boolean addEos, Boolean addSpacePrefix) {
    }

    Vocabulary(Source source) {
        this.model = source.model();
        int n = source.texts().length;
        if (n == 0) throw new AmadeusException("the vocabulary has no tokens");
        this.texts = source.texts().clone();
        this.types = new TokenType[n];
        this.scores = source.scores() != null ? source.scores() : new float[n];
        this.ids = HashMap.newHashMap(n);
        for (int i = 0; i < n; i++) {
            if (texts[i].isEmpty()) texts[i] = "[EMPTY_" + i + "]";
            types[i] = source.typeCodes() != null ? TokenType.fromCode(source.typeCodes()[i]) : TokenType.NORMAL;
            // a later duplicate would make llama.cpp refuse the file; the first id is kept here
            ids.putIfAbsent(texts[i], i);
        }

        BpePreset preset = null;
        int bosId, eosId, unkId, sepId, padId;
        boolean bosDefault, spacePrefix, clean;
        switch (model) {
            case SPM -> {
                bosId = 1; eosId = 2; unkId = 0; sepId = NONE; padId = NONE;
                bosDefault = true; spacePrefix = true; clean = false;
            }
            case BPE -> {
                String pre = source.pre() == null ? "default" : source.pre();
                preset = BpePreset.forName(pre);
                if (preset == null) {
                    throw new AmadeusException("unknown BPE pre-tokenizer: tokenizer.ggml.pre = '" + pre + "'");
                }
                bosId = preset.noBos() ? NONE : 11; eosId = 11; unkId = NONE; sepId = NONE; padId = NONE;
                bosDefault = preset.addBos(); spacePrefix = false; clean = preset.cleanSpaces();
            }
            case WPM -> {
                bosId = 101; eosId = NONE; unkId = 100; sepId = 102; padId = 0;
                bosDefault = true; spacePrefix = false; clean = true;
            }
            default -> throw new IllegalStateException();
        }
        this.bpePreset = preset;
        Map<String, Integer> special = source.specialIds();
        bosId = override(special, "bos", bosId, n);
        eosId = override(special, "eos", eosId, n);
        int eotId = override(special, "eot", NONE, n);
        int eomId = override(special, "eom", NONE, n);
        unkId = override(special, "unknown", unkId, n);
        sepId = override(special, "separator", sepId, n);
        padId = override(special, "padding", padId, n);
        int fimPad = override(special, "fim_pad", NONE, n);
        int fimRep = override(special, "fim_rep", NONE, n);
        int fimSep = override(special, "fim_sep", NONE, n);

        if (eotId == NONE) eotId = findControlByText(END_OF_TURN_TEXTS);
        if (eomId == NONE) eomId = findControlByText(List.of("<|eom_id|>"));
        if (fimPad == NONE) fimPad = findControlByText(FIM_PAD_TEXTS);
        if (fimRep == NONE) fimRep = findControlByText(FIM_REPO_TEXTS);
        if (fimSep == NONE) fimSep = findControlByText(FIM_SEP_TEXTS);
        for (int id : new int[] {fimPad, fimRep, fimSep, eosId, eotId, eomId}) {
            if (id != NONE) endOfGeneration.set(id);
        }
        for (String text : END_OF_GENERATION_TEXTS) {
            Integer id = ids.get(text);
            if (id != null) {
                endOfGeneration.set(id);
                types[id] = TokenType.CONTROL;
            }
        }

        this.bos = bosId;
        this.eos = eosId;
        this.eot = eotId;
        this.eom = eomId;
        this.unknown = unkId;
        this.separator = sepId;
        this.padding = padId;
        this.addBos = source.addBos() != null ? source.addBos() : bosDefault;
        this.addEos = source.addEos() != null ? source.addEos() : false;
        this.addSpacePrefix = source.addSpacePrefix() != null ? source.addSpacePrefix() : spacePrefix;
        this.cleanSpaces = clean;

        // std::sort leaves ties in no particular order; ties are broken by id here so results are stable
        this.specialTokens = IntStream.range(0, n)
                .filter(i -> types[i].isSpecialCandidate())
                .boxed()
                .sorted(Comparator.comparingInt((Integer i) -> -utf8Length(texts[i])).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue)
                .toArray();
        int longest = 0;
        for (String t : texts) longest = Math.max(longest, t.length());
        this.maxTokenLength = longest;

        applyModelSpecificStrips(source.name() == null ? "" : source.name().toLowerCase(Locale.ROOT), source.pre());
    }

    private static int override(Map<String, Integer> special, String name, int defaultId, int n) {
        Integer id = special.get(name);
        // llama.cpp keeps the default when the stored id is out of range
        return id != null && id >= 0 && id < n ? id : defaultId;
    }

    /**
     * The id of the first token with one of these texts, forced to CONTROL as llama.cpp does. llama.cpp
     * scans a hash map, so which of several candidates wins is unspecified there; here it is the lowest id.
     */
    private int findControlByText(List<String> candidates) {
        int found = NONE;
        for (String text : candidates) {
            Integer id = ids.get(text);
            if (id != null && (found == NONE || id < found)) found = id;
        }
        if (found != NONE && types[found] != TokenType.CONTROL) types[found] = TokenType.CONTROL;
        return found;
    }

    /**
     * Attributes llama.cpp sets by model or pre-tokenizer name: Phi-3 special tokens (and {@code </s>}) eat
     * the whitespace after them, except {@code <unk>}, {@code <s>} and {@code <|endoftext|>}; the Jina v2
     * {@code <mask>} token eats the whitespace before it.
     */
    private void applyModelSpecificStrips(String lowerCaseName, String pre) {
        if (pre != null && model == Model.BPE && BpePreset.MASK_LSTRIP.contains(pre)) {
            Integer mask = ids.get("<mask>");
            if (mask != null) leftStrip.set(mask);
        } else if (lowerCaseName.contains("phi-3") || lowerCaseName.contains("phi3")) {
            for (int id : specialTokens) rightStrip.set(id);
            Integer endOfSequence = ids.get("</s>");
            if (endOfSequence != null) rightStrip.set(endOfSequence);
            for (String text : List.of("<unk>", "<s>", "<|endoftext|>")) {
                Integer id = ids.get(text);
                if (id != null) rightStrip.clear(id);
            }
        }
    }

    static int utf8Length(String s) {
        int length = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) length += 1;
            else if (c < 0x800) length += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                length += 4;
                i++;
            } else length += 3;
        }
        return length;
    }

    /** Reads the vocabulary of a GGUF file. */
    static Vocabulary fromGGUF(GGUFFile file) {
        String modelName = file.getString("tokenizer.ggml.model", null);
        if (modelName == null) {
            throw new AmadeusException(file.fileName() + " has no tokenizer (tokenizer.ggml.model is missing)");
        }
        Model model = switch (modelName) {
            case "llama" -> Model.SPM;
            case "gpt2" -> Model.BPE;
            case "bert" -> Model.WPM;
            case "t5", "rwkv" -> throw new AmadeusException(file.fileName() + ": tokenizer.ggml.model = '" + modelName
                    + "' is not supported (supported: llama, gpt2, bert)");
            case "no_vocab", "none" -> throw new AmadeusException(file.fileName() + " has no vocabulary (tokenizer.ggml.model = '"
                    + modelName + "')");
            default -> throw new AmadeusException(file.fileName() + ": unknown tokenizer model: tokenizer.ggml.model = '"
                    + modelName + "'");
        };
        if (!file.contains("tokenizer.ggml.tokens")) {
            throw new AmadeusException(file.fileName() + ": tokenizer.ggml.tokens is missing");
        }
        String[] tokens = file.getStringArray("tokenizer.ggml.tokens");
        float[] scores = file.contains("tokenizer.ggml.scores") ? file.getFloatArray("tokenizer.ggml.scores") : null;
        int[] typeCodes = file.contains("tokenizer.ggml.token_type") ? file.getIntArray("tokenizer.ggml.token_type") : null;
        if (scores != null && scores.length != tokens.length) {
            throw new AmadeusException(file.fileName() + ": tokenizer.ggml.scores has " + scores.length + " entries for "
                    + tokens.length + " tokens");
        }
        if (typeCodes != null && typeCodes.length != tokens.length) {
            throw new AmadeusException(file.fileName() + ": tokenizer.ggml.token_type has " + typeCodes.length
                    + " entries for " + tokens.length + " tokens");
        }
        Map<String, Integer> special = new HashMap<>();
        String[][] keys = {
                {"bos", "tokenizer.ggml.bos_token_id"}, {"eos", "tokenizer.ggml.eos_token_id"},
                {"eot", "tokenizer.ggml.eot_token_id"}, {"eom", "tokenizer.ggml.eom_token_id"},
                {"unknown", "tokenizer.ggml.unknown_token_id"}, {"separator", "tokenizer.ggml.seperator_token_id"},
                {"padding", "tokenizer.ggml.padding_token_id"}, {"fim_pad", "tokenizer.ggml.fim_pad_token_id"},
                {"fim_rep", "tokenizer.ggml.fim_rep_token_id"}, {"fim_sep", "tokenizer.ggml.fim_sep_token_id"},
        };
        for (String[] k : keys) {
            if (!file.contains(k[1])) continue;
            // converters write "none" as 0xFFFFFFFF; llama.cpp ignores ids past the vocabulary
            long id = file.getLong(k[1]);
            if (id >= 0 && id < tokens.length) special.put(k[0], (int) id);
        }
        Boolean addBos = file.contains("tokenizer.ggml.add_bos_token") ? file.getBoolean("tokenizer.ggml.add_bos_token", true) : null;
        Boolean addEos = file.contains("tokenizer.ggml.add_eos_token") ? file.getBoolean("tokenizer.ggml.add_eos_token", false) : null;
        Boolean spacePrefix = file.contains("tokenizer.ggml.add_space_prefix")
                ? file.getBoolean("tokenizer.ggml.add_space_prefix", true) : null;
        String pre = model == Model.BPE ? file.getString("tokenizer.ggml.pre", null) : null;
        try {
            return new Vocabulary(new Source(model, file.getString("general.name", ""), pre, tokens, typeCodes, scores,
                    special, addBos, addEos, spacePrefix));
        } catch (AmadeusException e) {
            throw new AmadeusException(file.fileName() + ": " + e.getMessage(), e);
        }
    }

    public int size() {
        return texts.length;
    }

    /** The token's stored text (for byte-level BPE, in the byte-to-character encoding). */
    public String text(int id) {
        return texts[id];
    }

    /** The id of the token with exactly this text, or -1. */
    public int id(String text) {
        Integer id = ids.get(text);
        return id == null ? NONE : id;
    }

    /** The token's type after llama.cpp's load-time corrections (end-of-generation texts become CONTROL). */
    public TokenType type(int id) {
        return types[id];
    }

    public float score(int id) {
        return scores[id];
    }

    /** The beginning-of-sequence id, or -1 when the vocabulary has none. */
    public int bos() {
        return bos;
    }

    /** The end-of-sequence id, or -1 when the vocabulary has none. */
    public int eos() {
        return eos;
    }

    /** The end-of-turn id, or -1 when the vocabulary has none. */
    public int eot() {
        return eot;
    }

    /** The end-of-message id (Llama 3.1 tool calls), or -1. */
    public int eom() {
        return eom;
    }

    public int unknown() {
        return unknown;
    }

    public int separator() {
        return separator;
    }

    public int padding() {
        return padding;
    }

    /** Whether encoding with special tokens starts with BOS. */
    public boolean addBos() {
        return addBos;
    }

    /** Whether encoding with special tokens ends with EOS. */
    public boolean addEos() {
        return addEos;
    }

    public boolean addSpacePrefix() {
        return addSpacePrefix;
    }

    /** Whether generation stops at this token: eos, eot, eom, FIM pad/repo/sep and tokens like {@code <|im_end|>}. */
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && endOfGeneration.get(id);
    }

    /** All end-of-generation ids, ascending. */
    public int[] endOfGenerationIds() {
        return endOfGeneration.stream().toArray();
    }

    Model model() {
        return model;
    }

    BpePreset bpePreset() {
        return bpePreset;
    }

    boolean cleanSpaces() {
        return cleanSpaces;
    }

    int[] specialTokens() {
        return specialTokens;
    }

    boolean stripsLeft(int id) {
        return leftStrip.get(id);
    }

    boolean stripsRight(int id) {
        return rightStrip.get(id);
    }

    /** The longest token text, in UTF-16 units. */
    int maxTokenLength() {
        return maxTokenLength;
    }

    @Override
    public String toString() {
        return "Vocabulary[" + model + ", " + texts.length + " tokens, bos=" + bos + ", eos=" + eos + ", eot=" + eot
                + ", eog=" + Arrays.toString(endOfGenerationIds()) + "]";
    }
}
