package dev.amadeus.cli;

import java.io.PrintStream;

/**
 * A one-line progress bar on stderr, redrawn in place with a carriage return; it is redrawn only when
 * the shown figures change, so a long run writes a few hundred updates at most.
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintStream err;
    private final long total;
    private String last = "";

    ProgressBar(PrintStream err, long total) {
        this.err = err;
        this.total = Math.max(1, total);
    }

    void update(long done, String label) {
        int permille = (int) (1000 * Math.min(done, total) / total);
        int filled = permille * WIDTH / 1000;
        String line = "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] "
                + String.format("%5.1f%%", permille / 10.0) + " " + label;
        if (line.equals(last)) return;
        // Pad over the rest of a longer previous line.
        err.print("\r" + line + " ".repeat(Math.max(0, last.length() - line.length())));
        err.flush();
        last = line;
    }

    void finish() {
        if (!last.isEmpty()) err.println();
        err.flush();
    }
}
