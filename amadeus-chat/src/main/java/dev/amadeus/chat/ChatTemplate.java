package dev.amadeus.chat;

import java.util.List;

/** Turns a conversation into the prompt text an instruction-tuned model was trained on. */
public interface ChatTemplate {

    /**
     * The prompt for {@code messages}; with {@code addGenerationPrompt}, ending with the text that opens
     * the assistant's next turn.
     */
    String render(List<ChatMessage> messages, boolean addGenerationPrompt);
}
