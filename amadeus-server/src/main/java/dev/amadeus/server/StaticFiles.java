package dev.amadeus.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** The web chat page: files under {@code web/} on the classpath, {@code /} being {@code index.html}. */
final class StaticFiles {
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("woff2", "font/woff2"));

    record File(byte[] content, String contentType) {
    }

    private StaticFiles() {
    }

    /** The file for a request path, or null when there is none. */
    static File find(String path) throws IOException {
        String name = path.equals("/") ? "index.html" : path.substring(1);
        if (name.isEmpty() || name.endsWith("/") || name.contains("..") || name.contains("//") || name.contains("\\")) return null;
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream("web/" + name)) {
            if (in == null) return null;
            int dot = name.lastIndexOf('.');
            String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
            return new File(in.readAllBytes(), TYPES.getOrDefault(ext, "application/octet-stream"));
        }
    }
}
