package dev.amadeus.server;

import dev.amadeus.chat.ChatTemplate;
import dev.amadeus.chat.ChatTemplates;
import dev.amadeus.model.Model;
import dev.amadeus.tokenizer.Tokenizer;

import java.nio.file.Path;

/** The one model a server serves: its API id, tokenizer, chat template and context size. */
final class ServedModel {
    final Model model;
    final String id;
    final Tokenizer tokenizer;
    final ChatTemplate chatTemplate;
    final int contextSize;
    final long created = System.currentTimeMillis() / 1000;

    ServedModel(Model model, Path file, String chatTemplate, int contextSize) {
        this.model = model;
        String name = file.getFileName().toString();
        this.id = name.endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
        this.tokenizer = model.tokenizer();
        this.chatTemplate = ChatTemplates.resolve(model, chatTemplate);
        this.contextSize = contextSize;
    }

    /** Tokens of a prompt, with BOS in front when the model asks for one (or when there is nothing else to start from). */
    int[] encode(String text, boolean parseSpecial) {
        int[] tokens = tokenizer.encode(text, false, parseSpecial);
        int bos = tokenizer.vocabulary().bos();
        if ((tokenizer.vocabulary().addBos() || tokens.length == 0) && bos >= 0) {
            int[] withBos = new int[tokens.length + 1];
            withBos[0] = bos;
            System.arraycopy(tokens, 0, withBos, 1, tokens.length);
            return withBos;
        }
        if (tokens.length == 0) throw ApiException.badField("prompt", "the prompt is empty and the model has no BOS token to start from");
        return tokens;
    }

    /** Refuses a prompt that leaves no room in the context. */
    void checkFits(int[] prompt, String param) {
        if (prompt.length >= contextSize) {
            throw new ApiException(400, "invalid_request_error", param, "context_length_exceeded",
                    "the prompt has " + prompt.length + " tokens but the context holds only " + contextSize
                            + " (including at least one generated token); shorten the prompt or start the server with a larger -c");
        }
    }

    int vocabularySize() {
        return model.config().vocabularySize();
    }
}
