package dev.amadeus.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.amadeus.chat.ChatMessage;
import dev.amadeus.sampling.SamplingParams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns OpenAI request bodies into {@link GenerationRequest}s. Sampling starts from llama-server's defaults
 * (temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, penalties off) and each field given overrides its part.
 */
final class RequestParser {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");
    /** Fields a client may send with values that change nothing here; any other value is refused. */
    private static final Map<String, Object> HARMLESS = new HashMap<>();

    static {
        HARMLESS.put("n", 1);
        HARMLESS.put("best_of", 1);
        HARMLESS.put("echo", false);
        HARMLESS.put("suffix", "");
        HARMLESS.put("user", RequestFields.AnyString.INSTANCE);
        HARMLESS.put("tools", RequestFields.EmptyArray.INSTANCE);
        HARMLESS.put("functions", RequestFields.EmptyArray.INSTANCE);
        HARMLESS.put("tool_choice", "none");
        HARMLESS.put("function_call", "none");
        HARMLESS.put("parallel_tool_calls", true);
        HARMLESS.put("response_format", new RequestFields.AnyObjectWithType("text"));
        HARMLESS.put("store", false);
        HARMLESS.put("service_tier", "auto");
    }

    private final ServedModel model;

    RequestParser(ServedModel model) {
        this.model = model;
    }

    GenerationRequest chat(JsonNode body) {
        RequestFields f = new RequestFields(body);
        checkModel(f);
        JsonNode messages = f.get("messages");
        if (messages == null) throw ApiException.badField("messages", "'messages' is required");
        if (!messages.isArray() || messages.isEmpty()) throw ApiException.badField("messages", "'messages' must be a non-empty list");
        List<ChatMessage> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) turns.add(message(messages.get(i), "messages[" + i + "]"));
        int[] prompt = model.encode(model.chatTemplate.render(turns, true), true);
        model.checkFits(prompt, "messages");

        boolean logprobs = f.bool("logprobs", false);
        Long top = f.integer("top_logprobs", 0, 20);
        if (top != null && !logprobs) throw ApiException.badField("top_logprobs", "'top_logprobs' needs 'logprobs': true");
        int topLogprobs = logprobs ? (top == null ? 0 : top.intValue()) : -1;
        Long max = f.integer("max_completion_tokens", 1, Integer.MAX_VALUE);
        Long legacyMax = f.integer("max_tokens", 1, Integer.MAX_VALUE);
        if (max == null) max = legacyMax;
        return common(f, prompt, max == null ? -1 : max.intValue(), topLogprobs);
    }

    GenerationRequest completion(JsonNode body) {
        RequestFields f = new RequestFields(body);
        checkModel(f);
        JsonNode p = f.get("prompt");
        if (p == null) throw ApiException.badField("prompt", "'prompt' is required");
        int[] prompt = completionPrompt(p);
        model.checkFits(prompt, "prompt");
        Long logprobs = f.integer("logprobs", 0, 5);
        Long max = f.integer("max_tokens", 1, Integer.MAX_VALUE);
        return common(f, prompt, max == null ? 16 : max.intValue(), logprobs == null ? -1 : logprobs.intValue());
    }

    /** The inputs of an embeddings request, each as tokens. */
    List<int[]> embeddingInputs(JsonNode body, boolean[] base64) {
        RequestFields f = new RequestFields(body);
        checkModel(f);
        JsonNode input = f.get("input");
        if (input == null) throw ApiException.badField("input", "'input' is required");
        List<int[]> inputs = new ArrayList<>();
        if (input.isTextual()) {
            inputs.add(model.encode(input.textValue(), false));
        } else if (input.isArray() && !input.isEmpty() && input.get(0).isIntegralNumber()) {
            inputs.add(tokenIds(input, "input"));
        } else if (input.isArray() && !input.isEmpty()) {
            for (int i = 0; i < input.size(); i++) {
                JsonNode item = input.get(i);
                if (item.isTextual()) inputs.add(model.encode(item.textValue(), false));
                else if (item.isArray() && !item.isEmpty()) inputs.add(tokenIds(item, "input[" + i + "]"));
                else throw ApiException.badField("input", "'input[" + i + "]' must be a string or a list of token ids");
            }
        } else {
            throw ApiException.badField("input", "'input' must be a string, a non-empty list of strings or a list of token ids");
        }
        for (int[] tokens : inputs) {
            if (tokens.length > model.contextSize) {
                throw new ApiException(400, "invalid_request_error", "input", "context_length_exceeded",
                        "an input has " + tokens.length + " tokens but the context holds only " + model.contextSize);
            }
        }
        String format = f.string("encoding_format");
        if (format != null && !format.equals("float") && !format.equals("base64")) {
            throw ApiException.badField("encoding_format", "'encoding_format' must be \"float\" or \"base64\"");
        }
        base64[0] = "base64".equals(format);
        Long dims = f.integer("dimensions", 1, Integer.MAX_VALUE);
        if (dims != null && dims != model.model.config().embeddingLength()) {
            throw ApiException.badField("dimensions", "'dimensions' must be " + model.model.config().embeddingLength()
                    + " (this model's embedding length) or absent");
        }
        f.rejectUnread(HARMLESS);
        return inputs;
    }

    private GenerationRequest common(RequestFields f, int[] prompt, int maxTokens, int topLogprobs) {
        SamplingParams s = SamplingParams.defaults();
        Float v;
        if ((v = f.number("temperature", 0, 2)) != null) s = s.withTemperature(v);
        if ((v = f.number("top_p", 0, 1)) != null) s = s.withTopP(v);
        if ((v = f.number("min_p", 0, 1)) != null) s = s.withMinP(v);
        if ((v = f.number("typical_p", 0, 1)) != null) s = s.withTypicalP(v);
        if ((v = f.number("presence_penalty", -2, 2)) != null) s = s.withPresencePenalty(v);
        if ((v = f.number("frequency_penalty", -2, 2)) != null) s = s.withFrequencyPenalty(v);
        if ((v = f.number("repeat_penalty", 0, 10)) != null) {
            if (v == 0) throw ApiException.badField("repeat_penalty", "'repeat_penalty' must be positive");
            s = s.withRepeatPenalty(v);
        }
        Long l;
        if ((l = f.integer("top_k", 0, Integer.MAX_VALUE)) != null) s = s.withTopK(l.intValue());
        // As in llama-server, seed -1 asks for a fresh random seed; any other value is used as given.
        if ((l = f.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE)) != null) s = s.withSeed(l);
        s = s.withLogitBias(logitBias(f.get("logit_bias")));
        List<String> stops = stops(f.get("stop"));
        boolean stream = f.bool("stream", false);
        boolean includeUsage = false;
        JsonNode options = f.get("stream_options");
        if (options != null) {
            if (!stream) throw ApiException.badField("stream_options", "'stream_options' is only allowed with 'stream': true");
            if (!options.isObject()) throw ApiException.badField("stream_options", "'stream_options' must be an object");
            RequestFields o = new RequestFields(options);
            includeUsage = o.bool("include_usage", false);
            o.rejectUnread(Map.of());
        }
        f.rejectUnread(HARMLESS);
        return new GenerationRequest(prompt, s, maxTokens, stops, topLogprobs, stream, includeUsage);
    }

    private void checkModel(RequestFields f) {
        String name = f.string("model");
        if (name != null && !name.equals(model.id)) {
            throw new ApiException(404, "invalid_request_error", "model", "model_not_found",
                    "the model '" + name + "' does not exist; this server serves '" + model.id + "'");
        }
    }

    private static ChatMessage message(JsonNode m, String where) {
        if (!m.isObject()) throw ApiException.badField("messages", "'" + where + "' must be an object");
        RequestFields f = new RequestFields(m);
        String role = f.string("role");
        if (role == null) throw ApiException.badField("messages", "'" + where + ".role' is required");
        if (!ROLES.contains(role)) {
            throw ApiException.badField("messages", "'" + where + ".role' must be one of system, developer, user, assistant; got '" + role + "'");
        }
        JsonNode content = f.get("content");
        if (content == null) throw ApiException.badField("messages", "'" + where + ".content' is required");
        String text;
        if (content.isTextual()) {
            text = content.textValue();
        } else if (content.isArray()) {
            StringBuilder b = new StringBuilder();
            for (JsonNode part : content) {
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiException.badField("messages", "'" + where + ".content' parts must be {\"type\": \"text\", \"text\": ...}; other kinds are not supported");
                }
                b.append(part.get("text").textValue());
            }
            text = b.toString();
        } else {
            throw ApiException.badField("messages", "'" + where + ".content' must be a string or a list of text parts");
        }
        f.string("name"); // a participant's name changes nothing in the prompt of the templates we render
        f.rejectUnread(Map.of());
        return new ChatMessage("developer".equals(role) ? "system" : role, text);
    }

    private int[] completionPrompt(JsonNode p) {
        if (p.isTextual()) return model.encode(p.textValue(), false);
        if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) return model.encode(p.get(0).textValue(), false);
        if (p.isArray() && !p.isEmpty() && p.get(0).isIntegralNumber()) return tokenIds(p, "prompt");
        if (p.isArray() && p.size() > 1) throw ApiException.badField("prompt", "only one prompt per request is supported");
        throw ApiException.badField("prompt", "'prompt' must be a string or a list of token ids");
    }

    private int[] tokenIds(JsonNode array, String param) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = array.get(i);
            if (!t.isIntegralNumber() || t.longValue() < 0 || t.longValue() >= model.vocabularySize()) {
                throw ApiException.badField(param, "'" + param + "' token ids must be integers in [0, " + model.vocabularySize() + ")");
            }
            ids[i] = t.intValue();
        }
        return ids;
    }

    private Map<Integer, Float> logitBias(JsonNode bias) {
        if (bias == null) return Map.of();
        if (!bias.isObject()) throw ApiException.badField("logit_bias", "'logit_bias' must be an object of token id to bias");
        Map<Integer, Float> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = bias.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int token;
            try {
                token = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                throw ApiException.badField("logit_bias", "'logit_bias' keys must be token ids, got '" + e.getKey() + "'");
            }
            if (token < 0 || token >= model.vocabularySize()) {
                throw ApiException.badField("logit_bias", "'logit_bias' token " + token + " is outside the vocabulary of " + model.vocabularySize());
            }
            JsonNode v = e.getValue();
            if (!v.isNumber() || v.doubleValue() < -100 || v.doubleValue() > 100) {
                throw ApiException.badField("logit_bias", "'logit_bias' values must be numbers between -100 and 100");
            }
            // As in OpenAI's API, -100 bans a token outright.
            out.put(token, v.doubleValue() == -100 ? Float.NEGATIVE_INFINITY : v.floatValue());
        }
        return out;
    }

    private static List<String> stops(JsonNode stop) {
        if (stop == null) return List.of();
        List<String> out = new ArrayList<>();
        if (stop.isTextual()) {
            out.add(stop.textValue());
        } else if (stop.isArray()) {
            for (JsonNode s : stop) {
                if (!s.isTextual()) throw ApiException.badField("stop", "'stop' must be a string or a list of strings");
                out.add(s.textValue());
            }
        } else {
            throw ApiException.badField("stop", "'stop' must be a string or a list of strings");
        }
        for (String s : out) if (s.isEmpty()) throw ApiException.badField("stop", "'stop' strings must not be empty");
        return out;
    }
}
