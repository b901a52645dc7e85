package dev.amadeus.server;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The official OpenAI Java SDK, unchanged, against the server. */
class OpenAiSdkTest {
    private static TestServer server;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = new TestServer(2, 256, "sdk-key");
        client = OpenAIOkHttpClient.builder().baseUrl(server.base() + "/v1").apiKey("sdk-key").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    private static ChatCompletionCreateParams chat(long maxTokens) {
        return ChatCompletionCreateParams.builder().model("stories260K").addUserMessage("Tell me a story")
                .temperature(0.0).maxCompletionTokens(maxTokens).build();
    }

    @Test
    void listsTheModel() {
        List<Model> models = client.models().list().data();
        assertEquals(1, models.size());
        assertEquals("stories260K", models.get(0).id());
    }

    @Test
    void chatBlockingAndStreamingGiveTheSameGreedyAnswer() {
        ChatCompletion c = client.chat().completions().create(chat(12));
        String blocking = c.choices().get(0).message().content().orElseThrow();
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, c.choices().get(0).finishReason());
        assertEquals(12, c.usage().orElseThrow().completionTokens());
        assertEquals(c.usage().orElseThrow().promptTokens() + 12, c.usage().orElseThrow().totalTokens());
        assertFalse(blocking.isEmpty());

        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(chat(12))) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
        }
        assertEquals(blocking, streamed.toString());
    }

    @Test
    void completion() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model("stories260K")
                .prompt("Once upon a time").maxTokens(10).temperature(0.0).build());
        // The same text as `amadeus generate -p "Once upon a time" -n 10 --temp 0`.
        assertEquals(", there was a little girl named Lily", c.choices().get(0).text());
        assertEquals("length", c.choices().get(0).finishReason().asString());
        assertEquals(10, c.usage().orElseThrow().completionTokens());
    }

    @Test
    void embeddingsAreUnitVectorsOfTheEmbeddingLength() {
        CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder().model("stories260K")
                .inputOfArrayOfStrings(List.of("a cat", "a dog")).build());
        assertEquals(2, r.data().size());
        for (var e : r.data()) {
            assertEquals(64, e.embedding().size());
            double norm = 0;
            for (float v : e.embedding()) norm += v * v;
            assertEquals(1.0, Math.sqrt(norm), 1e-5);
        }
        assertTrue(r.usage().promptTokens() >= 4);
    }
}
