package dev.amadeus.chat.jinja;

import dev.amadeus.AmadeusException;
import dev.amadeus.chat.ChatMessage;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Jinja2 features chat templates rely on; every expected string is what Python's Jinja2 3.1 prints. */
class JinjaChatTemplateTest {
    private static final Clock JULY_26_2024 = Clock.fixed(LocalDateTime.of(2024, 7, 26, 13, 5, 9).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
    private static final List<ChatMessage> CHAT = List.of(ChatMessage.system("S"), ChatMessage.user("U"));

    private static String render(String source) {
        return new JinjaChatTemplate(source, "<s>", "</s>", JULY_26_2024).render(CHAT, true);
    }

    @Test
    void pythonStringMethods() {
        assertEquals("a b|hi|a|a|Hello World|ABCabc", render(
                "{{ '  a b  '.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ '  a'.lstrip() }}|{{ 'a  '.rstrip() }}|{{ 'hello world'.title() }}|{{ 'Abc'.upper() }}{{ 'Abc'.lower() }}"));
        assertEquals("['a', 'b', '', 'c']|['a', 'b']|['a', 'b-c']|a-b-", render(
                "{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a-b-c'.split('-', 1) }}|{{ 'aXbX'.replace('X', '-') }}"));
        assertEquals("yes yes no", render(
                "{{ 'yes' if 'tool_x'.startswith('tool') }} {{ 'yes' if 'x.json'.endswith(('.txt', '.json')) }} {{ 'yes' if 'ab'.startswith('b') else 'no' }}"));
    }

    @Test
    void loopControlsAndNamespaces() {
        assertEquals("023", render("{% for i in range(6) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}"));
        assertEquals("3c", render("{% set ns = namespace(count=0, last='') %}{% for m in ['a', 'b', 'c'] %}{% set ns.count = ns.count + 1 %}{% set ns.last = m %}{% endfor %}{{ ns.count }}{{ ns.last }}"));
        assertEquals("1:system,2:user2U", render("{% for m in messages %}{{ loop.index }}:{{ m.role }}{% if not loop.last %},{% endif %}{% endfor %}{{ messages | length }}{{ messages[-1]['content'] }}"));
    }

    @Test
    void tojsonIsPythonsJsonDumps() {
        assertEquals("{\"name\": \"f\", \"args\": [1, 2.5, 1e-05, \"é\\\"\\n\", null, true, false]}",
                render("{{ {'name': 'f', 'args': [1, 2.5, 1e-05, 'é\"\\n', none, true, false]} | tojson }}"));
        assertEquals("{\n  \"a\": [],\n  \"b\": 1\n}", render("{{ {'b': 1, 'a': []} | tojson(indent=2, sort_keys=true) }}"));
    }

    @Test
    void datesComeFromTheClock() {
        assertEquals("26 Jul 2024, Friday July 26 13:05:09 208|26 Jul 2024",
                render("{{ strftime_now('%d %b %Y, %A %B %-d %H:%M:%S %j') }}|{{ date_string }}"));
    }

    @Test
    void notBindsLooserThanATest() {
        assertEquals("undefined|bos", render("{% if not undefined_thing is defined %}undefined{% endif %}|{% if not bos_token is none %}bos{% endif %}"));
    }

    @Test
    void trimBlocksAndLstripBlocksAsTransformersSetsThem() {
        assertEquals("    a  b\n  c  \nd", render("{%- if true %}\n    a\n{%- endif %}\n{% if true %}\n  b\n{% endif %}\n  {{ 'c' }}  \n{# note #}\nd"));
    }

    @Test
    void valuesPrintAsPythonPrintsThem() {
        assertEquals("[True, None, \"it's\", {'a': False}]|True|1.5|2.5|3.0|1e+20",
                render("{{ [true, none, \"it's\", {'a': false}] }}|{{ messages | length > 1 }}|{{ 1.5 }}|{{ 10 / 4 }}|{{ 3.0 }}|{{ 1e20 }}"));
    }

    @Test
    void reversedSlices() {
        assertEquals("usersystem|U", render("{% for m in messages[::-1] %}{{ m.role }}{% endfor %}|{{ messages[1].content[::-1] }}"));
        assertEquals("cba", render("{% set s = 'abc' %}{{ s[::-1] }}"));
    }

    @Test
    void filterBlocks() {
        assertEquals("[x y]", render("[{% filter trim %}  x y \n{% endfilter %}]"));
    }

    @Test
    void raiseExceptionBecomesOneLine() {
        AmadeusException e = assertThrows(AmadeusException.class,
                () -> render("{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"));
        assertEquals("chat template: System role not supported", e.getMessage());
    }

    @Test
    void syntaxErrorsNameTheLine() {
        AmadeusException e = assertThrows(AmadeusException.class, () -> render("ok\n{% if %}"));
        assertEquals("chat template error at line 2: Syntax error in '{% if %}': Tag 'if' expects expression", e.getMessage());
    }
}
