package dev.amadeus.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives the chat page in headless Chromium with Playwright: the page loads with labelled controls, settings
 * and the conversation go into the request, an answer streams in over several frames, the stop button ends a
 * long answer and keeps what arrived, server errors are shown, and clear starts over. The steps themselves are
 * in {@code src/test/js/chat-page.cjs}; this class installs what they need and starts the server.
 */
class WebPageTest {

    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path SCRIPT = MODULE.resolve("src/test/js/chat-page.cjs");
    private static final Path TOOLS = MODULE.resolve("target/web-test");
    /** Bounds the whole browser script; each step inside it has its own, shorter limit. */
    private static final Duration SCRIPT_LIMIT = Duration.ofMinutes(3);

    private AutoCloseable server;

    /** Starts {@code amadeus serve}'s server on stories260K at an ephemeral port, with the API key the page sends. */
    private URI startServer() {
        TestServer real = new TestServer(2, 2048, "sk-test");
        server = real;
        return URI.create(real.base() + "/");
    }

    @AfterEach
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void chatPageStreamsStopsReportsErrorsAndClearsInChromium() throws IOException {
        Path chromium = BrowserTools.chromium();
        Path nodeModules = BrowserTools.playwrightCore(TOOLS);
        URI baseUrl = startServer();

        ExternalCommand.Result run = ExternalCommand.run(List.of("node", SCRIPT.toString()), TOOLS,
                Map.of("BASE_URL", baseUrl.toString(), "CHROMIUM", chromium.toString(),
                        "NODE_PATH", nodeModules.toString(), "SCREENSHOT", TOOLS.resolve("chat-page.png").toString()),
                SCRIPT_LIMIT);

        assertEquals(0, run.exitCode(), () -> "the browser test of the chat page failed:\n" + run.output());
        assertTrue(run.output().contains("all steps passed"), () -> "the browser test ended early:\n" + run.output());
        System.out.print(run.output());
    }
}
