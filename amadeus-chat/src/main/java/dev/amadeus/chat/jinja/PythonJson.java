package dev.amadeus.chat.jinja;

import com.hubspot.jinjava.objects.SafeString;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps} as transformers' {@code tojson} filter calls it ({@code ensure_ascii=False} by
 * default, optional {@code indent}, {@code separators} and {@code sort_keys}): templates print tool schemas and
 * arguments with it, and the model was trained on exactly that spacing ({@code ", "} and {@code ": "}).
 */
final class PythonJson {
    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;
    private final boolean ensureAscii;

    PythonJson(Integer indent, String itemSeparator, String keySeparator, boolean sortKeys, boolean ensureAscii) {
        this.indent = indent == null ? null : " ".repeat(Math.max(0, indent));
        this.itemSeparator = itemSeparator != null ? itemSeparator : indent == null ? ", " : ",";
        this.keySeparator = keySeparator != null ? keySeparator : ": ";
        this.sortKeys = sortKeys;
        this.ensureAscii = ensureAscii;
    }

    String dumps(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, 0);
        return out.toString();
    }

    private void write(Object v, StringBuilder out, int depth) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (v instanceof String || v instanceof SafeString || v instanceof Character) {
            string(v.toString(), out);
        } else if (v instanceof Double || v instanceof Float) {
            out.append(pythonFloat(((Number) v).doubleValue()));
        } else if (v instanceof BigDecimal d) {
            out.append(pythonFloat(d.doubleValue()));
        } else if (v instanceof Number n) {
            out.append(n.longValue());
        } else if (v instanceof Map<?, ?> map) {
            object(map, out, depth);
        } else if (v instanceof Iterable<?> items) {
            List<Object> list = new ArrayList<>();
            items.forEach(list::add);
            array(list, out, depth);
        } else if (v instanceof Object[] items) {
            array(List.of(items), out, depth);
        } else {
            string(v.toString(), out);
        }
    }

    private void object(Map<?, ?> map, StringBuilder out, int depth) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
        if (sortKeys) entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
        out.append('{');
        Iterator<Map.Entry<?, ?>> it = entries.iterator();
        while (it.hasNext()) {
            Map.Entry<?, ?> e = it.next();
            newline(out, depth + 1);
            string(String.valueOf(e.getKey()), out);
            out.append(keySeparator);
            write(e.getValue(), out, depth + 1);
            if (it.hasNext()) out.append(itemSeparator);
        }
        newline(out, depth);
        out.append('}');
    }

    private void array(List<?> list, StringBuilder out, int depth) {
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
            newline(out, depth + 1);
            write(list.get(i), out, depth + 1);
            if (i + 1 < list.size()) out.append(itemSeparator);
        }
        newline(out, depth);
        out.append(']');
    }

    private void newline(StringBuilder out, int depth) {
        if (indent != null) out.append('\n').append(indent.repeat(depth));
    }

    private void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }

    /** Python's {@code repr(float)}: shortest round-trip digits, exponent form outside [1e-4, 1e16). */
    static String pythonFloat(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (d == Math.rint(d) && Math.abs(d) < 1e16) return String.format("%.1f", d);
        BigDecimal shortest = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        double abs = Math.abs(d);
        if (abs >= 1e-4 && abs < 1e16) return shortest.toPlainString();
        String unscaled = shortest.unscaledValue().abs().toString();
        int exponent = unscaled.length() - 1 - shortest.scale();
        String mantissa = unscaled.length() == 1 ? unscaled : unscaled.charAt(0) + "." + unscaled.substring(1);
        return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }
}
