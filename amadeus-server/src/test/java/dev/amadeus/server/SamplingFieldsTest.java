package dev.amadeus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each sampling and limit field changes the output as it should. */
class SamplingFieldsTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(2, 256, null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode complete(String fields) {
        TestServer.Reply r = server.post("/v1/completions", "{\"prompt\":\"Once upon a time\"," + fields + "}");
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private static String text(JsonNode completion) {
        return completion.at("/choices/0/text").asText();
    }

    @Test
    void sameSeedSameTextOtherSeedOtherText() {
        String a = text(complete("\"max_tokens\":40,\"temperature\":1.0,\"seed\":7"));
        String b = text(complete("\"max_tokens\":40,\"temperature\":1.0,\"seed\":7"));
        String c = text(complete("\"max_tokens\":40,\"temperature\":1.0,\"seed\":8"));
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void maxTokensEndsWithLength() {
        JsonNode r = complete("\"max_tokens\":5,\"temperature\":0");
        assertEquals("length", r.at("/choices/0/finish_reason").asText());
        assertEquals(5, r.at("/usage/completion_tokens").asInt());
        assertEquals(5, r.at("/usage/prompt_tokens").asInt()); // BOS + 4 prompt tokens
        assertEquals(10, r.at("/usage/total_tokens").asInt());
        assertEquals(", there was a little", text(r));
    }

    @Test
    void stopStringEndsWithStopAndIsLeftOut() {
        JsonNode r = complete("\"max_tokens\":30,\"temperature\":0,\"stop\":[\"girl\",\"xyz\"]");
        assertEquals("stop", r.at("/choices/0/finish_reason").asText());
        assertEquals(", there was a little ", text(r));
        JsonNode single = complete("\"max_tokens\":30,\"temperature\":0,\"stop\":\" was\"");
        assertEquals(", there", text(single));
        assertEquals("stop", single.at("/choices/0/finish_reason").asText());
    }

    @Test
    void logitBiasBansAToken() {
        JsonNode r = complete("\"max_tokens\":2,\"temperature\":0,\"logprobs\":2");
        assertEquals(", there", text(r));
        // The runner-up after "," is the token greedy decoding takes once " there" is banned.
        List<String> candidates = iterable(r.at("/choices/0/logprobs/top_logprobs/1").fieldNames());
        assertEquals(" there", candidates.get(0));
        String runnerUp = candidates.get(1);
        int there;
        try (dev.amadeus.model.Model m = dev.amadeus.model.Model.load(dev.amadeus.testing.SharedData.model("stories260K.gguf"))) {
            there = m.tokenizer().vocabulary().id("\u2581there");
        }
        JsonNode banned = complete("\"max_tokens\":2,\"temperature\":0,\"logit_bias\":{\"" + there + "\":-100}");
        assertEquals("," + runnerUp, text(banned));
        JsonNode favoured = complete("\"max_tokens\":1,\"temperature\":0,\"logit_bias\":{\"" + there + "\":100}");
        assertEquals(" there", text(favoured));
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void temperatureTopKAndPenaltiesChangeTheOutput() {
        String greedy = text(complete("\"max_tokens\":40,\"temperature\":0"));
        assertEquals(greedy, text(complete("\"max_tokens\":40,\"temperature\":0.9,\"top_k\":1,\"seed\":3")));
        assertNotEquals(greedy, text(complete("\"max_tokens\":40,\"temperature\":0,\"frequency_penalty\":2.0")));
        assertNotEquals(greedy, text(complete("\"max_tokens\":40,\"temperature\":0,\"presence_penalty\":2.0")));
        assertNotEquals(greedy, text(complete("\"max_tokens\":40,\"temperature\":0,\"repeat_penalty\":3.0")));
        String wide = text(complete("\"max_tokens\":40,\"temperature\":2,\"top_p\":1,\"min_p\":0,\"top_k\":0,\"seed\":5"));
        String narrow = text(complete("\"max_tokens\":40,\"temperature\":2,\"top_p\":0.01,\"seed\":5"));
        assertEquals(greedy, narrow); // a nucleus of 1% always holds only the best token here
        assertNotEquals(greedy, wide);
    }

    @Test
    void chatLogprobsHaveTheChatFormat() {
        TestServer.Reply r = server.post("/v1/chat/completions", """
                {"messages":[{"role":"user","content":"Hi"}],"max_completion_tokens":3,"temperature":0,"logprobs":true,"top_logprobs":2}""");
        assertEquals(200, r.status(), r.body());
        JsonNode content = r.json().at("/choices/0/logprobs/content");
        assertEquals(3, content.size());
        StringBuilder joined = new StringBuilder();
        for (JsonNode t : content) {
            joined.append(t.get("token").asText());
            JsonNode top = t.get("top_logprobs");
            assertEquals(2, top.size());
            // Greedy: the chosen token is the most probable one.
            assertEquals(top.get(0).get("token").asText(), t.get("token").asText());
            assertEquals(top.get(0).get("logprob").asDouble(), t.get("logprob").asDouble(), 0.0);
            assertTrue(top.get(0).get("logprob").asDouble() >= top.get(1).get("logprob").asDouble());
            assertTrue(t.get("logprob").asDouble() <= 0);
            assertEquals(t.get("token").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length, t.get("bytes").size());
        }
        assertEquals(r.json().at("/choices/0/message/content").asText(), joined.toString());
    }

    @Test
    void completionLogprobsHaveTheCompletionsFormat() {
        JsonNode lp = complete("\"max_tokens\":4,\"temperature\":0,\"logprobs\":3").at("/choices/0/logprobs");
        assertEquals(List.of(",", " there", " was", " a"), List.of(lp.at("/tokens/0").asText(), lp.at("/tokens/1").asText(),
                lp.at("/tokens/2").asText(), lp.at("/tokens/3").asText()));
        assertEquals(List.of(0, 1, 7, 11), List.of(lp.at("/text_offset/0").asInt(), lp.at("/text_offset/1").asInt(),
                lp.at("/text_offset/2").asInt(), lp.at("/text_offset/3").asInt()));
        assertEquals(3, lp.at("/top_logprobs/0").size());
        assertEquals(lp.at("/token_logprobs/1").asDouble(), lp.at("/top_logprobs/1").get(" there").asDouble(), 0.0);
    }
}
