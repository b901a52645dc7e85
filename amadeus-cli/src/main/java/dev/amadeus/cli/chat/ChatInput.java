package dev.amadeus.cli.chat;

import java.io.Closeable;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/** Where the chat's user turns come from: a terminal with line editing, or plain lines from a pipe or file. */
public interface ChatInput extends Closeable {

    /**
     * The next input, possibly spanning lines (a line ending in a backslash continues on the next), or null at
     * the end of input (Ctrl-D).
     */
    String read();

    /**
     * Runs {@code answer} with a cancellation flag that Ctrl-C raises, so an interrupt stops the answer and not
     * the program.
     */
    <T> T whileAnswering(Function<BooleanSupplier, T> answer);

    /** Whether a person is typing (then prompts and greetings are shown). */
    boolean interactive();

    /** Joins lines that end in a backslash: the backslash becomes a newline. */
    static String joinContinuations(String text) {
        return text.replace("\\\r\n", "\n").replace("\\\n", "\n");
    }
}
