package dev.amadeus.chat.jinja;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.amadeus.AmadeusException;
import dev.amadeus.chat.ChatMessage;
import dev.amadeus.chat.ChatTemplate;
import jinjava.javax.el.CompositeELResolver;

import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face style chat template (Jinja source, as in a GGUF file's {@code tokenizer.chat_template}) rendered
 * the way transformers renders it: {@code trim_blocks} and {@code lstrip_blocks} on, loop controls, and the
 * variables and functions transformers provides ({@code messages}, {@code add_generation_prompt},
 * {@code bos_token}, {@code eos_token}, {@code tools} (none), {@code raise_exception}, {@code strftime_now},
 * a {@code tojson} that matches Python's {@code json.dumps}), plus {@code date_string} (today, as Llama 3.1's
 * template prints it) which some serving stacks pass. jinjava runs the template; where it differs from Jinja2,
 * {@link Jinja2Syntax} rewrites the source, {@link PythonStringMethods}, {@link PythonJson} and
 * {@link PythonOutput} give Python's string methods, JSON and printing, and {@link FilterBlockTag} adds
 * {@code {% filter %}}. Known gaps: a nested dict literal whose two closing braces meet ends an expression
 * early, and {@code str * int}, {@code %} formatting and slice steps other than {@code [::-1]} are
 * not supported; none of the reference templates uses them.
 */
public final class JinjaChatTemplate implements ChatTemplate {
    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final Clock clock;
    private final Jinjava jinjava;

    public JinjaChatTemplate(String source, String bosToken, String eosToken) {
        this(source, bosToken, eosToken, Clock.systemDefaultZone());
    }

    /** With a fixed {@code clock}, {@code strftime_now} and {@code date_string} are reproducible. */
    public JinjaChatTemplate(String source, String bosToken, String eosToken, Clock clock) {
        this.source = Jinja2Syntax.adapt(source);
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.clock = clock;
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                .withTimeZone(clock.getZone())
                .withDateTimeProvider(clock::millis)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUsePyishObjectMapper(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withKeepNullableLoopValues(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withHandleBackslashInQuotesOnly(true)
                        .build())
                .withExecutionMode(new PythonOutput.Mode())
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(50)
                .build();
        jinjava = new Jinjava(config);
        try {
            jinjava.registerFunction(new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class, "raiseException", Object.class));
            jinjava.registerFunction(new ELFunctionDefinition("", "strftime_now", TemplateFunctions.class, "strftimeNow", String.class));
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot register the chat template functions", e);
        }
        jinjava.registerFilter(new ToJsonFilter());
        jinjava.registerFilter(new ReverseSliceFilter());
        jinjava.registerTag(new FilterBlockTag());
    }

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * Renders with {@code extraVariables} added to (or replacing) the standard ones, e.g. {@code tools} for a
     * template that expects a list of tool schemas.
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> extraVariables) {
        Map<String, Object> vars = new HashMap<>();
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            msgs.add(map);
        }
        vars.put("messages", msgs);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", bosToken);
        vars.put("eos_token", eosToken);
        vars.put("tools", null);
        vars.put("documents", null);
        vars.put("date_string", Strftime.format(LocalDateTime.now(clock), "%d %b %Y"));
        vars.putAll(extraVariables);
        RenderResult result = jinjava.renderForResult(source, vars);
        // jinjava records errors and renders on; a template that raised, or one that does not parse, has no prompt.
        for (TemplateError e : result.getErrors()) {
            for (Throwable t = e.getException(); t != null; t = t.getCause()) {
                if (t instanceof TemplateFunctions.TemplateRaisedException) throw new AmadeusException("chat template: " + t.getMessage());
            }
        }
        for (TemplateError e : result.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new AmadeusException("chat template error at line " + e.getLineno() + ": " + e.getMessage());
            }
        }
        return result.getOutput();
    }
}
