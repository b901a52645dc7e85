package dev.amadeus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code amadeus chat} driven through stdin on stories260K (greedy, 20 tokens per answer). The model knows no
 * chat markers, so the ChatML text is tokenized as plain text: that makes the prompts long, which is what the
 * cache-reuse and context-full checks need.
 */
class ChatCommandTest {
    private static final String MODEL = SharedData.model("stories260K.gguf").toString();
    private static final Pattern STATS =
            Pattern.compile("prompt (\\d+) tokens \\((\\d+) reused, (\\d+) evaluated\\), answer (\\d+) tokens");

    private static Cli.Result chat(String stdin, String... extra) {
        String[] args = new String[6 + extra.length];
        System.arraycopy(new String[]{"chat", "-m", MODEL, "--temp", "0", "-n"}, 0, args, 0, 6);
        System.arraycopy(extra, 0, args, 6, extra.length);
        return Cli.runWithInput(stdin, args);
    }

    /** Each answer's statistics: prompt tokens, reused, evaluated, answer tokens. */
    private static List<int[]> stats(String stderr) {
        Matcher m = STATS.matcher(stderr);
        List<int[]> all = new java.util.ArrayList<>();
        while (m.find()) {
            all.add(new int[]{Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4))});
        }
        return all;
    }

    @Test
    void secondTurnEvaluatesOnlyWhatTheCacheDoesNotHold() {
        Cli.Result r = chat("Hello there\nTell me a story\n", "20");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("\"Here?\" Annabyed.\n\"Okay\n\"Here,\" said Annabyed.\nTimmy\n", r.stdout());
        List<int[]> s = stats(r.stderr());
        assertEquals(2, s.size(), r.stderr());
        assertEquals(List.of(45, 0, 45, 20), List.of(s.get(0)[0], s.get(0)[1], s.get(0)[2], s.get(0)[3]));
        // the cache holds turn 1's prompt and 19 of its 20 answer tokens (the last was sampled, never evaluated)
        assertEquals(45 + 19, s.get(1)[1]);
        assertEquals(s.get(1)[0] - (45 + 19), s.get(1)[2]);
        assertEquals(120, s.get(1)[0]);
    }

    @Test
    void savedConversationLoadsBackAndAnswersAsWithTheCache(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("conversation.json");
        Cli.Result first = chat("Hello there\nTell me a story\n/save " + file + "\nTell me more\n", "20");
        assertEquals(0, first.exitCode(), first.stderr());
        JsonNode saved = new ObjectMapper().readTree(file.toFile()).get("messages");
        assertEquals(4, saved.size());
        assertEquals("user", saved.get(0).get("role").asText());
        assertEquals("Hello there", saved.get(0).get("content").asText());
        assertEquals("assistant", saved.get(1).get("role").asText());
        assertEquals("\"Here?\" Annabyed.\n\"Okay", saved.get(1).get("content").asText());
        assertEquals("user", saved.get(2).get("role").asText());
        assertEquals("Tell me a story", saved.get(2).get("content").asText());
        assertEquals("\"Here,\" said Annabyed.\nTimmy", saved.get(3).get("content").asText());
        String before = saved.get(1).get("content").asText() + "\n" + saved.get(3).get("content").asText() + "\n";
        assertTrue(first.stdout().startsWith(before), first.stdout());
        String third = first.stdout().substring(before.length());

        // A fresh process evaluates the loaded conversation whole and must answer exactly as the cached one did.
        Cli.Result second = chat("/load " + file + "\nTell me more\n", "20");
        assertEquals(0, second.exitCode(), second.stderr());
        assertEquals(third, second.stdout());
        assertTrue(second.stderr().contains("loaded 4 messages from " + file), second.stderr());
        int[] cached = stats(first.stderr()).get(2);
        int[] fresh = stats(second.stderr()).getFirst();
        assertEquals(cached[0], fresh[0]);
        assertEquals(0, fresh[1]);
        assertTrue(cached[1] > 0 && cached[2] < fresh[2], first.stderr());
    }

    @Test
    void resetStartsOverAndMultiLineInputIsOneTurn() {
        Cli.Result r = chat("Hello there\n/reset\nHello there\nHello\\\nthere\n", "20");
        assertEquals(0, r.exitCode(), r.stderr());
        String[] lines = r.stdout().split("\n");
        assertEquals(6, lines.length, r.stdout());
        assertEquals(lines[0], lines[2]);
        assertEquals(lines[1], lines[3]);
        assertTrue(r.stderr().contains("conversation cleared"), r.stderr());
        List<int[]> s = stats(r.stderr());
        assertEquals(3, s.size());
        // after /reset the prompt is turn 1's again: all but its last token come from the cache
        assertEquals(List.of(45, 44, 1), List.of(s.get(1)[0], s.get(1)[1], s.get(1)[2]));
    }

    @Test
    void setChangesSamplingBetweenTurns() {
        Cli.Result greedy = chat("Hello there\n", "20");
        Cli.Result r = Cli.runWithInput("/set temp 0\n/set n 5\nHello there\n/set top-p 2\n/set colour red\n",
                "chat", "-m", MODEL, "--temp", "1.5", "-n", "20");
        assertEquals(1, r.exitCode(), r.stderr()); // the two bad /set lines
        assertTrue(r.stderr().contains("temp 0.0, top-k 40"), r.stderr());
        assertTrue(r.stderr().contains("amadeus: --top-p must be in (0, 1], got 2.0"), r.stderr());
        assertTrue(r.stderr().contains("amadeus: unknown setting colour; /help lists them"), r.stderr());
        assertEquals(5, stats(r.stderr()).getFirst()[3]);
        assertTrue(greedy.stdout().startsWith(r.stdout().strip()), r.stdout() + " vs " + greedy.stdout());
    }

    @Test
    void fullContextDropsTheOldestTurnsButKeepsTheSystemPrompt() {
        Cli.Result r = chat("Hello there\nTell me a story\nTell me more\n", "20", "-c", "128", "--system", "Be kind");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(3, stats(r.stderr()).size(), r.stderr());
        assertEquals(2, r.stderr().split("dropped the 2 oldest messages \\(the system prompt stays\\)", -1).length - 1, r.stderr());
        for (int[] s : stats(r.stderr())) assertTrue(s[0] + 20 <= 128, r.stderr());
        // after a drop the system prompt is still a cached prefix
        assertTrue(stats(r.stderr()).get(1)[1] > 0, r.stderr());
    }

    @Test
    void messageTooLongForTheContextIsRefusedAndTheChatGoesOn() {
        Cli.Result r = chat("Hello there Hello there Hello there Hello there Hello there Hello there\nHi\n", "10", "-c", "64");
        assertEquals(1, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("amadeus: the conversation needs "), r.stderr());
        assertTrue(r.stderr().contains("(raise it with -c)"), r.stderr());
        assertEquals(1, stats(r.stderr()).size(), r.stderr());
    }

    @Test
    void exitEndsTheChatAndBadCommandsGetOneLine(@TempDir Path dir) throws IOException {
        Path notJson = java.nio.file.Files.writeString(dir.resolve("notes.txt"), "not json");
        Cli.Result r = chat("/help\n/load " + dir.resolve("missing.json") + "\n/load " + notJson + "\n/frobnicate\n"
                + "Hello there\n/exit\nTell me a story\n", "20");
        assertEquals(1, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("/save FILE          write the conversation as JSON"), r.stderr());
        assertTrue(r.stderr().contains("amadeus: " + dir.resolve("missing.json") + ": no such file\n"), r.stderr());
        assertTrue(r.stderr().contains("amadeus: " + notJson + ": not JSON ("), r.stderr());
        assertTrue(r.stderr().contains("amadeus: unknown command /frobnicate; /help lists the commands\n"), r.stderr());
        assertEquals(1, stats(r.stderr()).size(), r.stderr()); // nothing after /exit
        assertTrue(!r.stderr().contains("Exception"), r.stderr());
    }

    @Test
    void missingSystemFileIsBadInput() {
        Cli.Result r = chat("Hello\n", "20", "--system-file", "/nonexistent/system.txt");
        assertEquals(1, r.exitCode());
        assertEquals("amadeus: /nonexistent/system.txt: no such file (--system-file)\n", r.stderr());
        assertEquals("", r.stdout());
    }
}
