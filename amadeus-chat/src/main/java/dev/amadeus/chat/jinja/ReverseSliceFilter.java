package dev.amadeus.chat.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Python's {@code value[::-1]} ({@link Jinja2Syntax} rewrites the slice to this filter): a string or a list reversed. */
final class ReverseSliceFilter implements Filter {
    static final String NAME = "amadeus_reverse_slice";

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        if (var == null) return null;
        if (var instanceof CharSequence s) return new StringBuilder(s).reverse().toString();
        List<Object> items = new ArrayList<>();
        if (var instanceof Iterable<?> it) it.forEach(items::add);
        else if (var instanceof Object[] array) items.addAll(List.of(array));
        else return var;
        Collections.reverse(items);
        return items;
    }
}
