package dev.amadeus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code amadeus passkey}: JSON lines, grid table, heatmap, and the refusals. */
class PasskeyCommandTest {
    @TempDir
    Path dir;

    private static String model() {
        return SharedData.model("stories260K.gguf").toString();
    }

    @Test
    void gridAsJsonLinesAndHeatmap() throws Exception {
        Path png = dir.resolve("passkey.png");
        Cli.Result r = Cli.run("passkey", "-m", model(), "--lengths", "200,300", "--depths", "0,0.5,1", "--trials", "2",
                "--seed", "3", "--rope-scaling", "linear", "--json", "--plot", png.toString(), "-t", "1");
        assertEquals(0, r.exitCode(), r.stderr());
        List<String> lines = r.stdout().strip().lines().toList();
        assertEquals(6, lines.size(), r.stdout());
        ObjectMapper mapper = new ObjectMapper();
        for (int i = 0; i < 6; i++) {
            JsonNode o = mapper.readTree(lines.get(i));
            assertEquals("linear", o.get("method").asText());
            assertEquals(i < 3 ? 200 : 300, o.get("length").asInt(), lines.get(i));
            assertEquals(List.of(0.0, 0.5, 1.0).get(i % 3), o.get("depth").asDouble(), lines.get(i));
            assertEquals(2, o.get("trials").asInt(), lines.get(i));
            int correct = o.get("correct").asInt();
            assertTrue(correct >= 0 && correct <= 2, lines.get(i));
            assertEquals(correct / 2.0, o.get("accuracy").asDouble(), lines.get(i));
        }
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "a decodable PNG");
        assertEquals(900, image.getWidth());
        assertEquals(560, image.getHeight());
        assertTrue(r.stderr().contains("100.0% length 300 depth 1.0 trial 12/12"), r.stderr());
    }

    @Test
    void tableHasOneRowPerLengthAndOneColumnPerDepth() {
        Cli.Result r = Cli.run("passkey", "-m", model(), "--lengths", "200", "--depths", "0.25,0.75", "--trials", "1", "-t", "1");
        assertEquals(0, r.exitCode(), r.stderr());
        List<String> lines = r.stdout().strip().lines().toList();
        assertEquals(3, lines.size(), r.stdout());
        assertTrue(lines.get(0).matches("\\| length \\\\ depth \\| +25% \\| +75% \\|"), lines.get(0));
        assertTrue(lines.get(2).matches("\\| 200 +\\| +(0\\.00 \\(0/1\\)|1\\.00 \\(1/1\\)) \\| +(0\\.00 \\(0/1\\)|1\\.00 \\(1/1\\)) \\|"), lines.get(2));
    }

    @Test
    void badFlagsExitWith2AndBadValuesWith1() {
        Cli.Result r = Cli.run("passkey", "-m", model(), "--trials", "few");
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().startsWith("amadeus: "), r.stderr());
        assertEquals(2, r.stderr().strip().lines().count(), r.stderr());

        r = Cli.run("passkey", "-m", model(), "--lengths", "50");
        assertEquals(1, r.exitCode(), r.stderr());
        assertTrue(r.stderr().strip().matches("amadeus: a passkey prompt needs at least \\d+ tokens, got a length of 50"), r.stderr());

        r = Cli.run("passkey", "-m", model(), "--depths", "0.5,2");
        assertEquals(1, r.exitCode(), r.stderr());
        assertEquals("amadeus: depth must be between 0 and 1, got 2.0", r.stderr().strip());

        r = Cli.run("passkey", "-m", dir.resolve("none.gguf").toString());
        assertEquals(1, r.exitCode(), r.stderr());
        assertEquals("amadeus: " + dir.resolve("none.gguf") + ": no such file", r.stderr().strip());
    }
}
