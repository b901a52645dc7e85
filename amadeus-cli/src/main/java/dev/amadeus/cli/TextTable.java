package dev.amadeus.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A Markdown table with aligned columns: left-aligned text, right-aligned numbers. */
final class TextTable {
    private final String[] header;
    private final boolean[] right;
    private final List<String[]> rows = new ArrayList<>();

    TextTable(String[] header, boolean[] right) {
        this.header = header;
        this.right = right;
    }

    void add(String... cells) {
        rows.add(cells);
    }

    void print(PrintStream out) {
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = Math.max(3, header[i].length());
            for (String[] row : rows) width[i] = Math.max(width[i], row[i].length());
        }
        out.println(line(header, width));
        StringBuilder rule = new StringBuilder("|");
        for (int i = 0; i < header.length; i++) {
            rule.append(' ').append("-".repeat(width[i] - (right[i] ? 1 : 0))).append(right[i] ? ":" : "").append(" |");
        }
        out.println(rule);
        for (String[] row : rows) out.println(line(row, width));
    }

    private String line(String[] cells, int[] width) {
        StringBuilder b = new StringBuilder("|");
        for (int i = 0; i < cells.length; i++) {
            String format = right[i] ? "%" + width[i] + "s" : "%-" + width[i] + "s";
            b.append(' ').append(String.format(format, cells[i])).append(" |");
        }
        return b.toString();
    }
}
