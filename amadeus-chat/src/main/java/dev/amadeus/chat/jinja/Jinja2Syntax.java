package dev.amadeus.chat.jinja;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites, inside tags and expressions only, two Jinja2 constructs jinjava reads differently:
 * <ul>
 * <li>In Jinja2 {@code not} binds looser than a test, so {@code not x is defined} means
 * {@code not (x is defined)}, while jinjava reads {@code (not x) is defined}, which is always true:
 * {@code not OPERAND is [not] TEST} (an argument-free test on a variable, attribute or subscript, as templates
 * write it) gets the parentheses Jinja2 implies.</li>
 * <li>jinjava has no slice step: {@code OPERAND[::-1]} (Qwen's templates walk {@code messages[::-1]}) becomes
 * {@code (OPERAND|amadeus_reverse_slice)}.</li>
 * </ul>
 */
final class Jinja2Syntax {
    private Jinja2Syntax() {
    }

    private static final Pattern TAG = Pattern.compile("\\{[{%].*?[}%]\\}", Pattern.DOTALL);
    private static final Pattern NOT_TEST = Pattern.compile(
            "\\bnot\\s+([A-Za-z_][\\w.]*(?:\\[[^\\]\\[]*\\][\\w.]*)*)\\s+is\\s+(not\\s+)?"
                    + "(defined|undefined|none|string|mapping|iterable|sequence|number|integer|float|boolean|true|false|callable|lower|upper|odd|even)\\b");

    private static final Pattern REVERSED = Pattern.compile("([A-Za-z_][\\w.]*(?:\\[[^\\]\\[]*\\][\\w.]*)*)\\[\\s*:\\s*:\\s*-1\\s*\\]");

    static String adapt(String source) {
        Matcher tags = TAG.matcher(source);
        StringBuilder out = new StringBuilder();
        while (tags.find()) {
            String tag = tags.group();
            String fixed = NOT_TEST.matcher(tag).replaceAll(m -> Matcher.quoteReplacement(
                    "not (" + m.group(1) + " is " + (m.group(2) == null ? "" : "not ") + m.group(3) + ")"));
            fixed = REVERSED.matcher(fixed).replaceAll(m -> Matcher.quoteReplacement("(" + m.group(1) + "|" + ReverseSliceFilter.NAME + ")"));
            tags.appendReplacement(out, Matcher.quoteReplacement(fixed));
        }
        tags.appendTail(out);
        return out.toString();
    }
}
