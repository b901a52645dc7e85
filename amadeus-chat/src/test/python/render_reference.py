#!/usr/bin/env python3
"""Renders each Jinja chat template in a directory the way Hugging Face transformers does, to reference files.

transformers compiles chat templates in an immutable sandbox with trim_blocks and lstrip_blocks on, the
loopcontrols extension, a tojson filter that keeps non-ASCII characters, and the globals raise_exception and
strftime_now; it passes messages, tools (None when absent), documents, add_generation_prompt and the special
tokens. We fix the date and the BOS/EOS strings so the output is reproducible.

Some templates are written for one serving stack and need more than the conversation: the tool-use ones
loop over `tools` without checking it (transformers picks them only when tools are given), and
firefunction-v2 reads `functions` and `datetime`. EXTRA gives those their variables; cases.json records
every case so the Java test renders the same one.

Usage: render_reference.py TEMPLATE_DIR OUTPUT_DIR   (writes NAME.txt for each NAME.jinja, and cases.json)

The references in amadeus-chat/src/test/resources come from, run in the repository root:
  render_reference.py ../shared/testdata/templates amadeus-chat/src/test/resources/templates
  render_reference.py amadeus-chat/src/main/resources/dev/amadeus/chat/templates amadeus-chat/src/test/resources/builtin
"""
import datetime
import json
import pathlib
import sys

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

# The conversation every reference renders; ChatTemplateReferenceTest uses the same one.
MESSAGES = [
    {"role": "system", "content": "You are a terse assistant. Answer in one sentence."},
    {"role": "user", "content": "What is the capital of France?"},
    {"role": "assistant", "content": "  The capital of France is Paris.  "},
    {"role": "user", "content": "And of Japan? Answer with \"quotes\" & café."},
]
BOS = "<s>"
EOS = "</s>"
NOW = datetime.datetime(2024, 7, 26, 13, 5, 9)
DATE_STRING = "26 Jul 2024"


# Variables beyond the common ones, for the templates that cannot render without them.
EXTRA = {
    "CohereForAI-c4ai-command-r-plus-tool_use": {"tools": []},
    "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use": {"tools": []},
    "NousResearch-Hermes-3-Llama-3.1-8B-tool_use": {"tools": []},
    "fireworks-ai-llama-3-firefunction-v2": {"functions": "[]", "datetime": "2024-07-26 13:05:09"},
}


class TemplateError(Exception):
    pass


def raise_exception(message):
    raise TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return NOW.strftime(fmt)


def render(source, extra):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    template = env.from_string(source)
    variables = dict(messages=MESSAGES, tools=None, documents=None, add_generation_prompt=True,
                     bos_token=BOS, eos_token=EOS, date_string=DATE_STRING)
    variables.update(extra)
    return template.render(**variables)


def main():
    src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    cases = []
    for path in sorted(src.glob("*.jinja")):
        extra = EXTRA.get(path.stem, {})
        text = render(path.read_text(encoding="utf-8"), extra)
        (out / (path.stem + ".txt")).write_text(text, encoding="utf-8", newline="")
        cases.append({"template": path.name, "expected": path.stem + ".txt", "extra": extra})
        print(f"{path.name}: {len(text)} characters")
    (out / "cases.json").write_text(json.dumps({
        "messages": MESSAGES, "bos_token": BOS, "eos_token": EOS,
        "now": NOW.isoformat(), "date_string": DATE_STRING, "cases": cases,
    }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
