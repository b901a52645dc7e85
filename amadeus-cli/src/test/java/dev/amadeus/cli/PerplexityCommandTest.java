package dev.amadeus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code amadeus perplexity}: JSON lines, table, plot, and the refusals. */
class PerplexityCommandTest {
    @TempDir
    Path dir;

    private static String model() {
        return SharedData.model("stories260K.gguf").toString();
    }

    /** The start of a corpus text: enough for two chunks of 4096 tokens, quick to tokenize at every run. */
    private String text() throws java.io.IOException {
        Path text = dir.resolve("shakespeare-head.txt");
        if (!Files.exists(text)) {
            String all = Files.readString(SharedData.file("corpus/en/tiny_shakespeare_input.txt"));
            Files.writeString(text, all.substring(0, 30_000));
        }
        return text.toString();
    }

    @Test
    void sweepWritesOneJsonObjectPerMethodAndContextAndAPlot() throws Exception {
        Path png = dir.resolve("ppl.png");
        Cli.Result r = Cli.run("perplexity", "-m", model(), "-f", text(), "-c", "64,128", "--rope-scaling", "none,linear:2",
                "--chunks", "3", "--json", "--plot", png.toString(), "-t", "1");
        assertEquals(0, r.exitCode(), r.stderr());
        List<String> lines = r.stdout().strip().lines().toList();
        assertEquals(4, lines.size(), r.stdout());
        ObjectMapper mapper = new ObjectMapper();
        String[] methods = {"none", "none", "linear:2", "linear:2"};
        int[] contexts = {64, 128, 64, 128};
        for (int i = 0; i < 4; i++) {
            JsonNode o = mapper.readTree(lines.get(i));
            assertEquals(methods[i], o.get("method").asText(), lines.get(i));
            assertEquals(contexts[i], o.get("ctx").asInt(), lines.get(i));
            assertEquals(3, o.get("chunks").asInt(), lines.get(i));
            // Per chunk, positions ctx/2 .. ctx-2 are scored.
            assertEquals(3 * (contexts[i] / 2 - 1), o.get("tokens_scored").asInt(), lines.get(i));
            double ppl = o.get("ppl").asDouble(), err = o.get("stderr").asDouble();
            assertTrue(ppl > 1 && ppl < 512, lines.get(i)); // between certainty and a uniform guess over 512 tokens
            assertTrue(err > 0 && err < ppl, lines.get(i));
        }
        // linear:2 squeezes positions: a different perplexity from none at the same context.
        assertTrue(mapper.readTree(lines.get(0)).get("ppl").asDouble() != mapper.readTree(lines.get(2)).get("ppl").asDouble());
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "a decodable PNG");
        assertEquals(900, image.getWidth());
        assertEquals(560, image.getHeight());
        assertTrue(r.stderr().contains("100.0% linear:2 ctx 128 chunk 3/3"), r.stderr());
    }

    @Test
    void tableShowsTheSameFiguresAsJson() throws Exception {
        Cli.Result json = Cli.run("perplexity", "-m", model(), "-f", text(), "-c", "64", "--chunks", "2", "--json", "-t", "1");
        Cli.Result table = Cli.run("perplexity", "-m", model(), "-f", text(), "-c", "64", "--chunks", "2", "-t", "1");
        assertEquals(0, table.exitCode(), table.stderr());
        JsonNode o = new ObjectMapper().readTree(json.stdout());
        List<String> lines = table.stdout().strip().lines().toList();
        assertEquals(3, lines.size(), table.stdout());
        assertTrue(lines.get(0).matches("\\| method +\\| +ctx \\| +ppl ± stderr \\| tokens scored \\| chunks \\|"), lines.get(0));
        String expected = String.format(java.util.Locale.ROOT, "%.4f ± %.5f", o.get("ppl").asDouble(), o.get("stderr").asDouble());
        assertTrue(lines.get(2).matches("\\| none +\\| +64 \\| +" + java.util.regex.Pattern.quote(expected) + " \\| +62 \\| +2 \\|"), lines.get(2));
    }

    @Test
    void contextsBeyondTheTrainedOneAreEvaluated() throws Exception {
        // stories260K declares 2048 trained positions; 2304 must run, not be refused.
        Cli.Result r = Cli.run("perplexity", "-m", model(), "-f", text(), "-c", "2304", "--chunks", "1", "--json", "-t", "2");
        assertEquals(0, r.exitCode(), r.stderr());
        JsonNode o = new ObjectMapper().readTree(r.stdout());
        assertEquals(2304, o.get("ctx").asInt());
        assertEquals(1151, o.get("tokens_scored").asInt());
    }

    @Test
    void badFlagsExitWith2() throws Exception {
        for (String[] args : List.of(new String[]{"--chunks", "many"}, new String[]{"-c", "64,x"}, new String[]{"--bogus"})) {
            List<String> command = new java.util.ArrayList<>(List.of("perplexity", "-m", model(), "-f", text(), "-c", "64"));
            command.addAll(List.of(args));
            Cli.Result r = Cli.run(command.toArray(String[]::new));
            assertEquals(2, r.exitCode(), r.stderr());
            List<String> err = r.stderr().strip().lines().toList();
            assertTrue(err.getFirst().startsWith("amadeus: "), r.stderr());
            assertEquals("Try 'amadeus perplexity --help' for more information.", err.getLast(), r.stderr());
            assertEquals(2, err.size(), r.stderr());
        }
    }

    @Test
    void missingOrShortTextExitsWith1AndOneLine() throws Exception {
        Path missing = dir.resolve("missing.txt");
        Cli.Result r = Cli.run("perplexity", "-m", model(), "-f", missing.toString(), "-c", "64");
        assertEquals(1, r.exitCode(), r.stderr());
        assertEquals("amadeus: " + missing + ": no such file", r.stderr().strip());

        Path shortText = dir.resolve("short.txt");
        Files.writeString(shortText, "Once upon a time there was a little dog.");
        r = Cli.run("perplexity", "-m", model(), "-f", shortText.toString(), "-c", "64,128");
        assertEquals(1, r.exitCode(), r.stderr());
        assertTrue(r.stderr().strip().matches("amadeus: " + java.util.regex.Pattern.quote(shortText.toString())
                + ": the text has only \\d+ tokens; a context of 128 needs at least 256 \\(two chunks\\)"), r.stderr());

        r = Cli.run("perplexity", "-m", model(), "-f", text(), "-c", "64", "--rope-scaling", "none,warp");
        assertEquals(1, r.exitCode(), r.stderr());
        assertEquals("amadeus: --rope-scaling: unknown RoPE scaling method 'warp' (expected one of none, linear, yarn, longrope, ntk, "
                + "dynamic-ntk, ntk-by-parts, ntk-by-parts-yarn, llama3)", r.stderr().strip());
    }
}
