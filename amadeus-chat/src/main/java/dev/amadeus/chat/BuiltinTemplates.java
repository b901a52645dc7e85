package dev.amadeus.chat;

import dev.amadeus.chat.jinja.JinjaChatTemplate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The instruction formats Amadeus knows by name, each a Jinja template kept as a resource beside this class
 * ({@code templates/NAME.jinja}) and rendered by the same engine as a model's own template, with the model's
 * BOS and EOS strings. How each folds a system prompt into a format without a system role is written at the
 * top of its file: llama2 wraps it in {@code <<SYS>>} inside the first user turn, mistral puts it before the
 * last user message, and vicuna, alpaca and airoboros let it replace their default system line.
 */
public final class BuiltinTemplates {
    private BuiltinTemplates() {
    }

    /** The names {@code --chat-template} accepts besides a file path. */
    public static final List<String> NAMES = List.of("airoboros", "alpaca", "chatml", "llama2", "llama3", "mistral", "vicuna", "zephyr");

    /** The Jinja source of built-in template {@code name}, if there is one. */
    public static Optional<String> source(String name) {
        if (!NAMES.contains(name)) return Optional.empty();
        try (InputStream in = BuiltinTemplates.class.getResourceAsStream("templates/" + name + ".jinja")) {
            if (in == null) throw new IllegalStateException("built-in template " + name + " is missing from the jar");
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Built-in template {@code name} with the given BOS and EOS strings. */
    public static Optional<ChatTemplate> get(String name, String bosToken, String eosToken) {
        return source(name).map(src -> new JinjaChatTemplate(src, bosToken, eosToken));
    }
}
