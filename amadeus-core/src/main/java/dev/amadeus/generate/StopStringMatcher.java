package dev.amadeus.generate;

import java.util.List;

/**
 * Finds stop strings in streamed text and tells how much text is safe to show: text that could still
 * turn out to be the start of a stop string is held back until the next tokens decide.
 */
public final class StopStringMatcher {
    private final List<String> stops;
    private final StringBuilder text = new StringBuilder();
    private int released;

    public StopStringMatcher(List<String> stops) {
        this.stops = stops;
    }

    /** Appends decoded text; returns true when a stop string is now complete. */
    public boolean append(String piece) {
        text.append(piece);
        return stopIndex() >= 0;
    }

    /** Position of the earliest complete stop string, or -1. */
    private int stopIndex() {
        int best = -1;
        for (String s : stops) {
            int i = text.indexOf(s, Math.max(0, released - s.length()));
            if (i >= 0 && (best < 0 || i < best)) best = i;
        }
        return best;
    }

    /** Text that can be shown now: everything that cannot be part of a stop string. Advances the release point. */
    public String releasable() {
        int end = text.length();
        int stop = stopIndex();
        if (stop >= 0) {
            end = stop;
        } else {
            for (String s : stops) {
                for (int k = Math.min(s.length() - 1, text.length()); k > 0; k--) {
                    if (text.substring(text.length() - k).equals(s.substring(0, k))) {
                        end = Math.min(end, text.length() - k);
                        break;
                    }
                }
            }
        }
        end = Math.max(end, released);
        String out = text.substring(released, end);
        released = end;
        return out;
    }

    /** The whole text up to (not including) the first stop string. */
    public String finalText() {
        int stop = stopIndex();
        return stop >= 0 ? text.substring(0, stop) : text.toString();
    }

    /** Releases everything left when generation ends without a stop string. */
    public String flush() {
        String out = text.substring(released);
        released = text.length();
        return out;
    }
}
