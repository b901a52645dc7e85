package dev.amadeus.chat.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateSyntaxException;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;

/**
 * Jinja2's {@code {% filter NAME %}...{% endfilter %}}, which jinjava lacks: renders the body and passes it
 * through one filter without arguments (firefunction-v2's template trims a block this way).
 */
final class FilterBlockTag implements Tag {
    @Override
    public String getName() {
        return "filter";
    }

    @Override
    public String getEndTagName() {
        return "endfilter";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
        String name = tagNode.getHelpers().strip();
        Filter filter = interpreter.getContext().getFilter(name);
        if (filter == null) {
            throw new TemplateSyntaxException(interpreter, tagNode.getMaster().getImage(), "unknown filter '" + name + "'");
        }
        StringBuilder body = new StringBuilder();
        for (Node child : tagNode.getChildren()) body.append(child.render(interpreter).getValue());
        return String.valueOf(filter.filter(body.toString(), interpreter));
    }
}
