package dev.amadeus.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;

/**
 * Answers every HTTP request: checks method and API key, runs the endpoint, and turns any refusal into an
 * OpenAI-style JSON error. One virtual thread per request; generation itself happens on the scheduler's thread.
 */
final class Router implements HttpHandler {
    private static final int MAX_BODY_BYTES = 16 << 20;

    private final ServedModel model;
    private final Scheduler scheduler;
    private final Metrics metrics;
    private final byte[] apiKey;
    private final RequestParser parser;

    Router(ServedModel model, Scheduler scheduler, Metrics metrics, String apiKey) {
        this.model = model;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.apiKey = apiKey == null ? null : apiKey.getBytes(StandardCharsets.UTF_8);
        this.parser = new RequestParser(model);
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        String path = ex.getRequestURI().getPath();
        int status;
        try {
            status = route(ex, path);
        } catch (ApiException e) {
            status = e.status;
            sendJson(ex, e.status, Responses.error(e));
        } catch (IOException e) {
            status = 499; // the client went away while we answered
        } catch (RuntimeException e) {
            status = 500;
            ApiException err = new ApiException(500, "server_error", null, "internal_error", "internal error: " + e);
            try {
                sendJson(ex, 500, Responses.error(err));
            } catch (IOException ignored) {
                // the response had already started; nothing more can be said
            }
        } finally {
            ex.close();
        }
        metrics.request(path, status, (System.nanoTime() - start) / 1e9);
    }

    private int route(HttpExchange ex, String path) throws IOException {
        String method = ex.getRequestMethod();
        switch (path) {
            case Endpoints.HEALTH -> {
                requireMethod(method, "GET");
                ObjectNode ok = Responses.JSON.createObjectNode().put("status", "ok");
                return sendJson(ex, 200, ok);
            }
            case Endpoints.METRICS -> {
                requireMethod(method, "GET");
                return send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.render().getBytes(StandardCharsets.UTF_8));
            }
            case Endpoints.MODELS -> {
                requireMethod(method, "GET");
                authorize(ex);
                return sendJson(ex, 200, models());
            }
            case Endpoints.CHAT, Endpoints.COMPLETIONS -> {
                requireMethod(method, "POST");
                authorize(ex);
                boolean chat = path.equals(Endpoints.CHAT);
                JsonNode body = readJson(ex);
                GenerationRequest request = chat ? parser.chat(body) : parser.completion(body);
                return generate(ex, request, chat);
            }
            case Endpoints.EMBEDDINGS -> {
                requireMethod(method, "POST");
                authorize(ex);
                return embeddings(ex, readJson(ex));
            }
            default -> {
                if (path.startsWith("/v1/")) throw notFound(path);
                requireMethod(method, "GET");
                StaticFiles.File file = StaticFiles.find(path);
                if (file == null) throw notFound(path);
                return send(ex, 200, file.contentType(), file.content());
            }
        }
    }

    private ObjectNode models() {
        ObjectNode root = Responses.JSON.createObjectNode();
        root.put("object", "list");
        ObjectNode m = root.putArray("data").addObject();
        m.put("id", model.id);
        m.put("object", "model");
        m.put("created", model.created);
        m.put("owned_by", "amadeus");
        return root;
    }

    private int generate(HttpExchange ex, GenerationRequest request, boolean chat) throws IOException {
        GenerationJob job = new GenerationJob(request, model, metrics);
        scheduler.submit(job);
        Responses responses = new Responses(model.id, chat);
        boolean logprobs = request.topLogprobs() >= 0;
        if (!request.stream()) {
            StringBuilder text = new StringBuilder();
            List<GenerationEvent.TokenProbability> tokens = new ArrayList<>();
            while (true) {
                switch (take(job)) {
                    case GenerationEvent.Delta d -> {
                        text.append(d.text());
                        tokens.addAll(d.tokens());
                    }
                    case GenerationEvent.Finished end -> {
                        return sendJson(ex, 200, responses.complete(text.toString(), tokens, logprobs, end));
                    }
                    case GenerationEvent.Failed f -> throw failure(f.cause());
                }
            }
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        try {
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            boolean first = true;
            if (chat) {
                event(out, responses.chunk("", true, List.of(), false));
                first = false;
            }
            while (true) {
                switch (take(job)) {
                    case GenerationEvent.Delta d -> {
                        event(out, responses.chunk(d.text(), first, d.tokens(), logprobs));
                        first = false;
                    }
                    case GenerationEvent.Finished end -> {
                        event(out, responses.finalChunk(end));
                        if (request.includeUsage()) event(out, responses.usageChunk(end));
                        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        return 200;
                    }
                    case GenerationEvent.Failed f -> {
                        ApiException e = failure(f.cause());
                        event(out, Responses.error(e));
                        return e.status;
                    }
                }
            }
        } catch (IOException e) {
            job.cancel(); // the client disconnected: free the slot for the next request
            throw e;
        }
    }

    private static GenerationEvent take(GenerationJob job) {
        try {
            return job.events.take();
        } catch (InterruptedException e) {
            job.cancel();
            Thread.currentThread().interrupt();
            throw new ApiException(503, "server_error", null, "shutting_down", "the server is shutting down");
        }
    }

    private static void event(OutputStream out, ObjectNode chunk) throws IOException {
        out.write(("data: " + Responses.JSON.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private int embeddings(HttpExchange ex, JsonNode body) throws IOException {
        boolean[] base64 = new boolean[1];
        List<int[]> inputs = parser.embeddingInputs(body, base64);
        List<EmbeddingJob> jobs = new ArrayList<>();
        for (int[] tokens : inputs) {
            EmbeddingJob job = new EmbeddingJob(tokens);
            scheduler.submit(job);
            jobs.add(job);
        }
        ObjectNode root = Responses.JSON.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        int promptTokens = 0;
        for (int i = 0; i < jobs.size(); i++) {
            float[] vector;
            try {
                vector = jobs.get(i).result.get();
            } catch (ExecutionException e) {
                throw failure(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(503, "server_error", null, "shutting_down", "the server is shutting down");
            }
            promptTokens += inputs.get(i).length;
            metrics.promptTokens.addAndGet(inputs.get(i).length);
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            if (base64[0]) {
                ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : vector) bytes.putFloat(v);
                item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
            } else {
                ArrayNode values = item.putArray("embedding");
                for (float v : vector) values.add(v);
            }
        }
        root.put("model", model.id);
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("total_tokens", promptTokens);
        return sendJson(ex, 200, root);
    }

    private static ApiException failure(Throwable cause) {
        if (cause instanceof ApiException e) return e;
        if (cause instanceof CancellationException) {
            return new ApiException(503, "server_error", null, "cancelled", "generation cancelled: " + cause.getMessage());
        }
        if (cause instanceof IllegalStateException || cause instanceof IllegalArgumentException) {
            // e.g. a logit_bias that bans every token leaves nothing to sample
            return ApiException.badRequest("invalid_request", cause.getMessage());
        }
        return new ApiException(500, "server_error", null, "internal_error", "generation failed: " + cause);
    }

    private void authorize(HttpExchange ex) {
        if (apiKey == null) return;
        String header = ex.getRequestHeaders().getFirst("Authorization");
        byte[] given = header != null && header.startsWith("Bearer ")
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(given, apiKey)) {
            throw new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                    header == null ? "missing API key: send 'Authorization: Bearer <key>'" : "invalid API key");
        }
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed) && !(allowed.equals("GET") && method.equals("HEAD"))) {
            throw new ApiException(405, "invalid_request_error", null, "method_not_allowed",
                    "method " + method + " is not allowed here; use " + allowed);
        }
    }

    private static ApiException notFound(String path) {
        return new ApiException(404, "invalid_request_error", null, "not_found", "no such endpoint or file: " + path);
    }

    private static JsonNode readJson(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new ApiException(413, "invalid_request_error", null, "request_too_large", "the request body exceeds " + MAX_BODY_BYTES + " bytes");
        }
        if (body.length == 0) throw ApiException.badRequest("invalid_json", "the request body is empty; send a JSON object");
        try {
            return Responses.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("invalid_json", "the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static int sendJson(HttpExchange ex, int status, ObjectNode body) throws IOException {
        return send(ex, status, "application/json", Responses.JSON.writeValueAsBytes(body));
    }

    private static int send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        return status;
    }
}
