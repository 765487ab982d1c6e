"""The last check before anything is written: no generated file may hold a secret value.

datumc emits env var names and `os.environ/NAME` references, never values. A value
still slips in when someone pastes a key where a URL or a parameter belongs. This
stage compares every rendered output with the values of the secret environment
variables datumc can see (the process environment and the project's env file) and
refuses the whole build when one appears, pointing at the datum that holds it.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final

from datumc.diagnostics import Diagnostic
from datumc.load.env_loader import EnvDoc, env_lines, load_env
from datumc.load.stack import Stack
from datumc.plan.model import walk_strings
from datumc.secrets import SECRET_IN_OUTPUT
from datumc.secrets.detect import mask
from datumc.secrets.redact import is_secret_env, remember
from datumc.validate.limits import MAX_ENV_BYTES
from datumc.write.output import Output


def known_secrets(stack: Stack, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Secret values datumc can see: NAME -> value, from the environment and the env file."""
    env = dict(os.environ if environ is None else environ)
    env_file = stack.root / stack.project.proxy.env_file
    doc = load_env(env_file, limit=MAX_ENV_BYTES) if _is_file(env_file) else None
    if isinstance(doc, EnvDoc):
        env.update({e.key: e.value for e in doc.entries})
    found = {name: value for name, value in env.items() if is_secret_env(name, value)}
    remember(found.values())  # and never print one, in any message
    return found


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name over 255 bytes, a symlink loop: no env file to read
        return False


def find_leaks(stack: Stack, outputs: Iterable[Output], secrets: Mapping[str, str]) -> (
    list[Diagnostic]
):
    """One error per secret value found in a rendered output."""
    diags: list[Diagnostic] = []
    if not secrets:
        return diags  # nothing to look for: no output needs reading
    # Outputs with the same name and bytes read the same (kubernetes/config.yaml is
    # litellm/config.yaml again): parse each once.
    read: dict[tuple[str, bytes], list[str]] = {}
    for output in outputs:
        filename = output.relpath.rsplit("/", 1)[-1]
        text = output.content.decode("utf-8", "replace")  # the first reading
        plain = _plain_yaml(filename, text)
        for name, value in sorted(secrets.items()):
            if value in text:
                found = True
            elif plain and _verbatim_only(value):
                found = False  # no YAML reading of this text can hold it: see _plain_yaml
            else:
                key = (filename, output.content)
                readings = read.get(key)
                if readings is None:
                    readings = read[key] = readings_of(output)
                found = any(value in reading for reading in readings)
            if found:
                diags.append(_leak(stack, output, name, value))
    return diags


def _plain_yaml(filename: str, text: str) -> bool:
    """A YAML output whose parsed strings can hold a secret only where its text does.

    Without a backslash there are no escapes, and without `!` no tags (no `!!binary`,
    no `!!str`): every string a YAML parser returns from such a text is pieces of the
    text joined by line folding (spaces, line breaks) and by `''` read as `'`, and the
    leak check's `$$` -> `$` joins pieces at a `$`; the other values it reads are
    numbers, booleans and dates, written with digits and `+-.: eEinfaTrueFals`. So a
    value with no white space, `'` or `$`, and with one character that no number,
    boolean or date shows (see _verbatim_only), is in a parsed string only if it is in
    the text: parsing such an output (most of a 1,000-datum build's leak check) cannot
    change the answer."""
    return (filename.endswith((".yaml", ".yml")) and not filename.startswith(".env")
            and "\\" not in text and "!" not in text)


# Every character str() writes for an int, float, bool, date or datetime.
_CONVERTED: Final = frozenset("0123456789+-.: eEinfaTrueFals")


def _verbatim_only(value: str) -> bool:
    """See _plain_yaml."""
    return (not any(ch.isspace() or ch in "'$" for ch in value)
            and any(ch not in _CONVERTED for ch in value))


def readings_of(output: Output) -> list[str]:
    """The output's text, and every string its consumer reads out of it: YAML keys and
    values as a YAML parser returns them (escapes undone), shell words as a shell splits
    them, unit-file values with `%%`/`$$` undone, YAML strings with compose's and the
    kubelet's `$$` undone, `.env` values. A secret escaped on its way into a file is still
    the secret."""
    text = output.content.decode("utf-8", "replace")
    name = output.relpath.rsplit("/", 1)[-1]
    try:
        if name.endswith((".yaml", ".yml")):
            return [text, *_yaml_strings(text)]
        if name.endswith(".sh"):
            return [text, *_shell_words(text)]
        if name.endswith((".container", ".service")):
            return [text, *_unit_values(text)]
        if name.endswith(".json"):  # the client configs: JSON strings, escapes undone
            return [text, *_json_strings(text)]
        if name.endswith(".lua"):  # avante.nvim: Lua string literals, escapes undone
            from datumc.render.luatext import strings

            return [text, *strings(text)]
    except ValueError:
        pass  # unreadable as its format: the text itself is still searched
    if name.startswith(".env") or name.endswith(".env"):
        return [text, *(line.partition("=")[2] for line in env_lines(text))]
    return [text]


def _yaml_strings(text: str) -> Iterator[str]:
    import yaml

    # libyaml's parser when PyYAML has it (the same SafeConstructor builds the values):
    # the pure-Python one took most of a 1,000-datum build reading config.yaml back. The
    # outputs are datumc's own, from validated datums, so their nesting stays shallow.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        items = _yaml_scalars(text, loader)
        if items is None:
            items = list(yaml.load_all(text, Loader=loader))
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from None
    stack: list[Any] = items
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif item is not None:
            yield str(item)
            if "$$" in str(item):  # compose and the kubelet read `$$` as `$`
                yield str(item).replace("$$", "$")


# Scalar tags whose values safe_load builds from the scalar alone.
_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in (
    "str", "null", "bool", "int", "float", "timestamp"))


def _yaml_scalars(text: str, loader: Any) -> list[Any] | None:
    """Every key and scalar value safe_load_all would build from `text`, read from the
    parser's events without building the documents (a third of the time), or None when
    the text holds anything but mappings, sequences and plain scalars: a tag, an anchor
    or alias, a merge or value key, a key that is a collection or that repeats. Then the
    caller builds the documents, so the strings are always safe_load's."""
    import yaml

    resolver: Any = yaml.resolver.Resolver()
    constructor = yaml.constructor.SafeConstructor()
    build = constructor.yaml_constructors
    found: list[Any] = []
    # Keys and numbers repeat across the deployments: resolve and build each text once.
    tags: dict[tuple[str, tuple[bool, bool]], str] = {}
    built: dict[tuple[str, str], Any] = {}
    # Per open collection: the keys seen so far (a mapping) or None (a sequence), and
    # whether a mapping's next node is a key.
    keys: list[set[Any] | None] = []
    at_key: list[bool] = []
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if event.anchor is not None or tag not in (None, "!"):
                return None
            text, implicit = event.value, event.implicit
            tag = tags.get((text, implicit))
            if tag is None:
                tag = tags[text, implicit] = resolver.resolve(yaml.ScalarNode, text, implicit)
                if tag not in _SCALAR_TAGS:
                    return None
            if tag == _STR:
                value: Any = text  # what construct_yaml_str returns
            elif (tag, text) in built:
                value = built[tag, text]
            else:
                value = built[tag, text] = build[tag](constructor, yaml.ScalarNode(tag, text))
            if keys and keys[-1] is not None:
                if at_key[-1]:
                    if value in keys[-1]:
                        return None
                    keys[-1].add(value)
                at_key[-1] = not at_key[-1]
            found.append(value)
        elif isinstance(event, yaml.CollectionStartEvent):
            if event.anchor is not None or event.tag not in (None, "!"):
                return None
            if keys and keys[-1] is not None:
                if at_key[-1]:
                    return None  # a collection as a key
                at_key[-1] = True
            keys.append(set() if isinstance(event, yaml.MappingStartEvent) else None)
            at_key.append(True)
        elif isinstance(event, yaml.CollectionEndEvent):
            keys.pop()
            at_key.pop()
        elif isinstance(event, yaml.AliasEvent):
            return None
    return found


def _json_strings(text: str) -> Iterator[str]:
    import json

    stack: list[Any] = [json.loads(text)]  # JSONDecodeError is a ValueError
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            yield item


def _shell_words(text: str) -> Iterator[str]:
    for line in text.splitlines():
        yield from shlex.split(line, comments=True, posix=True)


def _unit_values(text: str) -> Iterator[str]:
    for line in text.splitlines():
        _, sep, value = line.partition("=")
        if sep:
            plain = value.replace("%%", "%").replace("$$", "$")
            yield plain
            yield from shlex.split(plain, posix=True)


def _leak(stack: Stack, output: Output, name: str, value: str) -> Diagnostic:
    message = (f"the value of secret variable {name} ({mask(value)}) would be written to "
               f"{output.relpath}")
    hint = ("datums name secrets, they never hold them: use api_key_env = \"NAME\" (emitted "
            "as os.environ/NAME) and keep the value in the environment or the .env file")
    docs = [*(e.doc for e in stack.entries), *([stack.project_doc] if stack.project_doc else [])]
    for doc in docs:
        for path, text, _ in walk_strings(doc.data, ()):  # as parsed, escapes undone
            if value in text:
                return doc.diag(SECRET_IN_OUTPUT, SECRET_IN_OUTPUT.severity, message, path,
                                hint, value=True)
    where = str(Path(stack.project.datumc.out_dir) / output.relpath)
    return Diagnostic(SECRET_IN_OUTPUT, SECRET_IN_OUTPUT.severity, message, where, hint=hint)
