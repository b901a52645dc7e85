package dev.amadeus.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The special-token partition, parse_special, strip rules, BOS/EOS and end-of-generation detection. */
class SpecialTokensTest {
    private static final Tokenizer SPM = TokenizerVectorsTest.open("llama-spm");
    private static final Tokenizer PHI3 = TokenizerVectorsTest.open("phi-3");
    private static final Tokenizer GPT2 = TokenizerVectorsTest.open("gpt-2");
    private static final Tokenizer LLAMA3 = TokenizerVectorsTest.llama3();

    private static int id(Tokenizer t, String text) {
        int id = t.vocabulary().id(text);
        assertTrue(id >= 0, "missing token " + text);
        return id;
    }

    @Test
    void spmObservedExamples() {
        assertArrayEquals(new int[] {1, 15043, 3186}, SPM.encode("Hello world", true, true));
        // the prefix space and the user's space make "▁▁Hello"
        assertArrayEquals(new int[] {1, 29871, 15043}, SPM.encode(" Hello", true, true));
        // llama.cpp prefixes a space after a special token too
        assertArrayEquals(new int[] {1, 15043, 2, 3186}, SPM.encode("Hello</s>world", true, true));
        assertArrayEquals(new int[] {1, 15043, 2, 29871, 3186}, SPM.encode("Hello</s> world", true, true));
        int[] llama = SPM.encode("🦙", false, false);
        assertTrue(Arrays.toString(llama).contains("243, 162, 169, 156"), Arrays.toString(llama));
        assertArrayEquals(new int[0], SPM.encode("", false, true));
        assertArrayEquals(new int[] {1}, SPM.encode("", true, true));
    }

    @Test
    void parseSpecialOnAndOffOnSpm() {
        assertArrayEquals(new int[] {1, 15043, 2}, SPM.encode("<s>Hello</s>", false, true));
        assertArrayEquals(new int[] {1, 1, 15043, 2}, SPM.encode("<s>Hello</s>", true, true));
        int[] literal = SPM.encode("<s>Hello</s>", false, false);
        assertFalse(Arrays.stream(literal).anyMatch(i -> i == 1 || i == 2), Arrays.toString(literal));
        assertEquals("<s>Hello</s>", SPM.decode(literal, false, false));
        // rendering: control tokens vanish unless asked for
        assertEquals("Hello", SPM.decode(new int[] {1, 15043, 2}, true, false).strip());
        assertEquals("<s> Hello</s>", SPM.decode(new int[] {1, 15043, 2}, false, true));
    }

    @Test
    void userDefinedTokensAreSplitEvenWithoutParseSpecial() {
        // phi-3 stores </s> as USER_DEFINED; it also strips the whitespace after it (the phi-3 rule)
        int endOfText = id(PHI3, "</s>");
        assertEquals(TokenType.USER_DEFINED, PHI3.vocabulary().type(endOfText));
        assertArrayEquals(new int[] {id(PHI3, "▁Hello"), endOfText, id(PHI3, "▁x")}, PHI3.encode("Hello</s>  x", false, false));
        // control tokens are plain text without parse_special
        int[] literal = PHI3.encode("<|end|>", false, false);
        assertFalse(Arrays.stream(literal).anyMatch(i -> i == id(PHI3, "<|end|>")));
    }

    @Test
    void phi3SpecialTokensEatFollowingWhitespace() {
        int[] ids = PHI3.encode("<|user|>\nHello<|end|> x", true, true);
        assertArrayEquals(new int[] {1, id(PHI3, "<|user|>"), id(PHI3, "▁Hello"), id(PHI3, "<|end|>"), id(PHI3, "▁x")}, ids);
        // <s> is exempt from the rule: the space after it stays
        assertArrayEquals(new int[] {1, 29871, id(PHI3, "▁x")}, PHI3.encode("<s> x", false, true));
    }

    @Test
    void longestSpecialTokenWins() {
        // <|reserved_special_token_10|> contains no shorter special token, but <|eot_id|><|eot_id|> is two matches
        int eot = id(LLAMA3, "<|eot_id|>");
        assertArrayEquals(new int[] {eot, eot}, LLAMA3.encode("<|eot_id|><|eot_id|>", false, true));
        assertArrayEquals(new int[] {id(LLAMA3, "<|reserved_special_token_10|>")},
                LLAMA3.encode("<|reserved_special_token_10|>", false, true));
        int begin = id(LLAMA3, "<|begin_of_text|>");
        int[] chat = LLAMA3.encode("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", true, true);
        assertEquals(begin, chat[0]);
        assertEquals(id(LLAMA3, "<|start_header_id|>"), chat[1]);
        assertEquals(eot, chat[chat.length - 1]);
        // without parse_special the markers are ordinary text
        assertFalse(Arrays.stream(LLAMA3.encode("<|eot_id|>", false, false)).anyMatch(i -> i == eot));
    }

    @Test
    void gpt2EndOfText() {
        assertArrayEquals(new int[] {50256}, GPT2.encode("<|endoftext|>", false, true));
        assertTrue(GPT2.encode("<|endoftext|>", false, false).length > 1);
    }

    @Test
    void beginAndEndOfSequenceDefaults() {
        assertTrue(SPM.vocabulary().addBos());
        assertFalse(SPM.vocabulary().addEos());
        // byte-level BPE adds no BOS, except the Llama-3 family
        assertFalse(GPT2.vocabulary().addBos());
        assertArrayEquals(GPT2.encode("Hello", false, false), GPT2.encode("Hello", true, false));
        assertTrue(LLAMA3.vocabulary().addBos());
        assertEquals(128000, LLAMA3.encode("Hello", true, false)[0]);
        // WordPiece always wraps in CLS ... SEP
        Tokenizer bert = TokenizerVectorsTest.open("bert-bge");
        int[] wrapped = bert.encode("hello world", true, false);
        assertEquals(101, wrapped[0]);
        assertEquals(102, wrapped[wrapped.length - 1]);
    }

    @Test
    void endOfGeneration() {
        Vocabulary spm = SPM.vocabulary();
        assertTrue(spm.isEndOfGeneration(2));
        assertFalse(spm.isEndOfGeneration(1));
        assertFalse(spm.isEndOfGeneration(15043));
        assertEquals(-1, spm.eot());

        Vocabulary phi3 = PHI3.vocabulary();
        assertTrue(phi3.isEndOfGeneration(phi3.eos()));
        assertTrue(phi3.isEndOfGeneration(phi3.id("<|end|>")));
        assertTrue(phi3.isEndOfGeneration(phi3.id("<|endoftext|>")));
        assertFalse(phi3.isEndOfGeneration(phi3.id("<|user|>")));
        assertTrue(phi3.eot() == phi3.id("<|end|>") || phi3.eot() == phi3.id("<|endoftext|>"));

        Vocabulary llama3 = LLAMA3.vocabulary();
        assertEquals(llama3.id("<|eot_id|>"), llama3.eot());
        assertTrue(llama3.isEndOfGeneration(llama3.id("<|eot_id|>")));
        assertTrue(llama3.isEndOfGeneration(llama3.id("<|end_of_text|>")));
        assertFalse(llama3.isEndOfGeneration(llama3.id("<|begin_of_text|>")));
        assertFalse(llama3.isEndOfGeneration(-1));

        assertTrue(GPT2.vocabulary().isEndOfGeneration(50256));
    }
}
