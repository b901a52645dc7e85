package dev.amadeus.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.UUID;

/** The JSON bodies of OpenAI's completion and chat-completion responses and stream chunks. */
final class Responses {
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final String modelId;
    private final boolean chat;
    final String id;
    private final long created = System.currentTimeMillis() / 1000;
    /** Characters of completion text before the next token, for the completions format's text_offset. */
    private int textOffset;

    Responses(String modelId, boolean chat) {
        this.modelId = modelId;
        this.chat = chat;
        this.id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
    }

    /** The whole answer of a blocking request. */
    ObjectNode complete(String text, List<GenerationEvent.TokenProbability> tokens, boolean logprobs, GenerationEvent.Finished end) {
        ObjectNode root = envelope(chat ? "chat.completion" : "text_completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", text);
            message.putNull("refusal");
        } else {
            choice.put("text", text);
        }
        if (logprobs) choice.set("logprobs", logprobs(tokens));
        else choice.putNull("logprobs");
        choice.put("finish_reason", end.finishReason());
        root.set("usage", usage(end));
        return root;
    }

    /** A stream chunk carrying text (and the role, for the first chat chunk). */
    ObjectNode chunk(String text, boolean first, List<GenerationEvent.TokenProbability> tokens, boolean logprobs) {
        ObjectNode root = envelope(chat ? "chat.completion.chunk" : "text_completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            ObjectNode delta = choice.putObject("delta");
            if (first) delta.put("role", "assistant");
            delta.put("content", text);
        } else {
            choice.put("text", text);
        }
        if (logprobs && !tokens.isEmpty()) choice.set("logprobs", logprobs(tokens));
        else choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return root;
    }

    /** The stream chunk that ends the choice. */
    ObjectNode finalChunk(GenerationEvent.Finished end) {
        ObjectNode root = envelope(chat ? "chat.completion.chunk" : "text_completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) choice.putObject("delta");
        else choice.put("text", "");
        choice.putNull("logprobs");
        choice.put("finish_reason", end.finishReason());
        return root;
    }

    /** The extra chunk {@code stream_options.include_usage} asks for: no choices, only usage. */
    ObjectNode usageChunk(GenerationEvent.Finished end) {
        ObjectNode root = envelope(chat ? "chat.completion.chunk" : "text_completion");
        root.putArray("choices");
        root.set("usage", usage(end));
        return root;
    }

    private ObjectNode envelope(String object) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", modelId);
        return root;
    }

    static ObjectNode usage(GenerationEvent.Finished end) {
        ObjectNode usage = JSON.createObjectNode();
        usage.put("prompt_tokens", end.promptTokens());
        usage.put("completion_tokens", end.completionTokens());
        usage.put("total_tokens", end.promptTokens() + end.completionTokens());
        return usage;
    }

    private ObjectNode logprobs(List<GenerationEvent.TokenProbability> tokens) {
        ObjectNode out = JSON.createObjectNode();
        if (chat) {
            ArrayNode content = out.putArray("content");
            for (GenerationEvent.TokenProbability t : tokens) {
                ObjectNode entry = chatEntry(t);
                ArrayNode top = entry.putArray("top_logprobs");
                for (GenerationEvent.TokenProbability alt : t.top()) top.add(chatEntry(alt));
                content.add(entry);
            }
            out.putNull("refusal");
        } else {
            ArrayNode texts = out.putArray("tokens");
            ArrayNode lps = out.putArray("token_logprobs");
            ArrayNode tops = out.putArray("top_logprobs");
            ArrayNode offsets = out.putArray("text_offset");
            for (GenerationEvent.TokenProbability t : tokens) {
                texts.add(t.text());
                lps.add(t.logprob());
                ObjectNode top = tops.addObject();
                for (GenerationEvent.TokenProbability alt : t.top()) top.put(alt.text(), alt.logprob());
                offsets.add(textOffset);
                textOffset += t.text().length();
            }
        }
        return out;
    }

    private static ObjectNode chatEntry(GenerationEvent.TokenProbability t) {
        ObjectNode e = JSON.createObjectNode();
        e.put("token", t.text());
        e.put("logprob", t.logprob());
        ArrayNode bytes = e.putArray("bytes");
        for (byte b : t.bytes()) bytes.add(b & 0xFF);
        return e;
    }

    static ObjectNode error(ApiException e) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.type);
        if (e.param == null) err.putNull("param");
        else err.put("param", e.param);
        if (e.code == null) err.putNull("code");
        else err.put("code", e.code);
        return root;
    }
}
