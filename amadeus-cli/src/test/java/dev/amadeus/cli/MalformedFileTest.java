package dev.amadeus.cli;

import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Broken model files end in one line naming the problem and a non-zero exit, never a stack trace. */
class MalformedFileTest {
    @TempDir
    static Path dir;

    static Stream<Arguments> cases() throws IOException {
        byte[] good = Files.readAllBytes(SharedData.model("stories260K.gguf"));
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        byte[] hugeKvCount = good.clone();
        ByteBuffer.wrap(hugeKvCount).order(ByteOrder.LITTLE_ENDIAN).putLong(16, 1L << 62);
        byte[] hugeStringLength = good.clone();
        ByteBuffer.wrap(hugeStringLength).order(ByteOrder.LITTLE_ENDIAN).putLong(24, 1L << 60); // first key's length
        return Stream.of(
                Arguments.of("bad-magic", badMagic, "bad magic"),
                Arguments.of("truncated-header", Arrays.copyOf(good, 10), "truncated header"),
                Arguments.of("data-past-end", Arrays.copyOf(good, good.length - 1000), "past the end of the file"),
                Arguments.of("absurd-count", hugeKvCount, "cannot fit"),
                Arguments.of("absurd-length", hugeStringLength, "past the end of the file"),
                Arguments.of("empty", new byte[0], "empty file"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void infoAndGenerateFailCleanly(String name, byte[] content, String expectedMessage) throws IOException {
        Path file = dir.resolve(name + ".gguf");
        Files.write(file, content);
        for (String[] args : new String[][]{{"info", file.toString()}, {"generate", "-m", file.toString(), "-p", "x", "-n", "1"}}) {
            Cli.Result r = Cli.run(args);
            assertEquals(1, r.exitCode(), r.stderr());
            assertEquals("", r.stdout());
            String err = r.stderr().strip();
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.startsWith("amadeus: " + name + ".gguf: "), err);
            assertTrue(err.contains(expectedMessage), err);
            assertFalse(err.contains("Exception"), err);
        }
    }
}
