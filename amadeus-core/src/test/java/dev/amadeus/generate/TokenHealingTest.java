package dev.amadeus.generate;

import dev.amadeus.gguf.GGUFFile;
import dev.amadeus.testing.SharedData;
import dev.amadeus.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Token healing on real vocabularies: what is removed and exactly which tokens may follow. */
class TokenHealingTest {
    private static final Tokenizer SPM = tokenizer("ggml-vocab-llama-spm.gguf");
    private static final Tokenizer GPT2 = tokenizer("ggml-vocab-gpt-2.gguf");

    private static Tokenizer tokenizer(String name) {
        try (GGUFFile file = GGUFFile.open(SharedData.file("testdata/tokenizer/" + name))) {
            return Tokenizer.fromGGUF(file);
        }
    }

    @Test
    void colonAtTheEndOfHttpMayBecomeSchemeSeparator() {
        int[] prompt = SPM.encode("http:", true, false);
        assertArrayEquals(new int[]{1, 1732, 29901}, prompt); // BOS, "▁http", ":"
        TokenHealing.Healed healed = new TokenHealing(SPM).heal(prompt, 1);
        assertArrayEquals(new int[]{1, 1732}, healed.prompt());
        assertEquals(":", text(healed.removed()));
        int[] allowed = sorted(healed.constraint().allowedTokens());
        assertArrayEquals(tokensStartingWith(SPM, ":"), allowed);
        assertEquals(25, allowed.length);
        assertTrue(Arrays.binarySearch(allowed, SPM.vocabulary().id("://")) >= 0);
        assertTrue(Arrays.binarySearch(allowed, 61) >= 0, "the byte token <0x3A> spells ':' too");
    }

    @Test
    void byteLevelVocabularyGivesTheSameChoice() {
        int[] prompt = GPT2.encode("http:", true, false);
        assertArrayEquals(new int[]{4023, 25}, prompt);
        TokenHealing.Healed healed = new TokenHealing(GPT2).heal(prompt, 1);
        assertArrayEquals(new int[]{4023}, healed.prompt());
        int[] allowed = sorted(healed.constraint().allowedTokens());
        assertArrayEquals(tokensStartingWith(GPT2, ":"), allowed);
        assertEquals(16, allowed.length);
        assertTrue(Arrays.binarySearch(allowed, 1378) >= 0, "'://'");
    }

    @Test
    void severalTokensAreRegeneratedStepByStep() {
        TokenHealing.Healed healed = new TokenHealing(SPM).heal(SPM.encode("http:", true, false), 2);
        assertArrayEquals(new int[]{1}, healed.prompt());
        assertEquals(" http:", text(healed.removed()));
        TokenHealing.Constraint c = healed.constraint();
        // tokens spelling a beginning of " http:" are allowed as well as tokens that start with all of it
        int[] expected = IntStream.concat(
                        IntStream.of(tokensStartingWith(SPM, " http:")),
                        java.util.stream.Stream.of(" ", " h", " ht", " htt", " http")
                                .flatMapToInt(p -> IntStream.of(tokensEqualTo(SPM, p))))
                .sorted().toArray();
        assertArrayEquals(expected, sorted(c.allowedTokens()));
        assertTrue(Arrays.binarySearch(expected, 1732) >= 0);

        c.accept(1732); // "▁http": ":" is still missing
        assertTrue(c.active());
        assertArrayEquals(tokensStartingWith(SPM, ":"), sorted(c.allowedTokens()));
        c.accept(SPM.vocabulary().id("://")); // covers the rest and goes beyond
        assertFalse(c.active());
    }

    @Test
    void controlTokensStayAndOneTokenIsAlwaysLeft() {
        TokenHealing healing = new TokenHealing(SPM);
        TokenHealing.Healed all = healing.heal(new int[]{1, 1732}, 5);
        assertArrayEquals(new int[]{1}, all.prompt());
        assertEquals(" http", text(all.removed()));

        TokenHealing.Healed bosOnly = healing.heal(new int[]{1}, 1);
        assertArrayEquals(new int[]{1}, bosOnly.prompt());
        assertFalse(bosOnly.constraint().active());

        TokenHealing.Healed single = healing.heal(new int[]{1732}, 1);
        assertArrayEquals(new int[]{1732}, single.prompt());
        assertFalse(single.constraint().active());
    }

    @Test
    void maskKeepsAllowedLogitsAndBansTheRest() {
        TokenHealing.Constraint c = new TokenHealing(SPM).heal(new int[]{1, 1732, 29901}, 1).constraint();
        float[] logits = new float[SPM.vocabulary().size()];
        for (int i = 0; i < logits.length; i++) logits[i] = i * 0.001f;
        float[] masked = c.mask(logits);
        int[] allowed = sorted(c.allowedTokens());
        for (int t = 0; t < logits.length; t++) {
            float want = Arrays.binarySearch(allowed, t) >= 0 ? logits[t] : Float.NEGATIVE_INFINITY;
            assertEquals(want, masked[t], "token " + t);
        }
    }

    @Test
    void dynamicHealingRemovesWhatOneTokenCouldStillSpell() {
        TokenHealing healing = new TokenHealing(SPM);
        // " htt" is one token and " http" starts with it; BOS stops the walk
        TokenHealing.Healed htt = healing.heal(SPM.encode("htt", true, false), TokenHealing.DYNAMIC);
        assertArrayEquals(new int[]{1}, htt.prompt());
        assertEquals(" htt", text(htt.removed()));
        // [" Vis", "it", " ww"]: no token starts with "it ww", so only " ww" goes
        int[] visit = SPM.encode("Visit ww", true, false);
        assertArrayEquals(new int[]{1, 5741, 277, 7673}, visit);
        TokenHealing.Healed ww = healing.heal(visit, TokenHealing.DYNAMIC);
        assertArrayEquals(new int[]{1, 5741, 277}, ww.prompt());
        assertArrayEquals(IntStream.concat(IntStream.of(tokensStartingWith(SPM, " ww")),
                        IntStream.concat(IntStream.of(tokensEqualTo(SPM, " ")), IntStream.of(tokensEqualTo(SPM, " w"))))
                        .sorted().toArray(),
                sorted(ww.constraint().allowedTokens()));
    }

    private static int[] tokensStartingWith(Tokenizer tokenizer, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        return IntStream.range(0, tokenizer.vocabulary().size()).filter(t -> {
            byte[] b = tokenizer.tokenBytes(t, false);
            return b.length >= p.length && Arrays.equals(b, 0, p.length, p, 0, p.length);
        }).toArray();
    }

    private static int[] tokensEqualTo(Tokenizer tokenizer, String text) {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        return IntStream.range(0, tokenizer.vocabulary().size())
                .filter(t -> Arrays.equals(tokenizer.tokenBytes(t, false), p)).toArray();
    }

    private static int[] sorted(int[] ids) {
        int[] copy = ids.clone();
        Arrays.sort(copy);
        return copy;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
