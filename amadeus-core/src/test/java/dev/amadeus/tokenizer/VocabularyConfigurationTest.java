package dev.amadeus.tokenizer;

import dev.amadeus.AmadeusException;
import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.gguf.GGUFValueType;
import dev.amadeus.gguf.GGUFWriter;
import dev.amadeus.gguf.MetadataValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tokenizer selection, flags and errors, on small hand-made vocabularies. */
class VocabularyConfigurationTest {
    @TempDir
    Path dir;

    /** A byte-level BPE vocabulary: every byte, "he", "hel", "hell", "hello", an end-of-text token. */
    private Map<String, MetadataValue> bpe(String pre) {
        List<String> tokens = new java.util.ArrayList<>();
        for (int b = 0; b < 256; b++) tokens.add(String.valueOf(ByteLevel.encode(b)));
        tokens.addAll(List.of("he", "hel", "hell", "hello", "<|endoftext|>"));
        int[] types = new int[tokens.size()];
        java.util.Arrays.fill(types, 1);
        types[types.length - 1] = 3;
        Map<String, MetadataValue> kv = new LinkedHashMap<>();
        kv.put("general.architecture", MetadataValue.string("llama"));
        kv.put("tokenizer.ggml.model", MetadataValue.string("gpt2"));
        if (pre != null) kv.put("tokenizer.ggml.pre", MetadataValue.string(pre));
        kv.put("tokenizer.ggml.tokens", MetadataValue.array(GGUFValueType.STRING, tokens.toArray(String[]::new)));
        kv.put("tokenizer.ggml.token_type", MetadataValue.array(GGUFValueType.INT32, types));
        kv.put("tokenizer.ggml.merges", MetadataValue.array(GGUFValueType.STRING, new String[] {"h e", "he l", "hel l", "hell o"}));
        kv.put("tokenizer.ggml.bos_token_id", MetadataValue.uint32(tokens.size() - 1));
        kv.put("tokenizer.ggml.eos_token_id", MetadataValue.uint32(tokens.size() - 1));
        return kv;
    }

    private Tokenizer load(Map<String, MetadataValue> kv) throws IOException {
        Path path = dir.resolve("vocab-" + System.nanoTime() + ".gguf");
        new GGUFWriter().putAll(kv).write(path);
        try (GGUFFile file = GGUFFile.open(path)) {
            return Tokenizer.fromGGUF(file);
        }
    }

    @Test
    void unknownTokenizerModelIsNamed() {
        Map<String, MetadataValue> kv = bpe("gpt-2");
        kv.put("tokenizer.ggml.model", MetadataValue.string("sentencepiece-v9"));
        AmadeusException e = assertThrows(AmadeusException.class, () -> load(kv));
        assertTrue(e.getMessage().contains("tokenizer.ggml.model") && e.getMessage().contains("sentencepiece-v9"), e.getMessage());
        kv.put("tokenizer.ggml.model", MetadataValue.string("t5"));
        e = assertThrows(AmadeusException.class, () -> load(kv));
        assertTrue(e.getMessage().contains("'t5'") && e.getMessage().contains("not supported"), e.getMessage());
    }

    @Test
    void unknownPreTokenizerIsNamed() {
        AmadeusException e = assertThrows(AmadeusException.class, () -> load(bpe("my-shiny-pre")));
        assertTrue(e.getMessage().contains("tokenizer.ggml.pre") && e.getMessage().contains("my-shiny-pre"), e.getMessage());
    }

    @Test
    void everyKnownPreTokenizerCompiles() throws IOException {
        for (String pre : BpePreset.names()) {
            Tokenizer t = load(bpe(pre));
            assertEquals("hello world's 123 x", t.decode(t.encode("hello world's 123 x", false, false), false, false).replace(" 's", "'s"));
        }
    }

    @Test
    void missingPreMeansDefault() throws IOException {
        Tokenizer t = load(bpe(null));
        assertArrayEquals(new int[] {259}, t.encode("hello", false, false));
        assertFalse(t.vocabulary().addBos());
    }

    @Test
    void bosDefaultsFollowThePreAndTheFileOverrides() throws IOException {
        int endOfText = 260;
        assertFalse(load(bpe("gpt-2")).vocabulary().addBos());
        Tokenizer llama3 = load(bpe("llama-bpe"));
        assertTrue(llama3.vocabulary().addBos());
        assertArrayEquals(new int[] {endOfText, 259}, llama3.encode("hello", true, false));

        Map<String, MetadataValue> kv = bpe("llama-bpe");
        kv.put("tokenizer.ggml.add_bos_token", MetadataValue.bool(false));
        kv.put("tokenizer.ggml.add_eos_token", MetadataValue.bool(true));
        Tokenizer overridden = load(kv);
        assertFalse(overridden.vocabulary().addBos());
        assertTrue(overridden.vocabulary().addEos());
        assertArrayEquals(new int[] {259, endOfText}, overridden.encode("hello", true, false));
        // remove_special drops the trailing EOS the vocabulary adds
        assertEquals("hello", overridden.decode(new int[] {259, endOfText}, true, true));
        assertEquals("hello<|endoftext|>", overridden.decode(new int[] {259, endOfText}, false, true));
    }

    @Test
    void mergesFollowRankAndIgnoreMergesTakesWholeWords() throws IOException {
        Map<String, MetadataValue> kv = bpe("gpt-2");
        // without the "hel l" merge "hello" cannot be reached by merging
        kv.put("tokenizer.ggml.merges", MetadataValue.array(GGUFValueType.STRING, new String[] {"h e", "he l", "l o"}));
        Tokenizer gpt2 = load(kv);
        Vocabulary v = gpt2.vocabulary();
        assertArrayEquals(new int[] {v.id("hel"), v.id("l"), v.id("o")}, gpt2.encode("hello", false, false));
        kv.put("tokenizer.ggml.pre", MetadataValue.string("llama3"));
        Tokenizer llama3 = load(kv);
        assertArrayEquals(new int[] {v.id("hello")}, llama3.encode("hello", false, false));
    }

    @Test
    void outOfRangeSpecialIdsKeepTheDefault() throws IOException {
        Map<String, MetadataValue> kv = bpe("gpt-2");
        kv.put("tokenizer.ggml.eos_token_id", MetadataValue.uint32(99999));
        assertEquals(11, load(kv).vocabulary().eos());
    }
}
