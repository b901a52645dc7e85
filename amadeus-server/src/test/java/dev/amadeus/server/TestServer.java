package dev.amadeus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amadeus.testing.SharedData;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Collectors;

/** A server on stories260K at an ephemeral port, and a plain HTTP client to talk to it. */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    final AmadeusServer server;
    final String apiKey;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    record Reply(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    TestServer(int parallel, int contextSize, String apiKey) {
        this.apiKey = apiKey;
        this.server = AmadeusServer.start(new ServerConfig(SharedData.model("stories260K.gguf"), "127.0.0.1", 0, apiKey,
                parallel, contextSize, null, 1)); // one thread: a 260K-parameter model gains nothing from more
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    Reply post(String path, String body) {
        return send("POST", path, body);
    }

    Reply get(String path) {
        return send("GET", path, null);
    }

    Reply send(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
        return send(b.build());
    }

    Reply send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The lines of a streamed (SSE) response. */
    List<String> stream(String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
        try {
            HttpResponse<java.util.stream.Stream<String>> r = http.send(b.build(), HttpResponse.BodyHandlers.ofLines());
            if (r.statusCode() != 200) throw new AssertionError("status " + r.statusCode() + ": " + r.body().collect(Collectors.joining("\n")));
            return r.body().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The value of an unlabelled metric. */
    long metric(String name) {
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(name + " ")) return Long.parseLong(line.substring(name.length() + 1).trim());
        }
        throw new AssertionError("no metric " + name);
    }

    @Override
    public void close() {
        server.close();
    }
}
