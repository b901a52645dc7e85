package dev.amadeus.server;

import java.util.Set;

/** The API's paths; anything else is served from the web page's static files or is a 404. */
final class Endpoints {
    static final String MODELS = "/v1/models";
    static final String COMPLETIONS = "/v1/completions";
    static final String CHAT = "/v1/chat/completions";
    static final String EMBEDDINGS = "/v1/embeddings";
    static final String HEALTH = "/health";
    static final String METRICS = "/metrics";
    private static final Set<String> API = Set.of(MODELS, COMPLETIONS, CHAT, EMBEDDINGS, HEALTH, METRICS);

    private Endpoints() {
    }

    /** A metrics label that cannot grow without bound: the API path, or "static" / "other". */
    static String label(String path) {
        if (API.contains(path)) return path;
        return path.startsWith("/v1/") ? "other" : "static";
    }
}
