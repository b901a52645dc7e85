package dev.amadeus.tokenizer;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a {@code tokenizer.ggml.pre} value means to llama.cpp for byte-level BPE: the pre-tokenizer pattern
 * cascade and the flags the value switches (whole-word vocabulary lookup before merging, BOS default,
 * space clean-up when detokenizing, no BOS token at all).
 */
record BpePreset(List<String> patterns, boolean ignoreMerges, boolean addBos, boolean cleanSpaces, boolean noBos) {

    private static final String DEEPSEEK_LETTERS = "\\s?[A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}"
                    + "\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}"
                    + "\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}"
                    + "\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}"
                    + "\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}"
                    + "\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}"
                    + "\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}"
                    + "\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}"
                    + "\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}"
                    + "\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}"
                    + "\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}"
                    + "\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}"
                    + "\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}"
                    + "\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}"
                    + "\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}"
                    + "\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}"
                    + "\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}"
                    + "\\x{1E900}-\\x{1E943}]+";
    private static final String CJK = "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+";
    private static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String PORO = " ?[^(\\s|.,!?\\x{2026}\\x{3002}\\x{FF0C}\\x{3001}\\x{964}\\x{6D4}\\x{60C})]+";

    private static final BpePreset LLAMA3 = new BpePreset(List.of(PreTokenizer.LLAMA3), true, true, true, false);
    private static final BpePreset GPT2 = of(true, PreTokenizer.GPT2);
    private static final BpePreset STARCODER = of(true, "\\p{N}", PreTokenizer.GPT2);
    private static final BpePreset QWEN2_CLEAN = of(true, QWEN2);

    private static final Map<String, BpePreset> BY_NAME = Map.ofEntries(
            Map.entry("llama3", LLAMA3),
            Map.entry("llama-v3", LLAMA3),
            Map.entry("llama-bpe", LLAMA3),
            Map.entry("falcon3", LLAMA3),
            Map.entry("dbrx", of(true, PreTokenizer.LLAMA3)),
            Map.entry("smaug-bpe", of(true, PreTokenizer.LLAMA3)),
            Map.entry("chatglm-bpe", new BpePreset(List.of(PreTokenizer.LLAMA3), false, false, true, true)),
            Map.entry("qwen2", of(false, QWEN2)),
            Map.entry("deepseek-r1-qwen", of(false, QWEN2)),
            Map.entry("megrez", QWEN2_CLEAN),
            Map.entry("stablelm2", QWEN2_CLEAN),
            Map.entry("gpt-2", GPT2),
            Map.entry("phi-2", GPT2),
            Map.entry("jina-es", GPT2),
            Map.entry("jina-de", GPT2),
            Map.entry("gigachat", GPT2),
            Map.entry("jina-v1-en", GPT2),
            Map.entry("jina-v2-es", GPT2),
            Map.entry("jina-v2-de", GPT2),
            Map.entry("jina-v2-code", GPT2),
            Map.entry("roberta-bpe", GPT2),
            Map.entry("mpt", GPT2),
            Map.entry("olmo", GPT2),
            Map.entry("jais", GPT2),
            Map.entry("starcoder", STARCODER),
            Map.entry("refact", STARCODER),
            Map.entry("codeshell", STARCODER),
            Map.entry("exaone", STARCODER),
            Map.entry("minerva-7b", STARCODER),
            Map.entry("command-r", STARCODER.withCleanSpaces(false)),
            Map.entry("smollm", STARCODER.withCleanSpaces(false)),
            Map.entry("falcon", of(true, "[\\p{P}\\$\\+<=>\\^~\\|`]+", PreTokenizer.GPT2, "[0-9][0-9][0-9]")),
            Map.entry("default", of(true, "[\\p{P}\\$\\+<=>\\^~\\|]+", PreTokenizer.GPT2, "\\p{N}+", "[0-9][0-9][0-9]")),
            Map.entry("deepseek-llm", of(false, "[\\r\\n]", DEEPSEEK_LETTERS,
                    "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+",
                    "\\s+$", CJK, "\\p{N}+")),
            Map.entry("deepseek-coder", of(false, "[\\r\\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", CJK, "\\p{N}")),
            Map.entry("deepseek-v3", of(false, "\\p{N}{1,3}", "[\\x{4E00}-\\x{9FA5}\\x{3040}-\\x{309F}\\x{30A0}-\\x{30FF}]+",
                    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
                            + "| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")),
            Map.entry("poro-chat", of(false, PORO)),
            Map.entry("bloom", of(true, PORO)),
            Map.entry("gpt3-finnish", of(true, PORO)),
            Map.entry("viking", of(false, PORO, "\\p{N}")),
            Map.entry("tekken", new BpePreset(List.of(
                    "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+"
                            + "|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*"
                            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
                    true, true, false, false)),
            Map.entry("chameleon", new BpePreset(List.of("<sentinel:[0-9]+>", "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z",
                    "([\\t\\n]|    |  )", "\\p{N}", "[\\p{P}!-/:-@\\[-`{-~]", PreTokenizer.GPT2), false, true, false, false)));

    /** Pre values whose {@code <mask>} token swallows the whitespace before it. */
    static final Set<String> MASK_LSTRIP = Set.of("jina-v2-de", "jina-v2-es", "jina-v2-code");

    private static BpePreset of(boolean cleanSpaces, String... patterns) {
        return new BpePreset(List.of(patterns), false, false, cleanSpaces, false);
    }

    private BpePreset withCleanSpaces(boolean clean) {
        return new BpePreset(patterns, ignoreMerges, addBos, clean, noBos);
    }

    /** The preset, or null when llama.cpp does not know the value. */
    static BpePreset forName(String pre) {
        return BY_NAME.get(pre);
    }

    static Set<String> names() {
        return BY_NAME.keySet();
    }
}
