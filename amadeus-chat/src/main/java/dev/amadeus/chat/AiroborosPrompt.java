package dev.amadeus.chat;

import dev.amadeus.AmadeusException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A closed-context question for Airoboros models: input blocks, each with optional metadata, then the
 * instructions, which the model answers from those inputs alone (citing the metadata when asked).
 * <pre>
 * BEGININPUT
 * BEGINCONTEXT
 * date: 2021-01-01
 * url: https://web.site/123
 * ENDCONTEXT
 * Blueberries are now green.
 * ENDINPUT
 * BEGININSTRUCTION
 * What color are blueberries? Source?
 * ENDINSTRUCTION
 * </pre>
 * The text goes in one user message ({@link #toMessage()}) of the {@code airoboros} built-in chat template.
 */
public final class AiroborosPrompt {
    private static final List<String> DELIMITERS = List.of(
            "BEGININPUT", "ENDINPUT", "BEGINCONTEXT", "ENDCONTEXT", "BEGININSTRUCTION", "ENDINSTRUCTION");

    /** One input block: its text and its metadata lines, in order. */
    public record Input(String text, List<Map.Entry<String, String>> context) {
    }

    private final List<Input> inputs;
    private final List<String> instructions;

    private AiroborosPrompt(List<Input> inputs, List<String> instructions) {
        this.inputs = List.copyOf(inputs);
        this.instructions = List.copyOf(instructions);
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<Input> inputs() {
        return inputs;
    }

    public List<String> instructions() {
        return instructions;
    }

    /** The prompt text: every input block, then one instruction block with the instructions a line each. */
    public String text() {
        StringBuilder out = new StringBuilder();
        for (Input input : inputs) {
            out.append("BEGININPUT\n");
            if (!input.context().isEmpty()) {
                out.append("BEGINCONTEXT\n");
                for (Map.Entry<String, String> e : input.context()) out.append(e.getKey()).append(": ").append(e.getValue()).append('\n');
                out.append("ENDCONTEXT\n");
            }
            out.append(input.text()).append("\nENDINPUT\n");
        }
        out.append("BEGININSTRUCTION\n");
        for (String instruction : instructions) out.append(instruction).append('\n');
        return out.append("ENDINSTRUCTION").toString();
    }

    /** The prompt as a user message. */
    public ChatMessage toMessage() {
        return ChatMessage.user(text());
    }

    @Override
    public String toString() {
        return text();
    }

    /** Collects input blocks and instructions; {@link #build()} checks that they keep the format readable. */
    public static final class Builder {
        private final List<Input> inputs = new ArrayList<>();
        private final List<String> instructions = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds an input block with {@code text} and metadata given as key, value pairs
         * ({@code "date", "2021-01-01", "url", "https://..."}), printed in that order.
         */
        public Builder input(String text, String... contextKeysAndValues) {
            if (contextKeysAndValues.length % 2 != 0) {
                throw new AmadeusException("airoboros input context needs key, value pairs; got an odd number of strings");
            }
            List<Map.Entry<String, String>> context = new ArrayList<>();
            for (int i = 0; i < contextKeysAndValues.length; i += 2) {
                String key = contextKeysAndValues[i].strip();
                String value = contextKeysAndValues[i + 1].strip();
                if (key.isEmpty() || key.contains(":") || key.contains("\n")) {
                    throw new AmadeusException("airoboros context key '" + key + "' must be non-empty and hold no ':' or line break");
                }
                if (value.contains("\n")) throw new AmadeusException("airoboros context value of '" + key + "' must be one line");
                context.add(Map.entry(key, value));
            }
            inputs.add(new Input(checkedBlock("input", text), List.copyOf(context)));
            return this;
        }

        /** Adds one instruction (a question or task about the inputs). */
        public Builder instruction(String instruction) {
            instructions.add(checkedBlock("instruction", instruction));
            return this;
        }

        public AiroborosPrompt build() {
            if (instructions.isEmpty()) throw new AmadeusException("an airoboros prompt needs at least one instruction");
            return new AiroborosPrompt(inputs, instructions);
        }

        private static String checkedBlock(String what, String text) {
            String s = text.strip();
            if (s.isEmpty()) throw new AmadeusException("airoboros " + what + " text is empty");
            for (String line : s.split("\n")) {
                if (DELIMITERS.contains(line.strip())) {
                    throw new AmadeusException("airoboros " + what + " text contains the delimiter line " + line.strip());
                }
            }
            return s;
        }
    }
}
