package dev.amadeus.cli;

import java.io.PrintStream;

/**
 * A progress bar on stderr, redrawn in place with a carriage return when its figures change. A step of
 * the work (one method and context, one prompt length) ends its line with {@link #endStep()}: the
 * launcher passes stderr on line by line, and there the finished steps still show as they complete.
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

    /** Keeps the bar as it stands on its own line; the next update starts a new one. */
    void endStep() {
        if (!last.isEmpty()) err.println();
        err.flush();
        last = "";
    }

    void finish() {
        endStep();
    }
}
