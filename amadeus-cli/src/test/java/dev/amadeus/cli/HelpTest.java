package dev.amadeus.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command prints its usage for {@code --help} and {@code -h}, as a usage error's pointer promises. */
class HelpTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"generate", "chat", "bench", "info", "tokenize", "synth", "serve", "perplexity", "passkey"})
    void everyCommandAnswersHelp(String command) {
        for (String flag : new String[]{"--help", "-h"}) {
            PrintStream saved = System.out;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code;
            try {
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                code = Main.run(command, flag);
            } finally {
                System.setOut(saved);
            }
            String usage = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, usage);
            assertTrue(usage.startsWith("Usage: amadeus " + command + " "), usage);
            assertTrue(usage.contains("-h, --help"), usage);
        }
    }
}
