package dev.amadeus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Typed, validated access to the fields of a JSON request body. Every field read is remembered, so that
 * {@link #rejectUnread} can refuse whatever the server would otherwise silently ignore: a field it does not
 * know, or knows but cannot honour, is accepted only when it is null or holds the value that means "off".
 */
final class RequestFields {
    private final ObjectNode body;
    private final Set<String> read = new HashSet<>();

    RequestFields(JsonNode body) {
        if (!(body instanceof ObjectNode object)) throw ApiException.badRequest("invalid_json", "the request body must be a JSON object");
        this.body = object;
    }

    /** The field's value, or null when it is absent or JSON null. */
    JsonNode get(String name) {
        read.add(name);
        JsonNode v = body.get(name);
        return v == null || v.isNull() ? null : v;
    }

    String string(String name) {
        JsonNode v = get(name);
        if (v == null) return null;
        if (!v.isTextual()) throw ApiException.badField(name, "'" + name + "' must be a string");
        return v.textValue();
    }

    boolean bool(String name, boolean fallback) {
        JsonNode v = get(name);
        if (v == null) return fallback;
        if (!v.isBoolean()) throw ApiException.badField(name, "'" + name + "' must be a boolean");
        return v.booleanValue();
    }

    Float number(String name, double min, double max) {
        JsonNode v = get(name);
        if (v == null) return null;
        if (!v.isNumber()) throw ApiException.badField(name, "'" + name + "' must be a number");
        double d = v.doubleValue();
        if (!(d >= min && d <= max)) {
            throw ApiException.badField(name, "'" + name + "' must be between " + plain(min) + " and " + plain(max) + ", got " + v);
        }
        return (float) d;
    }

    Long integer(String name, long min, long max) {
        JsonNode v = get(name);
        if (v == null) return null;
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw ApiException.badField(name, "'" + name + "' must be an integer");
        long l = v.longValue();
        if (l < min || l > max) {
            throw ApiException.badField(name, "'" + name + "' must be between " + min + " and " + max + ", got " + l);
        }
        return l;
    }

    /**
     * Refuses fields not read so far unless they are null or equal to their entry in {@code harmless} (the values
     * of known-but-unsupported fields that change nothing, such as {@code "n": 1}).
     */
    void rejectUnread(Map<String, Object> harmless) {
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (read.contains(name) || v.isNull()) continue;
            Object ok = harmless.get(name);
            if (ok != null && matches(v, ok)) continue;
            if (ok != null || harmless.containsKey(name)) {
                throw ApiException.badField(name, "'" + name + "' is not supported by this server (only " + describe(ok) + " is accepted)");
            }
            throw ApiException.badField(name, "unknown field '" + name + "'");
        }
    }

    private static boolean matches(JsonNode v, Object harmless) {
        return switch (harmless) {
            case Boolean b -> v.isBoolean() && v.booleanValue() == b;
            case Integer i -> v.isIntegralNumber() && v.canConvertToLong() && v.longValue() == i;
            case String s -> v.isTextual() && v.textValue().equals(s);
            case EmptyArray e -> v.isArray() && v.isEmpty();
            case AnyString a -> v.isTextual();
            case AnyObjectWithType t -> v.isObject() && t.type.equals(v.path("type").asText(null)) && v.size() == 1;
            default -> false;
        };
    }

    private static String describe(Object harmless) {
        return switch (harmless) {
            case null -> "null";
            case String s -> "\"" + s + "\"";
            case EmptyArray e -> "an empty list";
            case AnyObjectWithType t -> "{\"type\": \"" + t.type + "\"}";
            default -> String.valueOf(harmless);
        };
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** Accepts an empty JSON array. */
    enum EmptyArray { INSTANCE }

    /** Accepts any string (informational fields such as {@code user}). */
    enum AnyString { INSTANCE }

    /** Accepts an object whose only field is {@code "type": type}, e.g. {@code response_format: {"type":"text"}}. */
    record AnyObjectWithType(String type) {
    }
}
