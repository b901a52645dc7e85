package dev.amadeus.chat.jinja;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amadeus.chat.BuiltinTemplates;
import dev.amadeus.chat.ChatMessage;
import dev.amadeus.testing.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every template renders exactly as Python's Jinja2 renders it under transformers' settings: the references were
 * written by {@code src/test/python/render_reference.py} (same conversation, date and BOS/EOS strings, recorded
 * in each directory's {@code cases.json}) for the real-model templates in {@code ../shared/testdata/templates}
 * and for Amadeus's built-in templates.
 */
class ReferenceRenderingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> sharedTemplates() throws IOException {
        return cases("templates", file -> Files.readString(SharedData.file("testdata/templates/" + file), StandardCharsets.UTF_8));
    }

    static Stream<Arguments> builtinTemplates() throws IOException {
        return cases("builtin", file -> BuiltinTemplates.source(file.replace(".jinja", "")).orElseThrow());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sharedTemplates")
    void modelTemplatesRenderAsJinja2(String template, String source, String expected, JsonNode setup, Map<String, Object> extra) {
        assertEquals(expected, render(source, setup, extra));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builtinTemplates")
    void builtinTemplatesRenderAsJinja2(String template, String source, String expected, JsonNode setup, Map<String, Object> extra) {
        assertEquals(expected, render(source, setup, extra));
    }

    private static String render(String source, JsonNode setup, Map<String, Object> extra) {
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode m : setup.get("messages")) messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        Clock clock = Clock.fixed(LocalDateTime.parse(setup.get("now").asText()).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
        JinjaChatTemplate template = new JinjaChatTemplate(source, setup.get("bos_token").asText(), setup.get("eos_token").asText(), clock);
        return template.render(messages, true, extra);
    }

    interface SourceReader {
        String read(String templateFile) throws IOException;
    }

    @SuppressWarnings("unchecked")
    private static Stream<Arguments> cases(String dir, SourceReader sources) throws IOException {
        JsonNode setup = JSON.readTree(resource(dir + "/cases.json"));
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : setup.get("cases")) {
            String file = c.get("template").asText();
            String expected = resource(dir + "/" + c.get("expected").asText());
            Map<String, Object> extra = JSON.convertValue(c.get("extra"), Map.class);
            out.add(Arguments.of(file, sources.read(file), expected, setup, extra));
        }
        return out.stream();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ReferenceRenderingTest.class.getResourceAsStream("/" + name)) {
            if (in == null) throw new IllegalStateException("missing test resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
