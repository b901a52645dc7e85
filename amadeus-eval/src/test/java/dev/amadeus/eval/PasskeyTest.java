package dev.amadeus.eval;

import dev.amadeus.AmadeusException;
import dev.amadeus.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scoring, grid order and seeding of the passkey test, with scripted answers instead of a model. */
class PasskeyTest {
    private static final Pattern STATED = Pattern.compile("The pass key is (\\d+)\\. Remember it\\.");

    @Test
    void theFirstNumberOfTheAnswerMustBeTheKey() {
        assertTrue(Passkey.isCorrect(" 48213.", 48213));
        assertTrue(Passkey.isCorrect("48213", 48213));
        assertTrue(Passkey.isCorrect(" the key: 48213 and 11111", 48213));
        assertFalse(Passkey.isCorrect(" 4821", 48213));
        assertFalse(Passkey.isCorrect(" 482130", 48213));
        assertFalse(Passkey.isCorrect(" 11111 48213", 48213));
        assertFalse(Passkey.isCorrect(" 48 213", 48213));
        assertFalse(Passkey.isCorrect(" forty-eight", 48213));
        assertFalse(Passkey.isCorrect("", 48213));
    }

    @Test
    void scriptedAnswersAreScoredPerLengthAndDepth() {
        Tokenizer tokenizer = PasskeyPromptsTest.tokenizer("models/stories260K.gguf");
        Passkey passkey = new Passkey(tokenizer);
        List<Integer> asked = new ArrayList<>();
        List<Passkey.Trial> trials = new ArrayList<>();
        // Reads the key from the prompt; answers right when the key sits at depth 0 (right after the task
        // line), one off elsewhere, and adds a second number that must not count.
        List<Passkey.Cell> cells = passkey.run(List.of(300, 400), List.of(0.0, 0.5, 1.0), 3, 7, length -> {
            asked.add(length);
            return (prompt, max) -> {
                assertEquals(Passkey.ANSWER_TOKENS, max);
                assertEquals(length, prompt.length);
                Matcher m = STATED.matcher(tokenizer.decode(prompt, true, false));
                assertTrue(m.find());
                int key = Integer.parseInt(m.group(1));
                boolean early = tokenizer.decode(prompt, true, false).indexOf("The pass key is") < 200;
                return tokenizer.encode(" " + (early ? key : key + 1) + ". " + key, false, false);
            };
        }, (trial, done, total) -> {
            assertEquals(18, total);
            assertEquals(trials.size() + 1, done);
            trials.add(trial);
        });
        assertEquals(List.of(300, 400), asked);
        assertEquals(6, cells.size());
        for (int i = 0; i < cells.size(); i++) {
            Passkey.Cell c = cells.get(i);
            assertEquals(i < 3 ? 300 : 400, c.length());
            assertEquals(List.of(0.0, 0.5, 1.0).get(i % 3), c.depth());
            assertEquals(3, c.trials());
            assertEquals(c.depth() == 0.0 ? 3 : 0, c.correct(), c.toString());
            assertEquals(c.depth() == 0.0 ? 1.0 : 0.0, c.accuracy());
        }
        for (Passkey.Trial t : trials) {
            assertTrue(t.key() >= 10_000 && t.key() <= 99_999, "a 5-digit key: " + t.key());
            assertEquals(t.depth() == 0.0, t.correct(), t.toString());
            assertTrue(t.answer().startsWith(" " + (t.correct() ? t.key() : t.key() + 1) + "."), t.answer());
        }
    }

    @Test
    void theSeedFixesTheKeys() {
        Passkey passkey = new Passkey(PasskeyPromptsTest.tokenizer("models/stories260K.gguf"));
        assertEquals(keys(passkey, 7), keys(passkey, 7));
        assertNotEquals(keys(passkey, 7), keys(passkey, 8));
    }

    private static List<Integer> keys(Passkey passkey, long seed) {
        List<Integer> keys = new ArrayList<>();
        passkey.run(List.of(300), List.of(0.0, 1.0), 4, seed, length -> (prompt, max) -> new int[0],
                (trial, done, total) -> keys.add(trial.key()));
        return keys;
    }

    @Test
    void badGridsAreRefusedBeforeAnyAnswer() {
        Passkey passkey = new Passkey(PasskeyPromptsTest.tokenizer("models/stories260K.gguf"));
        Answerer never = (prompt, max) -> {
            throw new AssertionError("no prompt should be evaluated");
        };
        assertThrows(AmadeusException.class, () -> passkey.run(List.of(300, 20), List.of(0.5), 1, 1, l -> never, (t, d, n) -> {
        }));
        assertThrows(AmadeusException.class, () -> passkey.run(List.of(300), List.of(1.5), 1, 1, l -> never, (t, d, n) -> {
        }));
        assertThrows(AmadeusException.class, () -> passkey.run(List.of(300), List.of(0.5), 0, 1, l -> never, (t, d, n) -> {
        }));
    }
}
