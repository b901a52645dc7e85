package dev.amadeus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amadeus.server.AmadeusServer;
import dev.amadeus.server.ServerConfig;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServeCommandTest {
    private static final String MODEL = SharedData.model("stories260K.gguf").toString();

    /** The second prompt is longer than one batch, so the server evaluates it over several scheduler steps. */
    @ParameterizedTest
    @ValueSource(strings = {"Once upon a time, Lily", "The dog ran to the park and the cat sat on the mat. "
            + "Tom and Sue played with the red ball in the sun all day long. "})
    void greedyCompletionEqualsGenerateAtTemperatureZero(String stem) throws Exception {
        String prompt = stem.length() > 30 ? stem.repeat(10) : stem;
        Cli.Result cli = Cli.run("generate", "-m", MODEL, "-p", prompt, "-n", "48", "--temp", "0");
        assertEquals(0, cli.exitCode(), cli.stderr());
        String expected = cli.stdout().substring(0, cli.stdout().length() - 1); // generate ends with a newline

        try (AmadeusServer server = AmadeusServer.start(new ServerConfig(SharedData.model("stories260K.gguf"), "127.0.0.1", 0,
                null, 2, null, null, 1))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String body = new ObjectMapper().createObjectNode().put("prompt", prompt).put("max_tokens", 48)
                    .put("temperature", 0).toString();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode json = new ObjectMapper().readTree(r.body());
            assertEquals(expected, json.at("/choices/0/text").asText());
            if (stem.length() > 30) assertTrue(json.at("/usage/prompt_tokens").asInt() > 256, r.body());
        }
    }

    @Test
    void badOptionsEndWithOneLine() {
        Cli.Result r = Cli.run("serve", "-m", MODEL, "--port", "0", "--parallel", "0");
        assertEquals(1, r.exitCode());
        assertEquals("amadeus: --parallel must be positive, got 0\n", r.stderr());
        Cli.Result missing = Cli.run("serve", "-m", "/no/such/model.gguf", "--port", "0");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.stderr().startsWith("amadeus: ") && missing.stderr().lines().count() == 1, missing.stderr());
    }
}
