package dev.amadeus.chat.jinja;

import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.expression.ExpressionStrategy;
import com.hubspot.jinjava.mode.ExecutionMode;
import com.hubspot.jinjava.objects.SafeString;
import com.hubspot.jinjava.tree.output.RenderedOutputNode;
import com.hubspot.jinjava.tree.parse.ExpressionToken;

import java.util.Iterator;
import java.util.Map;

/**
 * Prints {@code {{ ... }}} values as Python's {@code str()} does, where jinjava prints Java's: {@code True} and
 * {@code False}, floats as {@code repr(float)}, lists and dicts with Python reprs inside ({@code ['a', True,
 * None]}). A lone null prints nothing, as an undefined variable does in Jinja2: jinjava does not tell undefined
 * from {@code none}, and templates print the former far more often.
 */
final class PythonOutput implements ExpressionStrategy {

    /** Installs this output on every render. */
    static final class Mode implements ExecutionMode {
        @Override
        public void prepareContext(Context context) {
            context.setExpressionStrategy(new PythonOutput());
        }
    }

    @Override
    public RenderedOutputNode interpretOutput(ExpressionToken token, JinjavaInterpreter interpreter) {
        Object value = interpreter.resolveELExpression(token.getExpr(), token.getLineNumber());
        return new RenderedOutputNode(str(value));
    }

    static String str(Object v) {
        if (v == null) return "";
        if (v instanceof String || v instanceof SafeString) return v.toString();
        return repr(v);
    }

    private static String repr(Object v) {
        if (v == null) return "None";
        if (v instanceof Boolean b) return b ? "True" : "False";
        if (v instanceof Double || v instanceof Float) return PythonJson.pythonFloat(((Number) v).doubleValue());
        if (v instanceof Number n) return n.toString();
        if (v instanceof String || v instanceof SafeString) return stringRepr(v.toString());
        if (v instanceof Map<?, ?> map) {
            StringBuilder out = new StringBuilder("{");
            Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                out.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                if (it.hasNext()) out.append(", ");
            }
            return out.append('}').toString();
        }
        if (v instanceof Iterable<?> items) {
            StringBuilder out = new StringBuilder("[");
            Iterator<?> it = items.iterator();
            while (it.hasNext()) {
                out.append(repr(it.next()));
                if (it.hasNext()) out.append(", ");
            }
            return out.append(']').toString();
        }
        return v.toString();
    }

    /** Python's {@code repr(str)}: single quotes unless the text has one and no double quote. */
    private static String stringRepr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder().append(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c == quote) out.append('\\').append(c);
                    else if (c < 0x20 || c == 0x7f) out.append(String.format("\\x%02x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append(quote).toString();
    }
}
