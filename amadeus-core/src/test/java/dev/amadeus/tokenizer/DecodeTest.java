package dev.amadeus.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Detokenization: pieces, llama.cpp's sequence rules, round trips and the streaming decoder. */
class DecodeTest {
    private static final Tokenizer SPM = TokenizerVectorsTest.open("llama-spm");
    private static final Tokenizer GPT2 = TokenizerVectorsTest.open("gpt-2");
    private static final Tokenizer LLAMA3 = TokenizerVectorsTest.llama3();

    /**
     * Decoding the tokens of every vector input gives the input back, except where llama.cpp's detokenizer
     * tidies spaces (" ?", " 's" ...) for vocabularies that ask for it. WordPiece is lossy (lowercase, no
     * accents) and is left out.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "phi-3", "gpt-2", "mpt", "falcon", "deepseek-llm", "llama-bpe"})
    void vectorInputsRoundTrip(String name) throws IOException {
        Tokenizer tokenizer = name.equals("llama-bpe") ? LLAMA3 : TokenizerVectorsTest.open(name);
        VocabTestVectors vectors = VocabTestVectors.load(name);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < vectors.inputs().size(); i++) {
            String input = vectors.inputs().get(i);
            String expected = input;
            if (tokenizer.vocabulary().cleanSpaces()) {
                expected = new String(BaseTokenizer.cleanSpaces(input.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
            }
            String actual = tokenizer.decode(vectors.expected().get(i), false, false);
            if (!expected.equals(actual)) failures.add("#" + i + " " + TokenizerVectorsTest.escape(expected) + " -> " + TokenizerVectorsTest.escape(actual));
        }
        assertEquals(List.of(), failures);
    }

    /** The greedy continuation of stories260K from BOS listed in models/PROVENANCE.md, as text. */
    @Test
    void stories260KGenerationDecodes() {
        Tokenizer stories;
        try (dev.amadeus.gguf.GGUFFile file = dev.amadeus.gguf.GGUFFile.open(dev.amadeus.testing.SharedData.model("stories260K.gguf"))) {
            stories = Tokenizer.fromGGUF(file);
        }
        int[] generated = {403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337,
                410, 408, 419, 292, 411, 322, 265, 282, 295, 433, 426, 385, 328, 432, 358, 394, 261, 370, 432, 352,
                266, 268, 388, 426, 338, 391, 266, 267, 337, 335, 312, 432, 398, 312, 286, 267, 414, 270, 333, 415};
        String expected = " Once upon a time, there was a little girl named Lily. She loved to play outside in"
                + " the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high";
        StreamingDecoder decoder = new StreamingDecoder(stories, false);
        StringBuilder streamed = new StringBuilder();
        for (int id : generated) streamed.append(decoder.accept(id));
        assertEquals(expected, streamed.append(decoder.finish()).toString());
        assertEquals(expected.substring(1), stories.decode(generated, false, false));
        int[] prompt = stories.encode("Once upon a time", true, true);
        assertArrayEquals(new int[] {1, 403, 407, 261, 378}, prompt);
    }

    @Test
    void spmLeadingSpaceRules() {
        int hello = 15043;
        int world = 3186;
        // the first token processed loses its leading space; a BOS in front takes that turn
        assertEquals(" Hello world", SPM.decode(new int[] {1, hello, world}, false, false));
        assertEquals(" Hello world", SPM.decode(new int[] {1, hello, world}, true, false));
        assertEquals("Hello world", SPM.decode(new int[] {hello, world}, false, false));
        assertArrayEquals(" Hello".getBytes(StandardCharsets.UTF_8), SPM.tokenBytes(hello, false));
        // byte tokens are raw bytes
        assertArrayEquals(new byte[] {(byte) 0xF0}, SPM.tokenBytes(243, false));
        assertArrayEquals(new byte[0], SPM.tokenBytes(1, false));
        assertArrayEquals("<s>".getBytes(StandardCharsets.UTF_8), SPM.tokenBytes(1, true));
    }

    @Test
    void bpeCleansSpacesLikeLlamaCpp() {
        assertEquals("Hello, world's it's", GPT2.decode(GPT2.encode("Hello , world ' s it 's", false, false), false, false));
        assertEquals("can 't, we 'll, I'm, you're", GPT2.decode(GPT2.encode("can 't , we 'll , I 'm , you 're", false, false), false, false));
        assertEquals("<|endoftext|>", GPT2.decode(new int[] {50256}, false, true));
        assertEquals("", GPT2.decode(new int[] {50256}, false, false));
    }

    private static byte[] concatenatedPieces(Tokenizer t, int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) out.writeBytes(t.tokenBytes(id, false));
        return out.toByteArray();
    }

    /** Feeds the ids one by one and checks no emitted part carries half a character. */
    private static String stream(Tokenizer t, int[] ids, List<String> parts) {
        StreamingDecoder decoder = new StreamingDecoder(t, false);
        StringBuilder all = new StringBuilder();
        for (int id : ids) {
            String part = decoder.accept(id);
            parts.add(part);
            assertFalse(part.contains("\uFFFD"), "replacement character after token " + id);
            for (int k = 0; k < part.length(); k++) {
                char c = part.charAt(k);
                if (Character.isHighSurrogate(c)) assertTrue(k + 1 < part.length() && Character.isLowSurrogate(part.charAt(k + 1)));
                if (Character.isLowSurrogate(c)) assertTrue(k > 0 && Character.isHighSurrogate(part.charAt(k - 1)));
            }
            all.append(part);
        }
        String rest = decoder.finish();
        parts.add(rest);
        return all.append(rest).toString();
    }

    @Test
    void streamingThroughSpmByteTokens() {
        String text = "日本語のテキスト 🦙 emoji 😶‍🌫️ and 𝄞 done";
        int[] ids = SPM.encode(text, true, false);
        List<String> parts = new ArrayList<>();
        String streamed = stream(SPM, ids, parts);
        assertEquals(SPM.decode(ids, false, false), streamed);
        assertEquals(" " + text, streamed);
        // some tokens were byte fragments that had to wait for the rest of their character
        assertTrue(parts.contains(""), "expected at least one held-back piece");
        assertTrue(parts.contains("🦙"), parts.toString());
    }

    @Test
    void streamingThroughByteLevelBpePieces() {
        String text = "我想在apple工作1314151天～ 😁 кириллица ✅ 🦙🦙 ελληνικά";
        for (Tokenizer t : List.of(LLAMA3, GPT2)) {
            int[] ids = t.encode(text, false, false);
            List<String> parts = new ArrayList<>();
            String streamed = stream(t, ids, parts);
            assertEquals(text, streamed);
            assertEquals(t.decode(ids, false, false), streamed);
            assertEquals(new String(concatenatedPieces(t, ids), StandardCharsets.UTF_8), streamed);
        }
        // GPT-2 spells most CJK characters with several byte-level pieces
        List<String> parts = new ArrayList<>();
        stream(GPT2, GPT2.encode("天～", false, false), parts);
        assertTrue(parts.contains(""), parts.toString());
    }

    @Test
    void streamingFlushesIncompleteAndInvalidBytes() {
        StreamingDecoder decoder = new StreamingDecoder(SPM, false);
        // <0xF0> <0x9F> then end: an unfinished emoji
        assertEquals("", decoder.accept(243));
        assertEquals("", decoder.accept(162));
        assertEquals("\uFFFD", decoder.finish());
        assertEquals("", decoder.finish());
        // a continuation byte with no lead can never complete: it is emitted at once
        decoder = new StreamingDecoder(SPM, false);
        assertEquals("\uFFFD", decoder.accept(SPM.vocabulary().id("<0x80>")));
        assertEquals(" Hello", decoder.accept(15043));
        // a lead byte followed by a non-continuation gives up the lead at once
        decoder = new StreamingDecoder(SPM, false);
        assertEquals("", decoder.accept(SPM.vocabulary().id("<0xE4>")));
        assertEquals("\uFFFD Hello", decoder.accept(15043));
    }
}
