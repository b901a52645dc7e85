package dev.amadeus.cli.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/** User turns read line by line from a stream that is not a terminal (a pipe, a file). */
public final class StreamInput implements ChatInput {
    private final BufferedReader reader;

    public StreamInput(InputStream in) {
        this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    @Override
    public String read() {
        try {
            String line = reader.readLine();
            if (line == null) return null;
            StringBuilder text = new StringBuilder(line);
            while (endsWithBackslash(text)) {
                String next = reader.readLine();
                if (next == null) break;
                text.append('\n').append(next);
            }
            return ChatInput.joinContinuations(text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean endsWithBackslash(CharSequence text) {
        return !text.isEmpty() && text.charAt(text.length() - 1) == '\\';
    }

    @Override
    public <T> T whileAnswering(Function<BooleanSupplier, T> answer) {
        return answer.apply(() -> false); // no terminal, no Ctrl-C to catch: an interrupt ends the program
    }

    @Override
    public boolean interactive() {
        return false;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
