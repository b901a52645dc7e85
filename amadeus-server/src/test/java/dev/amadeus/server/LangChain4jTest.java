package dev.amadeus.server;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.output.FinishReason;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** LangChain4j's OpenAI chat model talking to the server. */
class LangChain4jTest {

    @Test
    void chatsWithTheServer() {
        try (TestServer server = new TestServer(1, 256, "lc4j-key")) {
            OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.base() + "/v1").apiKey("lc4j-key")
                    .modelName("stories260K").temperature(0.0).maxTokens(12).maxRetries(0).build();
            ChatResponse r = model.chat(UserMessage.from("Tell me a story"));
            assertFalse(r.aiMessage().text().isEmpty());
            assertEquals(FinishReason.LENGTH, r.finishReason());
            assertEquals(12, r.tokenUsage().outputTokenCount());

            // Greedy: the same answer as the raw API gives for the same conversation.
            TestServer.Reply raw = server.post("/v1/chat/completions", """
                    {"model":"stories260K","messages":[{"role":"user","content":"Tell me a story"}],"temperature":0,"max_tokens":12}""");
            assertEquals(raw.json().at("/choices/0/message/content").asText(), r.aiMessage().text());
        }
    }
}
