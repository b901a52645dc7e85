package dev.amadeus.chat.jinja;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * Python's {@code datetime.strftime} in the C locale, for the {@code strftime_now} function templates call to
 * print today's date (e.g. Llama 3.1's {@code strftime_now("%d %b %Y")}).
 */
final class Strftime {
    private Strftime() {
    }

    static String format(LocalDateTime t, String pattern) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 == pattern.length()) {
                out.append(c);
                continue;
            }
            char f = pattern.charAt(++i);
            boolean noPad = f == '-' && i + 1 < pattern.length(); // glibc's %-d: no zero padding
            if (noPad) f = pattern.charAt(++i);
            out.append(field(t, f, noPad));
        }
        return out.toString();
    }

    private static String field(LocalDateTime t, char f, boolean noPad) {
        return switch (f) {
            case 'd' -> pad(t.getDayOfMonth(), 2, noPad);
            case 'm' -> pad(t.getMonthValue(), 2, noPad);
            case 'Y' -> Integer.toString(t.getYear());
            case 'y' -> pad(t.getYear() % 100, 2, noPad);
            case 'H' -> pad(t.getHour(), 2, noPad);
            case 'I' -> pad(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, 2, noPad);
            case 'M' -> pad(t.getMinute(), 2, noPad);
            case 'S' -> pad(t.getSecond(), 2, noPad);
            case 'p' -> t.getHour() < 12 ? "AM" : "PM";
            case 'j' -> pad(t.getDayOfYear(), 3, noPad);
            case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
            case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
            case 'e' -> String.format("%2d", t.getDayOfMonth());
            case 'F' -> format(t, "%Y-%m-%d");
            case 'T' -> format(t, "%H:%M:%S");
            case '%' -> "%";
            default -> "%" + f;
        };
    }

    private static String pad(int v, int width, boolean noPad) {
        String s = Integer.toString(v);
        return noPad || s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
