package dev.amadeus.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into the words byte-level BPE works on, as llama.cpp's {@code unicode_regex_split} does:
 * a cascade of patterns, where every pattern splits every chunk left by the previous one into its matches
 * <em>and</em> the unmatched gaps between them (gaps are kept as chunks of their own).
 *
 * <p>The GPT-2 and Llama-3 patterns are recognised and run by hand-written splitters, as llama.cpp does;
 * every other pattern runs on {@link java.util.regex}. Before a pattern runs, non-ASCII whitespace is
 * replaced by U+000B, because llama.cpp's {@code std::regex} only knows ASCII whitespace and performs the
 * same substitution; so a character class listing U+3000 does not match an ideographic space there, and
 * must not here either.
 */
final class PreTokenizer {
    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** The spelling of {@link #LLAMA3} found in tokenizer.json files; the same splitter serves both. */
    static final String LLAMA3_CASE_INSENSITIVE = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private sealed interface Rule permits Gpt2Rule, Llama3Rule, RegexRule {
    }

    private record Gpt2Rule() implements Rule {
    }

    private record Llama3Rule() implements Rule {
    }

    private record RegexRule(Pattern pattern) implements Rule {
    }

    private final Rule[] rules;
    private final boolean needsMatchText;

    PreTokenizer(List<String> patterns) {
        this(patterns, true);
    }

    /** With {@code handWritten} false every pattern runs on java.util.regex (to check the splitters against). */
    PreTokenizer(List<String> patterns, boolean handWritten) {
        rules = new Rule[patterns.size()];
        boolean anyRegex = false;
        for (int i = 0; i < rules.length; i++) {
            String p = patterns.get(i);
            if (handWritten && p.equals(GPT2)) {
                rules[i] = new Gpt2Rule();
            } else if (handWritten && (p.equals(LLAMA3) || p.equals(LLAMA3_CASE_INSENSITIVE))) {
                rules[i] = new Llama3Rule();
            } else {
                rules[i] = new RegexRule(Pattern.compile(asLlamaCppClasses(p), Pattern.UNICODE_CHARACTER_CLASS));
                anyRegex = true;
            }
        }
        needsMatchText = anyRegex;
    }

    /**
     * llama.cpp's ASCII table for {@code \p{S}} lists {@code $+<=>^`|} and leaves out '~', so '~' is no
     * symbol to its regex patterns. Nested classes are unioned (and negated as a whole) by java.util.regex.
     */
    private static String asLlamaCppClasses(String pattern) {
        return pattern.replace("\\p{S}", "[\\p{S}&&[^~]]");
    }

    /** The words of {@code text}, in order; their concatenation is the text. */
    List<String> split(String text) {
        if (text.isEmpty()) return List.of();
        int[] cps = text.codePoints().toArray();
        // chunk boundaries as code point lengths, as llama.cpp keeps them
        IntList chunks = new IntList();
        chunks.add(cps.length);
        String matchText = null;
        int[] charOffsets = null;
        int[] cpIndexOfChar = null;
        if (needsMatchText) {
            charOffsets = new int[cps.length + 1];
            cpIndexOfChar = new int[text.length() + 1];
            StringBuilder sb = new StringBuilder(text.length());
            for (int i = 0; i < cps.length; i++) {
                charOffsets[i] = sb.length();
                int cp = cps[i];
                if (cp >= 0x80 && UnicodeClasses.isWhitespace(cp)) sb.append('\u000B');
                else sb.appendCodePoint(cp);
                for (int c = charOffsets[i]; c < sb.length(); c++) cpIndexOfChar[c] = i;
            }
            charOffsets[cps.length] = sb.length();
            cpIndexOfChar[sb.length()] = cps.length;
            matchText = sb.toString();
        }
        for (Rule rule : rules) {
            IntList next = new IntList();
            int start = 0;
            for (int k = 0; k < chunks.size(); k++) {
                int end = start + chunks.get(k);
                switch (rule) {
                    case Gpt2Rule g -> splitGpt2(cps, start, end, next);
                    case Llama3Rule l -> splitLlama3(cps, start, end, next);
                    case RegexRule r -> splitRegex(r.pattern().matcher(matchText), charOffsets, cpIndexOfChar, start, end, next);
                }
                start = end;
            }
            chunks = next;
        }
        List<String> words = new ArrayList<>(chunks.size());
        int start = 0;
        for (int k = 0; k < chunks.size(); k++) {
            int end = start + chunks.get(k);
            words.add(new String(cps, start, end - start));
            start = end;
        }
        return words;
    }

    private static void splitRegex(Matcher m, int[] charOffsets, int[] cpIndexOfChar, int start, int end, IntList out) {
        // A region with opaque, anchoring bounds sees the chunk as the whole input: lookahead stops and
        // '$' matches at its end, as with llama.cpp's per-chunk std::regex_iterator.
        m.region(charOffsets[start], charOffsets[end]);
        int previous = start;
        while (m.find()) {
            int matchStart = cpIndexOfChar[m.start()];
            int matchEnd = cpIndexOfChar[m.end()];
            if (matchEnd == matchStart) continue;
            if (matchStart > previous) out.add(matchStart - previous);
            out.add(matchEnd - matchStart);
            previous = matchEnd;
        }
        if (previous < end) out.add(end - previous);
    }

    private static int flagsAt(int[] cps, int pos, int end) {
        return pos < end ? UnicodeClasses.flags(cps[pos]) : 0;
    }

    /** {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} */
    private static void splitGpt2(int[] cps, int start, int end, IntList out) {
        int pos = start;
        while (pos < end) {
            int cp = cps[pos];
            int flags = UnicodeClasses.flags(cp);
            if (cp == '\'' && pos + 1 < end) {
                int next = cps[pos + 1];
                if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                    out.add(2);
                    pos += 2;
                    continue;
                }
                if (pos + 2 < end) {
                    int nextNext = cps[pos + 2];
                    if ((next == 'r' && nextNext == 'e') || (next == 'v' && nextNext == 'e') || (next == 'l' && nextNext == 'l')) {
                        out.add(3);
                        pos += 3;
                        continue;
                    }
                }
            }
            int wordStart = pos;
            // a single leading ASCII space joins the run that follows it
            int runFlags = cp == ' ' ? flagsAt(cps, pos + 1, end) : flags;
            int runClass = (runFlags & UnicodeClasses.LETTER) != 0 ? UnicodeClasses.LETTER
                    : (runFlags & UnicodeClasses.NUMBER) != 0 ? UnicodeClasses.NUMBER
                    : runFlags != 0 && (runFlags & UnicodeClasses.WHITESPACE) == 0 ? -1 : 0;
            if (runClass != 0) {
                if (cp == ' ') pos++;
                while (pos < end && inRun(UnicodeClasses.flags(cps[pos]), runClass)) pos++;
                out.add(pos - wordStart);
                continue;
            }
            pos = whitespace(cps, pos, end, false);
            out.add(pos - wordStart);
        }
    }

    /** Whether flags belong to a letter run, a number run, or (runClass -1) a run of anything but whitespace, letters and numbers. */
    private static boolean inRun(int flags, int runClass) {
        if (runClass > 0) return (flags & runClass) != 0;
        return (flags & (UnicodeClasses.WHITESPACE | UnicodeClasses.LETTER | UnicodeClasses.NUMBER)) == 0;
    }

    /**
     * The end of the whitespace word starting at {@code pos}: {@code \s*[\r\n]+} when asked to and a line
     * break is in the run, else {@code \s+(?!\S)} (all but the last space when a non-space follows), else
     * {@code \s+}. When no whitespace starts there, the single character is a word.
     */
    private static int whitespace(int[] cps, int pos, int end, boolean lineBreaksEndRun) {
        int run = pos;
        int afterLastLineBreak = -1;
        while (run < end && UnicodeClasses.isWhitespace(cps[run])) {
            if (cps[run] == '\r' || cps[run] == '\n') afterLastLineBreak = run + 1;
            run++;
        }
        if (lineBreaksEndRun && afterLastLineBreak >= 0) return afterLastLineBreak;
        int length = run - pos;
        if (length > 1 && run < end) return run - 1;
        if (length > 0) return run;
        return pos + 1;
    }

    private static int asciiLower(int cp) {
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    }

    /**
     * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}
     * (the case folding is ASCII-only, as in llama.cpp).
     */
    private static void splitLlama3(int[] cps, int start, int end, IntList out) {
        int pos = start;
        while (pos < end) {
            int cp = cps[pos];
            int flags = UnicodeClasses.flags(cp);
            if (cp == '\'' && pos + 1 < end) {
                int next = asciiLower(cps[pos + 1]);
                if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                    out.add(2);
                    pos += 2;
                    continue;
                }
                if (pos + 2 < end) {
                    int nextNext = asciiLower(cps[pos + 2]);
                    if ((next == 'r' && nextNext == 'e') || (next == 'v' && nextNext == 'e') || (next == 'l' && nextNext == 'l')) {
                        out.add(3);
                        pos += 3;
                        continue;
                    }
                }
            }
            int wordStart = pos;
            boolean isNumber = (flags & UnicodeClasses.NUMBER) != 0;
            if (!(cp == '\r' || cp == '\n' || isNumber)
                    && ((flags & UnicodeClasses.LETTER) != 0 || (flagsAt(cps, pos + 1, end) & UnicodeClasses.LETTER) != 0)) {
                pos++;
                while (pos < end && UnicodeClasses.isLetter(cps[pos])) pos++;
                out.add(pos - wordStart);
                continue;
            }
            if (isNumber) {
                while (pos < end && UnicodeClasses.isNumber(cps[pos])) {
                    pos++;
                    if (pos - wordStart == 3) {
                        out.add(3);
                        wordStart = pos;
                    }
                }
                if (pos > wordStart) out.add(pos - wordStart);
                continue;
            }
            int nextFlags = cp == ' ' ? flagsAt(cps, pos + 1, end) : flags;
            if ((nextFlags & (UnicodeClasses.WHITESPACE | UnicodeClasses.LETTER | UnicodeClasses.NUMBER)) == 0) {
                // also taken by a lone space at the chunk's end, which then stands alone as \s+ would give it
                if (cp == ' ') pos++;
                while (pos < end && inRun(UnicodeClasses.flags(cps[pos]), -1)) pos++;
                while (pos < end && (cps[pos] == '\r' || cps[pos] == '\n')) pos++;
                out.add(pos - wordStart);
                continue;
            }
            pos = whitespace(cps, pos, end, true);
            out.add(pos - wordStart);
        }
    }

    /** A growable int array, to keep chunk lengths unboxed. */
    static final class IntList {
        private int[] values = new int[16];
        private int size;

        void add(int v) {
            if (size == values.length) values = Arrays.copyOf(values, size * 2);
            values[size++] = v;
        }

        int get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }

        void truncate(int newSize) {
            size = newSize;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
