package dev.amadeus.cli.chat;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * User turns typed at a terminal, with JLine's line editing and a history kept in {@code ~/.amadeus_history}.
 * A line ending in a backslash continues on the next; pasted text keeps its newlines (bracketed paste).
 * Ctrl-C clears the line being typed, or stops an answer being written; Ctrl-D on an empty line quits.
 */
public final class TerminalInput implements ChatInput {
    private final Terminal terminal;
    private final LineReader reader;

    public TerminalInput() {
        try {
            terminal = TerminalBuilder.builder().system(true).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DefaultParser parser = new DefaultParser();
        parser.setEofOnEscapedNewLine(true); // a trailing backslash asks for another line
        reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("amadeus")
                .parser(parser)
                .variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".amadeus_history"))
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, "... ")
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // '!' is text, not history expansion
                .build();
    }

    @Override
    public String read() {
        while (true) {
            try {
                return ChatInput.joinContinuations(reader.readLine("> "));
            } catch (UserInterruptException e) {
                // Ctrl-C while typing: drop the line and ask again
            } catch (EndOfFileException e) {
                return null;
            }
        }
    }

    @Override
    public <T> T whileAnswering(Function<BooleanSupplier, T> answer) {
        AtomicBoolean cancelled = new AtomicBoolean();
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> cancelled.set(true));
        try {
            return answer.apply(cancelled::get);
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
        }
    }

    @Override
    public boolean interactive() {
        return true;
    }

    @Override
    public void close() throws IOException {
        reader.getHistory().save();
        terminal.close();
    }
}
