package dev.amadeus.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test-only stand-in for the chat server, so that the web page can be driven in a browser without a model:
 * it serves the classpath directory {@code web/} at {@code /} like the real server, and answers
 * {@code POST /v1/chat/completions} with a scripted Server-Sent Events stream in OpenAI's format, one word
 * per chunk every {@link #CHUNK_INTERVAL_MILLIS} ms, {@code max_tokens} words long. It reads no other field
 * of the request and generates nothing.
 */
final class FakeChatStreamServer implements AutoCloseable {

    static final String MODEL_ID = "fake-stream-model";
    private static final long CHUNK_INTERVAL_MILLIS = 20;
    private static final long PIECE_INTERVAL_MILLIS = 5;
    private static final String[] WORDS = {"Once", " upon", " a", " time", ",", " there", " was", " a", " naïve",
            " little", " fox", " 🦊", " who", " liked", " to", " count", " the", " stars", "."};
    private static final Pattern MAX_TOKENS = Pattern.compile("\"max_tokens\"\\s*:\\s*(\\d+)");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8");

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();

    private FakeChatStreamServer(HttpServer server) {
        this.server = server;
    }

    static FakeChatStreamServer start() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        FakeChatStreamServer fake = new FakeChatStreamServer(http);
        http.createContext("/", fake::serveStatic);
        http.createContext("/v1/models", fake::serveModels);
        http.createContext("/v1/chat/completions", fake::serveCompletion);
        http.setExecutor(fake.handlers);
        http.start();
        return fake;
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private void serveStatic(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String name = path.equals("/") ? "index.html" : path.substring(1);
        try (exchange; InputStream resource = name.contains("..") ? null
                : getClass().getClassLoader().getResourceAsStream("web/" + name)) {
            if (resource == null) {
                sendText(exchange, 404, "text/plain", "not found: " + path);
                return;
            }
            String extension = name.substring(name.lastIndexOf('.') + 1);
            sendText(exchange, 200, CONTENT_TYPES.getOrDefault(extension, "application/octet-stream"),
                    new String(resource.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private void serveModels(HttpExchange exchange) throws IOException {
        try (exchange) {
            sendText(exchange, 200, "application/json",
                    "{\"object\":\"list\",\"data\":[{\"id\":\"" + MODEL_ID + "\",\"object\":\"model\"}]}");
        }
    }

    private void serveCompletion(HttpExchange exchange) throws IOException {
        try (exchange) {
            String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (!exchange.getRequestMethod().equals("POST")) {
                sendText(exchange, 405, "application/json", "{\"error\":{\"message\":\"use POST\"}}");
                return;
            }
            Matcher maxTokens = MAX_TOKENS.matcher(request);
            int words = maxTokens.find() ? Integer.parseInt(maxTokens.group(1)) : 16;
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            for (int i = 0; i < words; i++) {
                String chunk = "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"model\":\"" + MODEL_ID
                        + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + WORDS[i % WORDS.length]
                        + "\"},\"finish_reason\":null}]}";
                writeInTwoPieces(body, ("data: " + chunk + "\n\n").getBytes(StandardCharsets.UTF_8));
                Thread.sleep(CHUNK_INTERVAL_MILLIS);
            }
            String finish = "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"model\":\"" + MODEL_ID
                    + "\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}";
            body.write(("data: " + finish + "\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sends an event in two network writes cut inside its first multi-byte character (or in its middle), as a
     * real connection may deliver it, so that the page's reassembly of lines and characters is exercised.
     * The flush throws once the browser has aborted the stream, which ends the handler.
     */
    private static void writeInTwoPieces(OutputStream body, byte[] event) throws IOException, InterruptedException {
        int cut = event.length / 2;
        for (int i = 0; i < event.length; i++) {
            if (event[i] < 0) {   // the lead byte of a multi-byte UTF-8 sequence
                cut = i + 1;
                break;
            }
        }
        body.write(event, 0, cut);
        body.flush();
        Thread.sleep(PIECE_INTERVAL_MILLIS);
        body.write(event, cut, event.length - cut);
        body.flush();
    }

    private static void sendText(HttpExchange exchange, int status, String contentType, String text)
            throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
