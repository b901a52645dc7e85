package dev.amadeus.cli.chat;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amadeus.AmadeusException;
import dev.amadeus.chat.ChatMessage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A conversation saved as JSON: {@code {"messages": [{"role": "system", "content": "..."}, ...]}}, the shape
 * of an OpenAI chat request, so a saved conversation can be sent to a server as it is.
 */
public final class ConversationFile {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ConversationFile() {
    }

    public static void save(Path file, List<ChatMessage> messages) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode array = root.putArray("messages");
        for (ChatMessage m : messages) array.addObject().put("role", m.role()).put("content", m.content());
        try {
            Files.writeString(file, JSON.writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new AmadeusException(file + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    public static List<ChatMessage> load(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new AmadeusException(file + ": no such file", e);
        } catch (JacksonException e) {
            throw new AmadeusException(file + ": not JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new AmadeusException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        JsonNode array = root == null ? null : root.get("messages");
        if (array == null || !array.isArray()) throw new AmadeusException(file + ": expected an object with a \"messages\" array");
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode m = array.get(i);
            JsonNode role = m.get("role");
            JsonNode content = m.get("content");
            if (role == null || !role.isTextual() || content == null || !content.isTextual()) {
                throw new AmadeusException(file + ": message " + (i + 1) + " needs a text \"role\" and a text \"content\"");
            }
            messages.add(new ChatMessage(role.asText(), content.asText()));
        }
        for (int i = 1; i < messages.size(); i++) {
            if (messages.get(i).role().equals("system")) {
                throw new AmadeusException(file + ": only the first message may be the system prompt (message " + (i + 1) + ")");
            }
        }
        return messages;
    }
}
