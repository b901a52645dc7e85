package dev.amadeus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad requests get a 4xx with an OpenAI-style error naming the problem, and the server stays healthy. */
class MalformedRequestTest {
    private static final String CHAT = "/v1/chat/completions";
    private static final String OK_MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(2, 64, "secret");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** One kind of bad request: where it goes, its body, the status and the error's param it must get. */
    private record Bad(String method, String path, String body, int status, String param) {
        static Bad chat(String fields, String param) {
            return new Bad("POST", CHAT, "{" + fields + "}", 400, param);
        }
    }

    private static final List<Bad> KINDS = List.of(
            new Bad("POST", CHAT, "{\"messages\": [", 400, null),
            new Bad("POST", CHAT, "{} trailing", 400, null),
            new Bad("POST", CHAT, "[1, 2]", 400, null),
            new Bad("POST", CHAT, "", 400, null),
            Bad.chat("\"model\":\"stories260K\"", "messages"),
            Bad.chat("\"messages\":\"Hi\"", "messages"),
            Bad.chat("\"messages\":[]", "messages"),
            Bad.chat("\"messages\":[{\"role\":\"user\",\"content\":5}]", "messages"),
            Bad.chat("\"messages\":[{\"role\":\"wizard\",\"content\":\"Hi\"}]", "messages"),
            Bad.chat("\"messages\":[{\"content\":\"Hi\"}]", "messages"),
            Bad.chat(OK_MESSAGES + ",\"temperature\":\"hot\"", "temperature"),
            Bad.chat(OK_MESSAGES + ",\"temperature\":5", "temperature"),
            Bad.chat(OK_MESSAGES + ",\"max_tokens\":-1", "max_tokens"),
            Bad.chat(OK_MESSAGES + ",\"max_completion_tokens\":1.5", "max_completion_tokens"),
            Bad.chat(OK_MESSAGES + ",\"n\":2", "n"),
            Bad.chat(OK_MESSAGES + ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]", "tools"),
            Bad.chat(OK_MESSAGES + ",\"frobnicate\":true", "frobnicate"),
            Bad.chat(OK_MESSAGES + ",\"stop\":7", "stop"),
            Bad.chat(OK_MESSAGES + ",\"logit_bias\":{\"x\":1}", "logit_bias"),
            Bad.chat(OK_MESSAGES + ",\"top_logprobs\":2", "top_logprobs"),
            Bad.chat(OK_MESSAGES + ",\"stream_options\":{\"include_usage\":true}", "stream_options"),
            Bad.chat(OK_MESSAGES + ",\"top_k\":-3", "top_k"),
            Bad.chat("\"messages\":[{\"role\":\"user\",\"content\":\"" + "and then ".repeat(40) + "\"}]", "messages"),
            new Bad("POST", CHAT, "{\"model\":\"gpt-4o\"," + OK_MESSAGES + "}", 404, "model"),
            new Bad("GET", CHAT, null, 405, null),
            new Bad("POST", "/v1/models", "{}", 405, null),
            new Bad("GET", "/v1/nothing", null, 404, null),
            new Bad("GET", "/no/such/file.js", null, 404, null),
            new Bad("POST", "/v1/completions", "{\"max_tokens\":3}", 400, "prompt"),
            new Bad("POST", "/v1/completions", "{\"prompt\":\"Hi\",\"echo\":true}", 400, "echo"),
            new Bad("POST", "/v1/completions", "{\"prompt\":[99999]}", 400, "prompt"),
            new Bad("POST", "/v1/embeddings", "{\"model\":\"stories260K\"}", 400, "input"),
            new Bad("POST", "/v1/embeddings", "{\"input\":\"x\",\"encoding_format\":\"hex\"}", 400, "encoding_format"));

    private static void assertError(TestServer.Reply r, int status, String param, String what) {
        assertEquals(status, r.status(), what + " -> " + r.body());
        JsonNode err = r.json().get("error");
        assertTrue(err != null && err.get("message").isTextual() && !err.get("message").asText().isEmpty(), r.body());
        assertTrue(err.get("type").isTextual() && err.has("param") && err.has("code"), r.body());
        if (param != null) assertEquals(param, err.get("param").asText(), r.body());
    }

    @Test
    void twoHundredMalformedRequestsAllGet4xxAndTheServerStaysHealthy() {
        for (int i = 0; i < 200; i++) {
            Bad bad = KINDS.get(i % KINDS.size());
            assertError(server.send(bad.method(), bad.path(), bad.body()), bad.status(), bad.param(), bad.method() + " " + bad.path() + " " + bad.body());
        }
        assertEquals(200, server.get("/health").status());
        TestServer.Reply ok = server.post(CHAT, "{" + OK_MESSAGES + ",\"max_tokens\":3,\"temperature\":0}");
        assertEquals(200, ok.status(), ok.body());
        assertEquals(3, ok.json().at("/usage/completion_tokens").asInt());
    }

    @Test
    void aTooLongPromptIsRefusedNamingTheContext() {
        TestServer.Reply r = server.post("/v1/completions", "{\"prompt\":\"" + "and then ".repeat(40) + "\"}");
        assertError(r, 400, "prompt", "long prompt");
        assertEquals("context_length_exceeded", r.json().at("/error/code").asText());
        assertTrue(r.json().at("/error/message").asText().contains("context holds only 64"), r.body());
    }

    @Test
    void aMissingOrWrongApiKeyGets401() {
        for (String auth : new String[]{null, "Bearer wrong", "secret"}) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + "/v1/models")).GET();
            if (auth != null) b.header("Authorization", auth);
            TestServer.Reply r = server.send(b.build());
            assertError(r, 401, null, "auth " + auth);
            assertEquals("invalid_api_key", r.json().at("/error/code").asText());
        }
        assertEquals(200, server.get("/health").status()); // health needs no key
    }
}
