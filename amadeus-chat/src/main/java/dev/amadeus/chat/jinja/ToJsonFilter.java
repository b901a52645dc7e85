package dev.amadeus.chat.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;

import java.util.List;
import java.util.Map;

/** {@code tojson} as transformers defines it for chat templates: Python's {@code json.dumps}, non-ASCII kept. */
final class ToJsonFilter implements Filter {
    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, (Object[]) args, Map.of());
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
        String itemSeparator = null;
        String keySeparator = null;
        if (kwargs.get("separators") instanceof List<?> seps && seps.size() == 2) {
            itemSeparator = String.valueOf(seps.get(0));
            keySeparator = String.valueOf(seps.get(1));
        }
        boolean sortKeys = Boolean.TRUE.equals(kwargs.get("sort_keys"));
        boolean ensureAscii = Boolean.TRUE.equals(kwargs.get("ensure_ascii"));
        Integer indentWidth = indent instanceof Number n ? n.intValue() : null;
        return new PythonJson(indentWidth, itemSeparator, keySeparator, sortKeys, ensureAscii).dumps(var);
    }
}
